// String and number filters (Jinja built-ins re-done for Python semantics, and Ansible's).
import { defineFilter } from '../engine.js'
import { TemplateError } from '../errors.js'
import { pyStr, pyTruthy } from '../values.js'
import { defined } from './common.js'
import { pyPercentFormat } from './pyformat.js'
import { expandReplacement, pythonRegex } from './regex.js'

const text = (value: unknown): string => pyStr(defined(value))

/** Ansible's `bool` filter. */
export function toBool(value: unknown): boolean | null {
  if (value === null) return null
  if (typeof value === 'boolean') return value
  const normalized = pyStr(value).toLowerCase().trim()
  return ['yes', 'on', '1', 'true', '1.0'].includes(normalized)
}

function toInt(value: unknown, fallback: number, base: number): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback
  if (typeof value === 'boolean') return Number(value)
  const trimmed = pyStr(value).trim()
  if (base === 10) {
    if (/^[-+]?\d+$/.test(trimmed)) return parseInt(trimmed, 10)
    // Jinja's int filter falls back to float() and truncates.
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return Math.trunc(Number(trimmed))
    return fallback
  }
  const parsed = parseInt(trimmed.replace(/^0[xob]/i, ''), base)
  return Number.isNaN(parsed) ? fallback : parsed
}

function toFloat(value: unknown, fallback: number): number {
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return Number(value)
  const trimmed = pyStr(value).trim()
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed)
  if (/^[-+]?(inf|infinity)$/i.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity
  return fallback
}

const SIZE_UNITS: Array<[string, number]> = [
  ['Y', 2 ** 80],
  ['Z', 2 ** 70],
  ['E', 2 ** 60],
  ['P', 2 ** 50],
  ['T', 2 ** 40],
  ['G', 2 ** 30],
  ['M', 2 ** 20],
  ['K', 2 ** 10],
  ['B', 1]
]

function shellQuote(value: string): string {
  if (value === '') return "''"
  if (/^[\w@%+=:,./-]+$/.test(value)) return value
  return `'${value.replace(/'/g, `'"'"'`)}'`
}

const COMMENT_STYLES: Record<string, { prefix: string; decoration: string; postfix: string }> = {
  plain: { prefix: '#', decoration: '# ', postfix: '#' },
  erlang: { prefix: '%', decoration: '% ', postfix: '%' },
  c: { prefix: '//', decoration: '// ', postfix: '//' },
  cblock: { prefix: '/*', decoration: ' * ', postfix: ' */' },
  xml: { prefix: '<!--', decoration: ' - ', postfix: '-->' }
}

