// Python's `ast.literal_eval`, which Ansible applies to INI inventory values (keeping the raw
// text when it fails) and to rendered template strings. This is the subset of Python's
// literal grammar that evaluator accepts: numbers (with one sign), strings (prefixes, escapes,
// implicit concatenation), True/False/None, lists, tuples, dicts and sets, comments.

const NOT_A_LITERAL = Symbol('not a literal')
const PLAIN_WORD = /^[A-Za-z_][\w.:/-]*$/

/** `ast.literal_eval(text)` semantics: the value, or `{ ok: false }` when Python would raise. */
export function literalEval(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    // literal_eval strips leading spaces and tabs; Python then skips blank and comment lines,
    // but an indented first statement is an IndentationError.
    const source = text.replace(/^[ \t]+/, '').replace(/^(?:[ \t]*(?:#[^\n]*)?\r?\n)+/, '')
    if (/^[ \t]/.test(source)) return { ok: false }
    const parser = new LiteralParser(source)
    const value = parser.parseTop()
    return { ok: true, value }
  } catch (error) {
    if (error === NOT_A_LITERAL) return { ok: false }
    throw error
  }
}

/** The INI plugin's `_parse_value`: the literal when there is one, else the text itself. */
export function iniValue(text: string): unknown {
  // Fast path for the common plain word (`web-1`, `eu.zone/a`): a Python name, never a
  // literal unless it starts True/False/None (`True-1j` is one). Saves a failed parse per value.
  if (PLAIN_WORD.test(text) && !/^(?:True|False|None)/.test(text)) return text
  const result = literalEval(text)
  return result.ok ? result.value : text
}

/** Python's one-character string escapes (a backslash-newline joins lines). */
export const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': ''
}

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string; bytes: boolean }
  | { kind: 'name'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'end' }

class LiteralParser {
  private pos = 0
  private depth = 0
  private lookahead: Token | undefined

  constructor(private readonly src: string) {}

  parseTop(): unknown {
    const value = this.parseExpr()
    if (this.next().kind !== 'end') throw NOT_A_LITERAL
    return value
  }

  private fail(): never {
    throw NOT_A_LITERAL
  }

  private peek(): Token {
    this.lookahead ??= this.readToken()
    return this.lookahead
  }

  private next(): Token {
    const token = this.peek()
    this.lookahead = undefined
    return token
  }

  private isOp(token: Token, op: string): boolean {
    return token.kind === 'op' && token.value === op
  }

  private parseExpr(): unknown {
    const token = this.next()
    if (token.kind === 'op') {
      if (token.value === '-' || token.value === '+') {
        const operand = this.next()
        if (operand.kind === 'num') return token.value === '-' ? -operand.value : operand.value
        if (operand.kind === 'name' && (operand.value === 'True' || operand.value === 'False')) {
          const n = operand.value === 'True' ? 1 : 0
          return token.value === '-' ? -n : n
        }
        this.fail()
      }
      if (token.value === '[') return this.parseSequence(']').items
      if (token.value === '(') {
        const { items, sawComma } = this.parseSequence(')')
        return items.length === 1 && !sawComma ? items[0] : items
      }
      if (token.value === '{') return this.parseBrace()
      this.fail()
    }
    if (token.kind === 'num') return token.value
    if (token.kind === 'str') return this.parseStringRun(token)
    if (token.kind === 'name') {
      if (token.value === 'True') return true
      if (token.value === 'False') return false
      if (token.value === 'None') return null
    }
    this.fail()
  }

  private parseStringRun(first: Token & { kind: 'str' }): string {
    let value = first.value
    while (this.peek().kind === 'str') {
      const more = this.next() as Token & { kind: 'str' }
      if (more.bytes !== first.bytes) this.fail()
      value += more.value
    }
    return value
  }

  private parseSequence(close: string): { items: unknown[]; sawComma: boolean } {
    this.depth++
    const items: unknown[] = []
    let sawComma = false
    while (!this.isOp(this.peek(), close)) {
      items.push(this.parseExpr())
      const sep = this.peek()
      if (this.isOp(sep, ',')) {
        this.next()
        sawComma = true
      } else if (!this.isOp(sep, close)) this.fail()
    }
    this.next()
    this.depth--
    return { items, sawComma }
  }

  private parseBrace(): unknown {
    this.depth++
    if (this.isOp(this.peek(), '}')) {
      this.next()
      this.depth--
      return {}
    }
    const firstKey = this.parseExpr()
    if (!this.isOp(this.peek(), ':')) {
      // A set literal: Ansible would keep a Python set; JSON shows it as a list.
      const items = [firstKey]
      while (this.isOp(this.peek(), ',')) {
        this.next()
        if (this.isOp(this.peek(), '}')) break
        items.push(this.parseExpr())
      }
      if (!this.isOp(this.next(), '}')) this.fail()
      this.depth--
      return items.filter((item, index) => items.findIndex(other => other === item) === index)
    }
    const result: Record<string, unknown> = {}
    let key: unknown = firstKey
    for (;;) {
      if (!this.isOp(this.next(), ':')) this.fail()
      result[dictKey(key)] = this.parseExpr()
      const sep = this.next()
      if (this.isOp(sep, '}')) break
      if (!this.isOp(sep, ',')) this.fail()
      if (this.isOp(this.peek(), '}')) {
        this.next()
        break
      }
      key = this.parseExpr()
    }
    this.depth--
    return result
  }

