// A small Jinja lexer: splits a template into text, comments, raw blocks and expression regions
// ({{ }} and {% %}) with their tokens. The templar rewrites expression regions before handing
// the source to minijinja (see preprocess.ts); it never interprets them itself, but for one
// spelling minijinja lacks: Jinja's integer attribute `item.0` is the subscript `item[0]`.

export interface Token {
  type: 'ws' | 'str' | 'num' | 'name' | 'op'
  text: string
}

export interface TextRegion {
  kind: 'text' | 'comment' | 'raw'
  text: string
}

export interface ExpressionRegion {
  kind: 'output' | 'statement'
  open: string
  close: string
  tokens: Token[]
}

export type Region = TextRegion | ExpressionRegion

const TOKEN_PATTERNS: Array<[Token['type'], RegExp]> = [
  ['ws', /\s+/y],
  ['str', /'(?:[^'\\]|\\[\s\S])*'|"(?:[^"\\]|\\[\s\S])*"/y],
  ['num', /\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][-+]?\d+)?/y],
  ['name', /[A-Za-z_][A-Za-z0-9_]*/y],
  ['op', /\*\*|\/\/|==|!=|<=|>=|[-+*/%~<>=|.,:()[\]{}!]/y]
]

/** Jinja reads digits after a dot as an integer index (`item.1.name` is `item[1].name`). */
const INTEGER_ATTRIBUTE = /\d+/y

const RAW_OPEN = /\{%[-+]?\s*raw\s*[-+]?%\}/y
const RAW_CLOSE = /\{%[-+]?\s*endraw\s*[-+]?%\}/g

function isIndexable(token: Token | undefined): boolean {
  return token?.type === 'name' || token?.text === ')' || token?.text === ']'
}

/** Tokens of one {{ }} / {% %} region starting after its opening delimiter, or null if unterminated. */
function scanExpression(
  source: string,
  start: number,
  closer: '}}' | '%}'
): { tokens: Token[]; close: string; end: number } | null {
  const tokens: Token[] = []
  let pos = start
  let depth = 0
  const closePattern = closer === '}}' ? /[-+]?\}\}/y : /[-+]?%\}/y
  while (pos < source.length) {
    if (depth === 0) {
      closePattern.lastIndex = pos
      const close = closePattern.exec(source)
      if (close) return { tokens, close: close[0], end: pos + close[0].length }
    }
    const previous = tokens[tokens.length - 1]
    if (previous?.text === '.' && isIndexable(tokens[tokens.length - 2])) {
      INTEGER_ATTRIBUTE.lastIndex = pos
      const index = INTEGER_ATTRIBUTE.exec(source)
      if (index) {
        tokens[tokens.length - 1] = { type: 'op', text: '[' }
        tokens.push({ type: 'num', text: index[0] }, { type: 'op', text: ']' })
        pos += index[0].length
        continue
      }
    }
    let matched = false
    for (const [type, pattern] of TOKEN_PATTERNS) {
      pattern.lastIndex = pos
      const match = pattern.exec(source)
      if (!match) continue
      const text = match[0]
      if (type === 'op' && '([{'.includes(text)) depth++
      if (type === 'op' && ')]}'.includes(text)) depth = Math.max(0, depth - 1)
      tokens.push({ type, text })
      pos += text.length
      matched = true
      break
    }
    if (!matched) tokens.push({ type: 'op', text: source[pos++] })
  }
  return null
}

export function lexTemplate(source: string): Region[] {
  const regions: Region[] = []
  let pos = 0
  let textStart = 0
  const flushText = (end: number): void => {
    if (end > textStart) regions.push({ kind: 'text', text: source.slice(textStart, end) })
  }
  while (pos < source.length) {
    const next = source.indexOf('{', pos)
    if (next < 0 || next + 1 >= source.length) break
    const pair = source.slice(next, next + 2)
    if (pair === '{#') {
      const end = source.indexOf('#}', next + 2)
      if (end < 0) break
      flushText(next)
      regions.push({ kind: 'comment', text: source.slice(next, end + 2) })
      pos = textStart = end + 2
      continue
    }
    if (pair === '{%') {
      RAW_OPEN.lastIndex = next
      if (RAW_OPEN.exec(source)) {
        RAW_CLOSE.lastIndex = next
        const close = RAW_CLOSE.exec(source)
        if (!close) break
        flushText(next)
        regions.push({ kind: 'raw', text: source.slice(next, close.index + close[0].length) })
        pos = textStart = close.index + close[0].length
        continue
      }
    }
    if (pair === '{{' || pair === '{%') {
      const control = /[-+]/.test(source[next + 2] ?? '') ? source[next + 2] : ''
      const scanned = scanExpression(source, next + 2 + control.length, pair === '{{' ? '}}' : '%}')
      if (!scanned) break
      flushText(next)
      regions.push({
        kind: pair === '{{' ? 'output' : 'statement',
        open: pair + control,
        close: scanned.close,
        tokens: scanned.tokens
      })
      pos = textStart = scanned.end
      continue
    }
    pos = next + 1
  }
  flushText(source.length)
  return regions
}

/** Index of the bracket closing the one at `open`, or -1. */
export function matchingBracket(tokens: Token[], open: number): number {
  let depth = 0
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].type !== 'op') continue
    if ('([{'.includes(tokens[i].text)) depth++
    if (')]}'.includes(tokens[i].text) && --depth === 0) return i
  }
  return -1
}

export function joinTokens(tokens: Token[]): string {
  return tokens.map(token => token.text).join('')
}
