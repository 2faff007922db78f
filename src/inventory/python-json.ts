// `json.dumps(value, indent=4, sort_keys=True, ensure_ascii=False)` as ansible-inventory prints
// it, so our `inventory --list` output is byte-identical for the same data. (Floats with an
// integral value print without ".0": JavaScript numbers do not keep that distinction.)
import { UnsafeText } from '../template/unsafe.js'
import { compareCodePoints } from './data.js'

export function pythonJsonDumps(value: unknown, indent = 4, level = 0): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN'
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
    return JSON.stringify(value)
  }
  if (typeof value === 'string') return JSON.stringify(value)
  // Ansible's JSON encoder marks !unsafe text this way (preprocess_unsafe=True).
  if (value instanceof UnsafeText)
    return pythonJsonDumps({ __ansible_unsafe: value.text }, indent, level)
  const pad = ' '.repeat(indent * (level + 1))
  const closePad = ' '.repeat(indent * level)
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.map(item => pad + pythonJsonDumps(item, indent, level + 1))
    return `[\n${items.join(',\n')}\n${closePad}]`
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort(compareCodePoints)
    if (keys.length === 0) return '{}'
    const record = value as Record<string, unknown>
    const items = keys.map(
      key => `${pad}${JSON.stringify(key)}: ${pythonJsonDumps(record[key], indent, level + 1)}`
    )
    return `{\n${items.join(',\n')}\n${closePad}}`
  }
  return JSON.stringify(String(value))
}