  private readToken(): Token {
    const src = this.src
    for (;;) {
      const ch = src[this.pos]
      if (ch === ' ' || ch === '\t' || ch === '\f') this.pos++
      else if (ch === '#') {
        while (this.pos < src.length && src[this.pos] !== '\n') this.pos++
      } else if (ch === '\\' && src[this.pos + 1] === '\n') this.pos += 2
      else if (ch === '\n' || ch === '\r') {
        // Newlines are only free inside brackets; a trailing one ends the expression.
        if (this.depth === 0 && src.slice(this.pos).trim() !== '') this.fail()
        this.pos++
      } else break
    }
    if (this.pos >= src.length) return { kind: 'end' }
    const rest = src.slice(this.pos)
    const stringStart = /^([rRbBuU]|[rR][bB]|[bB][rR])?('''|"""|'|")/.exec(rest)
    if (stringStart) return this.readString(stringStart[1] ?? '', stringStart[2])
    const number =
      /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?)/.exec(
        rest
      )
    if (number && number[0] !== '' && number[0] !== '.' && /[\d]/.test(number[0])) {
      return this.readNumber(number[0])
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)
    if (name) {
      this.pos += name[0].length
      return { kind: 'name', value: name[0] }
    }
    if ('[](){},:+-'.includes(rest[0])) {
      this.pos++
      return { kind: 'op', value: rest[0] }
    }
    this.fail()
  }

  private readNumber(text: string): Token {
    this.pos += text.length
    // A name glued to a number (`1x`, `1j` complex) is not a literal we can represent.
    if (/^[A-Za-z0-9_]/.test(this.src.slice(this.pos))) this.fail()
    const digits = text.replace(/_/g, '')
    if (/^0[xX]/.test(digits)) return { kind: 'num', value: parseInt(digits.slice(2), 16) }
    if (/^0[oO]/.test(digits)) return { kind: 'num', value: parseInt(digits.slice(2), 8) }
    if (/^0[bB]/.test(digits)) return { kind: 'num', value: parseInt(digits.slice(2), 2) }
    if (/^\d+$/.test(digits)) {
      // Python 3 rejects leading zeros in decimal integers ("007"), except for zero itself.
      if (digits.length > 1 && digits.startsWith('0') && /[1-9]/.test(digits)) this.fail()
      return { kind: 'num', value: Number(digits) }
    }
    return { kind: 'num', value: Number(digits) }
  }

  private readString(prefix: string, quote: string): Token {
    const raw = /[rR]/.test(prefix)
    const bytes = /[bB]/.test(prefix)
    const src = this.src
    let i = this.pos + prefix.length + quote.length
    let value = ''
    for (;;) {
      if (i >= src.length) this.fail()
      if (src.startsWith(quote, i)) {
        i += quote.length
        break
      }
      const ch = src[i]
      if (ch === '\n' && quote.length === 1) this.fail()
      if (ch !== '\\') {
        value += ch
        i++
        continue
      }
      const esc = src[i + 1]
      if (esc === undefined) this.fail()
      if (raw) {
        value += ch + esc
        i += 2
        continue
      }
      if (esc in SIMPLE_ESCAPES) {
        value += SIMPLE_ESCAPES[esc]
        i += 2
      } else if (/[0-7]/.test(esc)) {
        const octal = /^[0-7]{1,3}/.exec(src.slice(i + 1))![0]
        value += String.fromCodePoint(parseInt(octal, 8))
        i += 1 + octal.length
      } else if (esc === 'x' || (!bytes && (esc === 'u' || esc === 'U'))) {
        const width = esc === 'x' ? 2 : esc === 'u' ? 4 : 8
        const hex = src.slice(i + 2, i + 2 + width)
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) this.fail()
        const code = parseInt(hex, 16)
        if (code > 0x10ffff) this.fail()
        value += String.fromCodePoint(code)
        i += 2 + width
      } else if (esc === 'N') {
        this.fail()
      } else {
        // Unknown escapes keep their backslash, as Python does.
        value += ch + esc
        i += 2
      }
    }
    this.pos = i
    return { kind: 'str', value, bytes }
  }
}

function dictKey(key: unknown): string {
  if (key === null) return 'null'
  if (typeof key === 'boolean') return key ? 'true' : 'false'
  if (typeof key === 'number' || typeof key === 'string') return String(key)
  throw NOT_A_LITERAL
}
