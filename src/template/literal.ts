// Python's ast.literal_eval for the literals a rendered template can spell: Ansible 2.14 turns
// a rendered string back into data with it when the text starts with '[' or '{' or is
// True/False. Anything that is not a literal leaves the string as it was (returns NOT_LITERAL).

export const NOT_LITERAL = Symbol('not a Python literal')

class Parser {
  private pos = 0
  constructor(private readonly text: string) {}

  parse(): unknown {
    const value = this.value()
    this.skipSpace()
    if (this.pos !== this.text.length) throw new SyntaxError('trailing text')
    return value
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++
  }

  private peek(): string {
    this.skipSpace()
    return this.text[this.pos] ?? ''
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) throw new SyntaxError(`expected ${ch}`)
    this.pos++
  }

  private value(): unknown {
    const ch = this.peek()
    if (ch === '[') return this.sequence('[', ']')
    if (ch === '(') return this.sequence('(', ')')
    if (ch === '{') return this.mapping()
    if (ch === "'" || ch === '"') return this.strings()
    if (/[rRuUbB]/.test(ch) && /['"]/.test(this.text[this.pos + 1] ?? '')) return this.strings()
    if (/[-+0-9.]/.test(ch)) return this.number()
    const word = /^[A-Za-z_]\w*/.exec(this.text.slice(this.pos))?.[0]
    if (word === 'True' || word === 'False' || word === 'None') {
      this.pos += word.length
      return word === 'True' ? true : word === 'False' ? false : null
    }
    throw new SyntaxError('not a literal')
  }

  private sequence(open: string, close: string): unknown[] {
    this.expect(open)
    const items: unknown[] = []
    while (this.peek() !== close) {
      items.push(this.value())
      if (this.peek() === ',') this.pos++
      else break
    }
    this.expect(close)
    return items
  }

  private mapping(): unknown {
    this.expect('{')
    const out: Record<string, unknown> = {}
    const setItems: unknown[] = []
    let isSet = false
    while (this.peek() !== '}') {
      const key = this.value()
      if (this.peek() === ':') {
        this.pos++
        out[typeof key === 'string' ? key : String(key)] = this.value()
      } else {
        isSet = true
        setItems.push(key)
      }
      if (this.peek() === ',') this.pos++
      else break
    }
    this.expect('}')
    return isSet ? setItems : out
  }

  /** Adjacent string literals concatenate, as in Python source. */
  private strings(): string {
    let out = this.stringLiteral()
    while (/['"]/.test(this.peek())) out += this.stringLiteral()
    return out
  }

  private stringLiteral(): string {
    let raw = false
    while (/[rRuUbB]/.test(this.text[this.pos])) raw ||= /[rR]/.test(this.text[this.pos++])
    const quote = this.text.startsWith(this.text[this.pos].repeat(3), this.pos)
      ? this.text[this.pos].repeat(3)
      : this.text[this.pos]
    this.pos += quote.length
    let out = ''
    while (!this.text.startsWith(quote, this.pos)) {
      if (this.pos >= this.text.length) throw new SyntaxError('unterminated string')
      const ch = this.text[this.pos++]
      if (ch === '\\' && !raw) out += this.escape()
      else if (ch === '\\' && raw) out += ch + (this.text[this.pos++] ?? '')
      else if (ch === '\n' && quote.length === 1) throw new SyntaxError('newline in string')
      else out += ch
    }
    this.pos += quote.length
    return out
  }

  private escape(): string {
    const ch = this.text[this.pos++]
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\n': ''
    }
    if (ch in simple) return simple[ch]
    const hexLength = ch === 'x' ? 2 : ch === 'u' ? 4 : ch === 'U' ? 8 : 0
    if (hexLength > 0) {
      const hex = this.text.slice(this.pos, this.pos + hexLength)
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLength)
        throw new SyntaxError('bad escape')
      this.pos += hexLength
      return String.fromCodePoint(parseInt(hex, 16))
    }
    if (/[0-7]/.test(ch)) {
      const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.pos - 1))?.[0] ?? ch
      this.pos += octal.length - 1
      return String.fromCodePoint(parseInt(octal, 8))
    }
    return `\\${ch}`
  }

  private number(): number {
    const match =
      /^[-+]?\s*(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][-+]?\d+)?\.?)/.exec(
        this.text.slice(this.pos)
      )
    if (!match) throw new SyntaxError('bad number')
    this.pos += match[0].length
    const negative = match[0].trimStart().startsWith('-')
    const body = match[1].replace(/_/g, '')
    const prefixed = /^0[xob]/i.test(body)
    const value = prefixed
      ? parseInt(body.slice(2), { x: 16, o: 8, b: 2 }[body[1].toLowerCase()] as number)
      : Number(body)
    if (Number.isNaN(value)) throw new SyntaxError('bad number')
    return negative ? -value : value
  }
}

export function pyLiteralEval(text: string): unknown {
  try {
    return new Parser(text).parse()
  } catch {
    return NOT_LITERAL
  }
}
