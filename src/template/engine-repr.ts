// Reads the engine's `pprint` text of a value (Rust's pretty Debug format of a minijinja value).
// Unlike `tojson` it keeps what JS values lose: integral floats (2.0), and dict keys that are not
// strings (none, true, 1), which `tojson` refuses or turns into strings.

import { PyFloat, fromEngine, jsonKeyText, recordTypedKeys } from './values.js'

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0' }
const NUMBER = /-?(?:inf|NaN|nan|\d+(?:\.\d+)?(?:e[-+]?\d+)?)/y
const WORDS: Record<string, unknown> = { none: null, undefined: null, true: true, false: false }

class ReprParser {
  private at = 0
  constructor(private readonly text: string) {}

  parse(): unknown {
    const value = this.value()
    this.space()
    if (this.at !== this.text.length) throw new SyntaxError('trailing text')
    return value
  }

  private space(): void {
    while (/[\s,]/.test(this.text[this.at] ?? '')) this.at++
  }

  private value(): unknown {
    this.space()
    const ch = this.text[this.at]
    if (ch === '"') return this.string()
    if (ch === '[') return this.list()
    if (ch === '{') return this.dict()
    NUMBER.lastIndex = this.at
    const number = NUMBER.exec(this.text)
    if (number) {
      this.at += number[0].length
      const token = number[0]
      const parsed = Number(token.replace(/inf$/, 'Infinity').replace(/nan$/i, 'NaN'))
      // Rust writes floats with a "." or an exponent, ints without.
      return /[.e]/.test(token) && Number.isInteger(parsed) ? new PyFloat(parsed) : parsed
    }
    const word = /^[a-z]+/.exec(this.text.slice(this.at))?.[0] ?? ''
    if (!(word in WORDS)) throw new SyntaxError(`unexpected ${ch}`)
    this.at += word.length
    return WORDS[word]
  }

  private string(): string {
    let out = ''
    for (this.at++; this.text[this.at] !== '"'; this.at++) {
      if (this.at >= this.text.length) throw new SyntaxError('unterminated string')
      const ch = this.text[this.at]
      if (ch !== '\\') {
        out += ch
        continue
      }
      const next = this.text[++this.at]
      if (next === 'u') {
        const end = this.text.indexOf('}', this.at)
        out += String.fromCodePoint(parseInt(this.text.slice(this.at + 2, end), 16))
        this.at = end
      } else out += ESCAPES[next] ?? next
    }
    this.at++
    return out
  }

  private list(): unknown[] {
    const items: unknown[] = []
    this.at++
    for (this.space(); this.text[this.at] !== ']'; this.space()) items.push(this.value())
    this.at++
    return items
  }

  private dict(): Map<string, unknown> {
    const entries = new Map<string, unknown>()
    const typed = new Map<string, unknown>()
    this.at++
    for (this.space(); this.text[this.at] !== '}'; this.space()) {
      const key = this.value()
      this.space()
      if (this.text[this.at++] !== ':') throw new SyntaxError('expected :')
      const text = typeof key === 'string' ? key : jsonKeyText(key)
      if (typeof key !== 'string') typed.set(text, key)
      entries.set(text, this.value())
    }
    this.at++
    if (typed.size > 0) pendingTypedKeys.set(entries, typed)
    return entries
  }
}

// Typed keys found while parsing, moved onto the plain objects fromEngine builds.
const pendingTypedKeys = new Map<Map<string, unknown>, Map<string, unknown>>()

function attachTypedKeys(parsed: unknown, plain: unknown): void {
  if (parsed instanceof Map) {
    const typed = pendingTypedKeys.get(parsed)
    if (typed) recordTypedKeys(plain as object, typed)
    for (const [key, item] of parsed) attachTypedKeys(item, (plain as Record<string, unknown>)[key])
  } else if (Array.isArray(parsed)) {
    parsed.forEach((item, i) => attachTypedKeys(item, (plain as unknown[])[i]))
  }
}

/**
 * The value behind the engine's `pprint` text: integral floats become PyFloat, dicts plain
 * objects in their remembered key order. Text that is no data (`<macro m>`) stays text.
 */
export function fromEngineRepr(text: string): unknown {
  let parsed: unknown
  try {
    parsed = new ReprParser(text).parse()
  } catch {
    return text
  }
  const plain = fromEngine(parsed)
  if (pendingTypedKeys.size > 0) {
    attachTypedKeys(parsed, plain)
    pendingTypedKeys.clear()
  }
  return plain
}
