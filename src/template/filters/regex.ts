// Python `re` patterns and replacement strings on JS RegExp: (?P<name>...), (?P=name), \A, \Z,
// and \1 / \g<1> / \g<name> in replacements.
import { TemplateError } from '../errors.js'

export function pythonRegex(
  pattern: string,
  flags: { ignorecase?: unknown; multiline?: unknown },
  global: boolean
): RegExp {
  const source = pattern
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$')
  let jsFlags = global ? 'g' : ''
  if (flags.ignorecase) jsFlags += 'i'
  if (flags.multiline) jsFlags += 'm'
  try {
    return new RegExp(source, jsFlags)
  } catch (error) {
    throw new TemplateError(
      `invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`
    )
  }
}

/** Expands a Python replacement template (\1, \g<1>, \g<name>, \n, \\) for one match. */
export function expandReplacement(
  template: string,
  match: RegExpExecArray | string[],
  groups?: Record<string, string>
): string {
  return template.replace(
    /\\(?:g<(\w+)>|(\d{1,2})|([ntr\\]))/g,
    (_m, named: string, numbered: string, escape: string) => {
      if (escape) return { n: '\n', t: '\t', r: '\r', '\\': '\\' }[escape] as string
      const key = named ?? numbered
      if (/^\d+$/.test(key)) {
        const group = match[Number(key)]
        if (Number(key) >= match.length) throw new TemplateError(`invalid group reference ${key}`)
        return group ?? ''
      }
      if (!groups || !(key in groups)) throw new TemplateError(`unknown group name '${key}'`)
      return groups[key] ?? ''
    }
  )
}
