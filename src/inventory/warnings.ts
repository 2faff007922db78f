// Warnings as Ansible's Display emits them: each distinct message once, in order, and printed
// as `[WARNING]: <message>` wrapped by Python's textwrap at 79 columns (the width Ansible uses
// when stderr is not a terminal), so our stderr lines up with ansible's byte for byte.

export class Warnings {
  private readonly seen = new Set<string>()
  readonly messages: string[] = []

  add(message: string): void {
    if (this.seen.has(message)) return
    this.seen.add(message)
    this.messages.push(message)
  }
}

/** `display.warning(message)` text, ending with a newline. */
export function formatWarning(message: string, width = 79): string {
  return `${textWrap(`[WARNING]: ${message}`, width).join('\n')}\n`
}

const WHITESPACE = '\\t\\n\\x0b\\x0c\\r '
const WORD_PUNCT = `[\\w!"'&.,?]`
const LETTER = '[^\\d\\W]'
// Python 3.11 textwrap.TextWrapper.wordsep_re, unchanged.
const WORD_SEPARATOR = new RegExp(
  `([${WHITESPACE}]+` +
    `|(?<=${WORD_PUNCT})-{2,}(?=\\w)` +
    `|[^${WHITESPACE}]+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})` +
    `|(?=[${WHITESPACE}]|$)` +
    `|(?<=${WORD_PUNCT})(?=-{2,}\\w)))`
)

/** Python's `textwrap.wrap(text, width)` with its default options. */
export function textWrap(text: string, width: number): string[] {
  const munged = expandTabs(text).replace(/[\t\n\v\f\r]/g, ' ')
  const chunks = munged.split(WORD_SEPARATOR).filter(chunk => chunk !== '')
  chunks.reverse()
  const lines: string[] = []
  while (chunks.length > 0) {
    const line: string[] = []
    let length = 0
    if (chunks[chunks.length - 1].trim() === '' && lines.length > 0) chunks.pop()
    while (chunks.length > 0) {
      const size = chunks[chunks.length - 1].length
      if (length + size > width) break
      line.push(chunks.pop()!)
      length += size
    }
    if (chunks.length > 0 && chunks[chunks.length - 1].length > width) {
      breakLongWord(chunks, line, length, width)
    }
    if (line.length > 0 && line[line.length - 1].trim() === '') line.pop()
    if (line.length > 0) lines.push(line.join(''))
  }
  return lines
}

function breakLongWord(chunks: string[], line: string[], length: number, width: number): void {
  const spaceLeft = width < 1 ? 1 : width - length
  const chunk = chunks[chunks.length - 1]
  let end = spaceLeft
  if (chunk.length > spaceLeft) {
    const hyphen = chunk.lastIndexOf('-', spaceLeft - 1)
    if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) end = hyphen + 1
  }
  line.push(chunk.slice(0, end))
  chunks[chunks.length - 1] = chunk.slice(end)
}

function expandTabs(text: string): string {
  let column = 0
  let out = ''
  for (const ch of text) {
    if (ch === '\t') {
      const spaces = 8 - (column % 8)
      out += ' '.repeat(spaces)
      column += spaces
    } else {
      out += ch
      column = ch === '\n' || ch === '\r' ? 0 : column + 1
    }
  }
  return out
}
