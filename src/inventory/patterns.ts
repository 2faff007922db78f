// Host patterns as Ansible's InventoryManager evaluates them (inventory/manager.py): `a,b` or
// `a:b` unions, `&` intersections and `!` exclusions applied after all unions, globs matched
// against group names first, `~regex`, `[i]` / `[i:j]` subscripts, and the implicit localhost.
import { parseAddress } from './address.js'

/** A pattern Ansible refuses (bad regex, subscript out of range): exit code 1, like Ansible. */
export class HostPatternError extends Error {
  readonly exitCode = 1
}

const PATTERN_WITH_SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/

/** `split_host_pattern`: commas always separate; colons only when the whole is not an address. */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[]
  if (pattern.includes(',')) {
    parts = pattern.split(',')
  } else {
    try {
      parseAddress(pattern, true)
      parts = [pattern]
    } catch {
      parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []
    }
  }
  return parts.map(part => part.trim()).filter(part => part !== '')
}

/** `order_patterns`: plain patterns first, then `&`, then `!` (with `all` if only modifiers). */
export function orderPatterns(patterns: string[]): string[] {
  const regular: string[] = []
  const intersections: string[] = []
  const exclusions: string[] = []
  for (const pattern of patterns) {
    if (!pattern) continue
    if (pattern[0] === '!') exclusions.push(pattern)
    else if (pattern[0] === '&') intersections.push(pattern)
    else regular.push(pattern)
  }
  if (regular.length === 0) regular.push('all')
  return [...regular, ...intersections, ...exclusions]
}

export type Subscript = { start: number; end: number | undefined } | undefined

/** `_split_subscript`: the expression and its `[i]` / `[i:j]` part (regexes have none). */
export function splitSubscript(
  pattern: string,
  warn: (message: string) => void
): { expression: string; subscript: Subscript } {
  if (pattern[0] === '~') return { expression: pattern, subscript: undefined }
  const m = PATTERN_WITH_SUBSCRIPT.exec(pattern)
  if (!m) return { expression: pattern, subscript: undefined }
  const [, expression, index, start, separator, end] = m
  if (index !== undefined)
    return { expression, subscript: { start: Number(index), end: undefined } }
  if (separator === '-')
    warn('Use [x:y] inclusive subscripts instead of [x-y] which has been removed')
  return { expression, subscript: { start: Number(start), end: end === '' ? -1 : Number(end) } }
}

/** `_apply_subscript`, with Python's indexing and slicing rules. */
export function applySubscript<T>(hosts: T[], subscript: Subscript, pattern: string): T[] {
  if (hosts.length === 0 || !subscript) return hosts
  const { start } = subscript
  let { end } = subscript
  if (end) {
    if (end === -1) end = hosts.length - 1
    return pySlice(hosts, start, end + 1)
  }
  const index = start < 0 ? hosts.length + start : start
  if (index < 0 || index >= hosts.length) {
    throw new HostPatternError(`No hosts matched the subscripted pattern '${pattern}'`)
  }
  return [hosts[index]]
}

function pySlice<T>(items: T[], start: number, stop: number): T[] {
  const clamp = (value: number) =>
    value < 0 ? Math.max(0, items.length + value) : Math.min(value, items.length)
  return items.slice(clamp(start), clamp(stop))
}

/** A matcher for one name: `~regex` (anchored at the start) or a shell glob (whole name). */
export function compileMatcher(pattern: string): (name: string) => boolean {
  let regex: RegExp
  try {
    regex =
      pattern[0] === '~'
        ? new RegExp(`^(?:${pattern.slice(1)})`)
        : new RegExp(`^${fnmatchToRegex(pattern)}$`, 's')
  } catch {
    throw new HostPatternError(`Invalid host list pattern: ${pattern}`)
  }
  return name => regex.test(name)
}

/** Python's `fnmatch.translate` body: `*`, `?`, `[seq]`, `[!seq]`, the rest literal. */
function fnmatchToRegex(pattern: string): string {
  let out = ''
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i++]
    if (c === '*') {
      out += '.*'
      while (pattern[i] === '*') i++
    } else if (c === '?') {
      out += '.'
    } else if (c === '[') {
      let j = i
      if (pattern[j] === '!') j++
      if (pattern[j] === ']') j++
      while (j < pattern.length && pattern[j] !== ']') j++
      if (j >= pattern.length) {
        out += '\\['
        continue
      }
      let stuff = bracketContents(pattern, i, j)
      i = j + 1
      if (stuff === '') out += '(?!)'
      else if (stuff === '!') out += '.'
      else {
        if (stuff[0] === '!') stuff = `^${stuff.slice(1)}`
        else if (stuff[0] === '^' || stuff[0] === '[') stuff = `\\${stuff}`
        out += `[${stuff.replace(/\]/g, '\\]')}]`
      }
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
    }
  }
  return out
}

/** The inside of `[...]` (pattern[start..end)) as fnmatch builds it: ranges kept, empty ones dropped. */
function bracketContents(pattern: string, start: number, end: number): string {
  if (!pattern.slice(start, end).includes('-'))
    return pattern.slice(start, end).replace(/\\/g, '\\\\')
  const chunks: string[] = []
  let i = start
  let k = pattern[i] === '!' ? i + 2 : i + 1
  for (;;) {
    k = pattern.indexOf('-', k)
    if (k < 0 || k >= end) break
    chunks.push(pattern.slice(i, k))
    i = k + 1
    k = k + 3
  }
  const last = pattern.slice(i, end)
  if (last) chunks.push(last)
  else chunks[chunks.length - 1] += '-'
  for (let n = chunks.length - 1; n > 0; n--) {
    if (chunks[n - 1].slice(-1) > chunks[n][0]) {
      chunks[n - 1] = chunks[n - 1].slice(0, -1) + chunks[n].slice(1)
      chunks.splice(n, 1)
    }
  }
  return chunks.map(chunk => chunk.replace(/\\/g, '\\\\').replace(/-/g, '\\-')).join('-')
}
