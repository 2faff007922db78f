// Python's `shlex.split(line, comments=True, posix=True)`, which Ansible's INI plugin uses to
// split host lines. Quirks kept on purpose: `#` starts a comment even inside a word, a
// backslash inside double quotes escapes only `"` and `\`, single quotes escape nothing.

export class ShlexError extends Error {}

export function shlexSplit(line: string): string[] {
  const tokens: string[] = []
  let token = ''
  let inToken = false
  let quote: '"' | "'" | undefined
  let i = 0
  while (i < line.length) {
    const ch = line[i]
    if (quote) {
      if (ch === quote) {
        quote = undefined
      } else if (quote === '"' && ch === '\\') {
        const next = line[i + 1]
        if (next === undefined) throw new ShlexError('No escaped character')
        token += next === '"' || next === '\\' ? next : ch + next
        i++
      } else {
        token += ch
      }
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      if (inToken) tokens.push(token)
      token = ''
      inToken = false
    } else if (ch === '#') {
      break
    } else if (ch === '\\') {
      const next = line[i + 1]
      if (next === undefined) throw new ShlexError('No escaped character')
      token += next
      inToken = true
      i++
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inToken = true
    } else {
      token += ch
      inToken = true
    }
    i++
  }
  if (quote) throw new ShlexError('No closing quotation')
  if (inToken) tokens.push(token)
  return tokens
}
