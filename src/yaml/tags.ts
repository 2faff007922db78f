// PyYAML's YAML 1.1 implicit resolvers (what Ansible's loader sees): `yes/on` are booleans but
// `y/n` are strings, `0755` is octal, `1e3` (no dot) stays a string, timestamps become the ISO
// text Python's `isoformat()` prints. `!unsafe` and `!vault` are recognised so the loader can
// turn them into UnsafeText or a clear refusal.
import type { ScalarTag, Tags } from 'yaml'

const PY_SCALAR_TAGS = new Set(
  ['bool', 'int', 'float', 'null', 'timestamp'].map(name => `tag:yaml.org,2002:${name}`)
)

function splitSign(text: string): { sign: number; digits: string } {
  if (text[0] === '-') return { sign: -1, digits: text.slice(1) }
  if (text[0] === '+') return { sign: 1, digits: text.slice(1) }
  return { sign: 1, digits: text }
}

function sexagesimal(value: string): number {
  return value
    .split(':')
    .map(Number)
    .reduce((total, digit) => total * 60 + digit, 0)
}

function pyInt(text: string): number {
  const { sign, digits } = splitSign(text.replace(/_/g, ''))
  if (digits === '0') return 0
  if (digits.startsWith('0b')) return sign * parseInt(digits.slice(2), 2)
  if (digits.startsWith('0x')) return sign * parseInt(digits.slice(2), 16)
  if (digits.startsWith('0')) return sign * parseInt(digits, 8)
  if (digits.includes(':')) return sign * sexagesimal(digits)
  return sign * Number(digits)
}

function pyFloat(text: string): number {
  const { sign, digits } = splitSign(text.replace(/_/g, '').toLowerCase())
  if (digits === '.inf') return sign * Infinity
  if (digits === '.nan') return NaN
  if (digits.includes(':')) return sign * sexagesimal(digits)
  return sign * Number(digits)
}

/** Python's `datetime.isoformat()` of a YAML timestamp (what Ansible's JSON encoder prints). */
function pyTimestamp(text: string): string {
  const m =
    /^(\d{4})-(\d\d?)-(\d\d?)(?:(?:[Tt]|[ \t]+)(\d\d?):(\d\d):(\d\d)(?:\.(\d*))?(?:[ \t]*(Z|[-+]\d\d?(?::\d\d)?))?)?$/.exec(
      text
    )!
  const pad = (value: string) => value.padStart(2, '0')
  const date = `${m[1]}-${pad(m[2])}-${pad(m[3])}`
  if (m[4] === undefined) return date
  const fraction = m[7] ? `.${m[7].slice(0, 6).padEnd(6, '0')}` : ''
  let zone = ''
  if (m[8] === 'Z') zone = '+00:00'
  else if (m[8]) {
    const [hours, minutes = '00'] = m[8].slice(1).split(':')
    zone = `${m[8][0]}${pad(hours)}:${minutes}`
  }
  return `${date}T${pad(m[4])}:${m[5]}:${m[6]}${fraction}${zone}`
}

const pyScalarTags: ScalarTag[] = [
  {
    tag: 'tag:yaml.org,2002:null',
    default: true,
    test: /^(?:~|null|Null|NULL)?$/,
    resolve: () => null
  },
  {
    tag: 'tag:yaml.org,2002:bool',
    default: true,
    test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
    resolve: text => /^(?:yes|true|on)$/i.test(text)
  },
  {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    resolve: pyInt
  },
  {
    tag: 'tag:yaml.org,2002:float',
    default: true,
    test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    resolve: pyFloat
  },
  {
    tag: 'tag:yaml.org,2002:timestamp',
    default: true,
    test: /^(?:\d{4}-\d\d-\d\d|\d{4}-\d\d?-\d\d?(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)$/,
    resolve: pyTimestamp
  },
  { tag: '!unsafe', resolve: text => text },
  { tag: '!vault', resolve: text => text }
]

/** The `yaml` package's YAML 1.1 tags with the scalar resolvers replaced by PyYAML's. */
export function pyYamlTags(tags: Tags): Tags {
  return [
    ...tags.filter(tag => typeof tag !== 'string' && !PY_SCALAR_TAGS.has(tag.tag)),
    ...pyScalarTags
  ]
}
