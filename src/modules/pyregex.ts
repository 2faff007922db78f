// Python `re` patterns and replacement templates in JavaScript: the syntax lineinfile,
// blockinfile and replace users write (named groups, \A \Z, inline flags, `$` before a final
// newline, match.expand()).

export class PyRegexError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PyRegexError'
  }
}

/**
 * Compile a Python pattern. `multiline` is re.MULTILINE. Python's non-multiline `$` also
 * matches before a trailing newline, which JavaScript's does not.
 */
export function pyRegex(
  pattern: string,
  { multiline = false, global = false, dotall = false, indices = false } = {}
): RegExp {
  let flags =
    (global ? 'g' : '') + (multiline ? 'm' : '') + (dotall ? 's' : '') + (indices ? 'd' : '')
  let source = pattern
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source)
  if (inline) {
    source = source.slice(inline[0].length)
    for (const flag of inline[1]) {
      if (flag === 'i' && !flags.includes('i')) flags += 'i'
      else if (flag === 's' && !flags.includes('s')) flags += 's'
      else if (flag === 'm' && !flags.includes('m')) {
        flags += 'm'
        multiline = true
      } else if (flag === 'x' || flag === 'L')
        throw new PyRegexError(`unsupported inline flag (?${flag}) in ${pattern}`)
    }
  }
  let out = ''
  let inClass = false
  for (let index = 0; index < source.length; index++) {
    const char = source[index]
    if (char === '\\') {
      const next = source[index + 1] ?? ''
      index++
      if (!inClass && next === 'A') out += '(?<![\\s\\S])'
      else if (!inClass && next === 'Z') out += '(?![\\s\\S])'
      else out += `\\${next}`
      continue
    }
    if (inClass) {
      if (char === ']') inClass = false
      out += char
      continue
    }
    if (char === '[') {
      inClass = true
      out += char
      if (source[index + 1] === '^') out += source[++index]
      if (source[index + 1] === ']') out += `\\${source[++index]}`
      continue
    }
    if (source.startsWith('(?P<', index)) {
      out += '(?<'
      index += 3
      continue
    }
    const backref = /^\(\?P=(\w+)\)/.exec(source.slice(index))
    if (backref) {
      out += `\\k<${backref[1]}>`
      index += backref[0].length - 1
      continue
    }
    if (char === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))'
      continue
    }
    out += char
  }
  try {
    return new RegExp(out, flags)
  } catch (error) {
    throw new PyRegexError(`invalid regular expression ${pattern}: ${(error as Error).message}`)
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\'
}

/** Python's match.expand(template): \1, \g<1>, \g<name>, and \n-style escapes. */
export function expandTemplate(
  template: string,
  match: RegExpExecArray | RegExpMatchArray
): string {
  let out = ''
  for (let index = 0; index < template.length; index++) {
    const char = template[index]
    if (char !== '\\' || index + 1 >= template.length) {
      out += char
      continue
    }
    const rest = template.slice(index + 1)
    const numbered = /^(\d{1,2})/.exec(rest)
    const named = /^g<([^>]+)>/.exec(rest)
    if (numbered) {
      const group = Number(numbered[1])
      if (group >= match.length) throw new PyRegexError(`invalid group reference ${group}`)
      out += match[group] ?? ''
      index += numbered[0].length
    } else if (named) {
      const key = named[1]
      const value = /^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key]
      if (
        value === undefined &&
        !(/^\d+$/.test(key) ? Number(key) < match.length : key in (match.groups ?? {}))
      ) {
        throw new PyRegexError(`unknown group name '${key}'`)
      }
      out += value ?? ''
      index += named[0].length
    } else if (rest[0] in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[rest[0]]
      index++
    } else if (/[A-Za-z]/.test(rest[0])) {
      throw new PyRegexError(`bad escape \\${rest[0]}`)
    } else {
      out += `\\${rest[0]}`
      index++
    }
  }
  return out
}