export function registerStringFilters(): void {
  defineFilter('bool', value => toBool(defined(value)))
  defineFilter('int', (value, args, kwargs) =>
    toInt(
      defined(value),
      Number(kwargs.default ?? args[0] ?? 0),
      Number(kwargs.base ?? args[1] ?? 10)
    )
  )
  defineFilter('float', (value, args, kwargs) =>
    toFloat(defined(value), Number(kwargs.default ?? args[0] ?? 0))
  )
  defineFilter('string', value => text(value))
  defineFilter('lower', value => text(value).toLowerCase())
  defineFilter('upper', value => text(value).toUpperCase())
  defineFilter('capitalize', value => {
    const input = text(value)
    return input.charAt(0).toUpperCase() + input.slice(1).toLowerCase()
  })
  defineFilter('title', value =>
    text(value).replace(
      /[A-Za-z0-9']+/g,
      word => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()
    )
  )
  defineFilter('trim', (value, args) => {
    const input = text(value)
    if (args[0] === undefined || args[0] === null) return input.trim()
    const chars = [...pyStr(args[0])]
    let start = 0
    let end = input.length
    while (start < end && chars.includes(input[start])) start++
    while (end > start && chars.includes(input[end - 1])) end--
    return input.slice(start, end)
  })
  defineFilter('replace', (value, args, kwargs) => {
    const input = text(value)
    const old = pyStr(args[0])
    const replacement = pyStr(args[1] ?? '')
    const count = Number(kwargs.count ?? args[2] ?? -1)
    if (count < 0) return input.split(old).join(replacement)
    let out = input
    let from = 0
    for (let done = 0; done < count; done++) {
      const at = out.indexOf(old, from)
      if (at < 0) break
      out = out.slice(0, at) + replacement + out.slice(at + old.length)
      from = at + replacement.length
    }
    return out
  })
  defineFilter('center', (value, args) => {
    const input = text(value)
    const width = Number(args[0] ?? 80)
    if (input.length >= width) return input
    const total = width - input.length
    // Python's str.center puts the extra space on the right when the padding is odd and len is even.
    const left = Math.floor(total / 2) + (total % 2 && width % 2 ? 1 : 0)
    return ' '.repeat(left) + input + ' '.repeat(total - left)
  })
  defineFilter('truncate', (value, args, kwargs) => {
    const input = text(value)
    const length = Number(kwargs.length ?? args[0] ?? 255)
    const killwords = pyTruthy(kwargs.killwords ?? args[1] ?? false)
    const end = pyStr(kwargs.end ?? args[2] ?? '...')
    const leeway = Number(kwargs.leeway ?? args[3] ?? 5)
    if (input.length <= length + leeway) return input
    if (killwords) return input.slice(0, length - end.length) + end
    const cut = input.slice(0, length - end.length)
    const space = cut.lastIndexOf(' ')
    return (space >= 0 ? cut.slice(0, space) : cut) + end
  })
  defineFilter('format', (value, args) => pyPercentFormat(text(value), args))
  defineFilter('split', (value, args) => {
    const input = text(value)
    const separator = args[0]
    const maxSplit = Number(args[1] ?? -1)
    if (separator === undefined || separator === null) {
      const parts = input.trim() === '' ? [] : input.trim().split(/\s+/)
      return maxSplit >= 0 && parts.length > maxSplit
        ? [...parts.slice(0, maxSplit), parts.slice(maxSplit).join(' ')]
        : parts
    }
    const parts = input.split(pyStr(separator))
    if (maxSplit < 0 || parts.length <= maxSplit + 1) return parts
    return [...parts.slice(0, maxSplit), parts.slice(maxSplit).join(pyStr(separator))]
  })
  defineFilter('quote', value => shellQuote(text(value)))
  defineFilter('comment', (value, args, kwargs) => {
    const style = COMMENT_STYLES[pyStr(args[0] ?? kwargs.style ?? 'plain')] ?? COMMENT_STYLES.plain
    const decoration = pyStr(kwargs.decoration ?? style.decoration)
    const prefix = pyStr(kwargs.prefix ?? style.prefix)
    const postfix = pyStr(kwargs.postfix ?? style.postfix)
    const body = text(value)
      .split('\n')
      .map(line => (line === '' ? decoration.trimEnd() : decoration + line))
      .join('\n')
    return `${prefix}\n${body}\n${postfix}`
  })
  defineFilter('regex_escape', value => text(value).replace(/[^A-Za-z0-9_]/g, ch => `\\${ch}`))
  defineFilter('regex_replace', (value, args, kwargs) => {
    const input = text(value)
    const regex = pythonRegex(pyStr(args[0] ?? ''), kwargs, true)
    const replacement = pyStr(args[1] ?? kwargs.replacement ?? '')
    let remaining = Number(kwargs.count ?? 0) || Infinity
    return input.replace(regex, (...match: unknown[]) => {
      if (remaining-- <= 0) return match[0] as string
      const hasGroups = typeof match[match.length - 1] === 'object'
      const groups = hasGroups ? (match[match.length - 1] as Record<string, string>) : undefined
      const captures = match.slice(0, hasGroups ? -3 : -2) as string[]
      return expandReplacement(replacement, captures, groups)
    })
  })
  defineFilter('regex_search', (value, args, kwargs) => {
    const input = text(value)
    const match = pythonRegex(pyStr(args[0] ?? ''), kwargs, false).exec(input)
    if (!match) return null
    if (args.length <= 1) return match[0]
    return args.slice(1).map(group => {
      const spec = pyStr(group)
      const named = /^\\g<(\w+)>$/.exec(spec)
      const numbered = /^\\(\d+)$/.exec(spec)
      if (named) return /^\d+$/.test(named[1]) ? match[Number(named[1])] : match.groups?.[named[1]]
      if (numbered) return match[Number(numbered[1])]
      throw new TemplateError(`Unknown argument: ${spec}`)
    })
  })
  defineFilter('regex_findall', (value, args, kwargs) => {
    const input = text(value)
    const regex = pythonRegex(pyStr(args[0] ?? ''), kwargs, true)
    return [...input.matchAll(regex)].map(match =>
      match.length === 1
        ? match[0]
        : match.length === 2
          ? (match[1] ?? '')
          : match.slice(1).map(g => g ?? '')
    )
  })
  defineFilter('human_readable', (value, args, kwargs) => {
    const size = toFloat(defined(value), NaN)
    if (Number.isNaN(size))
      throw new TemplateError(`human_readable() can't interpret following string: ${pyStr(value)}`)
    const isbits = pyTruthy(kwargs.isbits ?? args[0] ?? false)
    const unit = (kwargs.unit ?? args[1]) as string | undefined
    const base = isbits ? 'bits' : 'Bytes'
    let chosen = SIZE_UNITS[SIZE_UNITS.length - 1]
    for (const entry of SIZE_UNITS) {
      if (
        (unit === undefined && size >= entry[1]) ||
        (unit !== undefined && unit.toUpperCase() === entry[0])
      ) {
        chosen = entry
        break
      }
    }
    const suffix = chosen[1] === 1 ? base : chosen[0] + base[0]
    return `${(size / chosen[1]).toFixed(2)} ${suffix}`
  })
  defineFilter('human_to_bytes', (value, args, kwargs) => {
    const input = text(value).trim()
    const match = /^([0-9.]+)\s*([A-Za-z]*)$/.exec(input)
    if (!match)
      throw new TemplateError(`human_to_bytes() can't interpret following string: ${input}`)
    const unitText = match[2] || pyStr(kwargs.default_unit ?? args[0] ?? 'B')
    const unit = unitText.charAt(0).toUpperCase()
    const factor = SIZE_UNITS.find(([name]) => name === unit)?.[1]
    if (factor === undefined) throw new TemplateError(`human_to_bytes() failed to convert ${input}`)
    return Math.round(Number(match[1]) * factor)
  })
}
