// Host identifiers as Ansible reads them (ansible/parsing/utils/addresses.py and the range
// expansion of plugins/inventory/__init__.py): `host:port`, `[v6]:port`, IPv4/IPv6, hostnames
// with `[01:10]` / `[a:f]` / `[0:10:2]` ranges.

/** Names Ansible treats as the local machine (C.LOCALHOST). */
export const LOCALHOST_NAMES: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '::1'])

export class AddressError extends Error {}

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`
const hexadecimalRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`
const alphanumericRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`
const ipv6Component = String.raw`(?:[0-9a-f]{1,4}|${hexadecimalRange})`
const ipv4Component = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`
// Python's \w under re.UNICODE: letters, digits, underscore (and combining marks).
const word = String.raw`[\p{L}\p{N}\p{M}_]`
const label = String.raw`(?:${word}|${alphanumericRange})(?:[\p{L}\p{N}\p{M}_-]|${alphanumericRange})*(?<![_-])`

const c6 = ipv6Component
const ipv6Alternatives = [
  `(?:${c6}:){7}${c6}`,
  `(?:${c6}:){1,6}:`,
  `(?:${c6}:)(?::${c6}){1,6}`,
  `(?:${c6}:){2}(?::${c6}){1,5}`,
  `(?:${c6}:){3}(?::${c6}){1,4}`,
  `(?:${c6}:){4}(?::${c6}){1,3}`,
  `(?:${c6}:){5}(?::${c6}){1,2}`,
  `(?:${c6}:){6}(?::${c6})`,
  `:(?::${c6}){1,6}`,
  `${c6}?::`,
  String.raw`(?:0:){6}(?:${c6}\.){3}${c6}`,
  String.raw`::(?:ffff:)?(?:${c6}\.){3}${c6}`,
  String.raw`(?:0:){5}ffff:(?:${c6}\.){3}${c6}`
]

export const addressPatterns = {
  bracketedHostport: /^\[(.+)\]:([0-9]+)$/,
  hostport: /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/,
  ipv4: new RegExp(String.raw`^(?:${ipv4Component}\.){3}${ipv4Component}$`, 'i'),
  // Python's pattern is `^a|b|...|z$` used with re.match: every alternative is anchored at
  // the start, only the last one at the end (so `fe80::` also "matches" `fe80::1x`).
  ipv6: new RegExp(
    `^(?:${ipv6Alternatives.slice(0, -1).join('|')}|${ipv6Alternatives.at(-1)}$)`,
    'i'
  ),
  hostname: new RegExp(String.raw`^${label}(?:\.${label})*$`, 'iu')
}

/** `parse_address(address, allow_ranges)`: host and optional port, or AddressError. */
export function parseAddress(
  address: string,
  allowRanges: boolean
): { host: string; port: number | undefined } {
  let port: number | undefined
  let rest = address
  for (const pattern of [addressPatterns.bracketedHostport, addressPatterns.hostport]) {
    const m = pattern.exec(rest)
    if (m) {
      rest = m[1]
      port = Number(m[2])
    }
  }
  const isHost = [addressPatterns.ipv4, addressPatterns.ipv6, addressPatterns.hostname].some(
    pattern => pattern.test(rest)
  )
  if (!isHost) throw new AddressError(`Not a valid network hostname: ${rest}`)
  if (!allowRanges && rest.includes('[')) {
    throw new AddressError('Detected range in host but was asked to ignore ranges')
  }
  return { host: rest, port }
}

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** Python's `int(text)` for range bounds, with its error message. */
function pythonInt(text: string): number {
  const trimmed = text.trim()
  if (!/^[+-]?\d(?:_?\d)*$/.test(trimmed)) {
    throw new AddressError(`invalid literal for int() with base 10: '${text}'`)
  }
  return Number(trimmed.replace(/_/g, ''))
}

/** `expand_hostname_range`: every host named by the first `[...]` range, recursively. */
export function expandHostnameRange(line: string): string[] {
  const parts = line.replace('[', '|').replace(']', '|').split('|')
  if (parts.length > 3) throw new AddressError('too many values to unpack (expected 3)')
  if (parts.length < 3) {
    throw new AddressError(`not enough values to unpack (expected 3, got ${parts.length})`)
  }
  const [head, range, tail] = parts
  const bounds = range.split(':')
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new AddressError('host range must be begin:end or begin:end:step')
  }
  const begin = bounds[0] === '' ? '0' : bounds[0]
  const end = bounds[1]
  const step = bounds.length === 2 ? '1' : bounds[2]
  if (!end) throw new AddressError('host range must specify end value')
  let fill: (value: string | number) => string = value => String(value)
  if (begin[0] === '0' && begin.length > 1) {
    const width = begin.length
    if (width !== end.length) {
      throw new AddressError('host range must specify equal-length begin and end formats')
    }
    fill = value => String(value).padStart(width, '0')
  }
  let sequence: (string | number)[]
  const iBegin = ASCII_LETTERS.indexOf(begin)
  const iEnd = ASCII_LETTERS.indexOf(end)
  if (iBegin !== -1 && iEnd !== -1) {
    if (iBegin > iEnd) throw new AddressError('host range must have begin <= end')
    const stride = pythonInt(step)
    sequence = []
    for (let i = iBegin; i <= iEnd; i += stride) sequence.push(ASCII_LETTERS[i])
  } else {
    const from = pythonInt(begin)
    const to = pythonInt(end)
    const stride = pythonInt(step)
    if (stride === 0) throw new AddressError('range() arg 3 must not be zero')
    sequence = []
    for (let i = from; stride > 0 ? i <= to : i >= to + 2; i += stride) sequence.push(i)
  }
  const hosts: string[] = []
  for (const item of sequence) {
    const name = head + fill(item) + tail
    if (name.includes('[')) for (const host of expandHostnameRange(name)) hosts.push(host)
    else hosts.push(name)
  }
  return hosts
}

/** `_expand_hostpattern`: host names and the port that applies to all of them. */
export function expandHostPattern(hostPattern: string): {
  hostnames: string[]
  port: number | undefined
} {
  let pattern = hostPattern
  let port: number | undefined
  try {
    const parsed = parseAddress(hostPattern, true)
    pattern = parsed.host
    port = parsed.port
  } catch (error) {
    if (!(error instanceof AddressError)) throw error
  }
  const hostnames = pattern.includes('[') ? expandHostnameRange(pattern) : [pattern]
  return { hostnames, port }
}
