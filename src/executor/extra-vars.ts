// `-e` values as ansible-playbook reads them: `@file` (YAML/JSON), inline JSON/YAML mappings
// (`{...}`), or `key=value` pairs whose values stay strings. Later values win.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { PlaybookError } from '../playbook/errors.js'
import { parseKeyValue } from '../playbook/splitter.js'
import { parseYaml } from '../playbook/yaml.js'

function asMapping(value: unknown, source: string): Record<string, unknown> {
  if (value === null || value === undefined) return {}
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PlaybookError(
      `Invalid extra vars data supplied. '${source}' could not be made into a dictionary`,
      undefined,
      1
    )
  }
  return value as Record<string, unknown>
}

/** `warn` hears what loading says (duplicate keys in an `@file`), as ansible-playbook prints it. */
export function parseExtraVars(
  values: string[],
  cwd: string,
  warn: (message: string) => void
): Record<string, unknown> {
  const merged: Record<string, unknown> = {}
  for (const value of values) {
    if (value.startsWith('@')) {
      const file = path.resolve(cwd, value.slice(1))
      let text: string
      try {
        text = readFileSync(file, 'utf8')
      } catch {
        throw new PlaybookError(
          `Unable to retrieve file contents\nCould not find or access '${file}'`,
          undefined,
          1
        )
      }
      Object.assign(merged, asMapping(parseYaml(text, file, warn), value))
    } else if (/^\s*[[{]/.test(value)) {
      Object.assign(merged, asMapping(parseYaml(value, '<extra vars>', warn), value))
    } else {
      const pairs = parseKeyValue(value)
      if ('_raw_params' in pairs) {
        throw new PlaybookError(
          `Invalid extra vars data supplied. '${value}' could not be made into a dictionary`,
          undefined,
          1
        )
      }
      Object.assign(merged, pairs)
    }
  }
  return merged
}
