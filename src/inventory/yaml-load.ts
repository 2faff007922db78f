// YAML as Ansible's loader (PyYAML, YAML 1.1) types inventory and vars files: `yes/on` are
// booleans, `0755` is octal, `1e3` (no dot) stays a string, dates become ISO strings (what
// ansible-inventory prints for them), `!unsafe` is UnsafeText. `!vault` is refused with a clear error:
// there is no vault password to decrypt it with.
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Scalar,
  type ScalarTag,
  type Tags,
  type YAMLMap
} from 'yaml'
import { UnsafeText } from '../template/unsafe.js'
import { InventoryError } from './errors.js'
import { SourceParseError } from './data.js'

const PY_SCALAR_TAGS = new Set(
  ['bool', 'int', 'float', 'null', 'timestamp'].map(name => `tag:yaml.org,2002:${name}`)
)

function pyInt(text: string): number {
  let value = text.replace(/_/g, '')
  let sign = 1
  if (value[0] === '-' || value[0] === '+') {
    if (value[0] === '-') sign = -1
    value = value.slice(1)
  }
  if (value === '0') return 0
  if (value.startsWith('0b')) return sign * parseInt(value.slice(2), 2)
  if (value.startsWith('0x')) return sign * parseInt(value.slice(2), 16)
  if (value.startsWith('0')) return sign * parseInt(value, 8)
  if (value.includes(':')) return sign * sexagesimal(value)
  return sign * Number(value)
}

function sexagesimal(value: string): number {
  return value
    .split(':')
    .map(Number)
    .reduce((total, digit) => total * 60 + digit, 0)
}

function pyFloat(text: string): number {
  let value = text.replace(/_/g, '').toLowerCase()
  let sign = 1
  if (value[0] === '-' || value[0] === '+') {
    if (value[0] === '-') sign = -1
    value = value.slice(1)
  }
  if (value === '.inf') return sign * Infinity
  if (value === '.nan') return NaN
  if (value.includes(':')) return sign * sexagesimal(value)
  return sign * Number(value)
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

function pyYamlTags(tags: Tags): Tags {
  return [
    ...tags.filter(tag => typeof tag !== 'string' && !PY_SCALAR_TAGS.has(tag.tag)),
    ...pyScalarTags
  ]
}

/** Keys of a loaded mapping that were not strings in the YAML (e.g. `123:`), by mapping. */
const nonStringKeys = new WeakMap<object, Set<string>>()

export function nonStringKeysOf(mapping: object): ReadonlySet<string> {
  return nonStringKeys.get(mapping) ?? new Set()
}

/** Python's `str()` of a scalar key, which is what Ansible prints and stores. */
function keyText(key: unknown): string {
  if (key === null || key === undefined) return 'None'
  if (key === true) return 'True'
  if (key === false) return 'False'
  if (key instanceof UnsafeText) return key.text
  return String(key)
}

class Converter {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
    private readonly warn: (message: string) => void
  ) {}

  private lineOf(node: { range?: [number, number, number] | null }): { line: number; col: number } {
    return node.range ? this.lines.linePos(node.range[0]) : { line: 0, col: 0 }
  }

  convert(node: unknown): unknown {
    if (node === null || node === undefined) return null
    if (isAlias(node)) return this.convert(node.resolve(this.doc))
    if (isScalar(node)) return this.scalar(node)
    if (isSeq(node)) return node.items.map(item => this.convert(item))
    if (isMap(node)) return this.mapping(node)
    return null
  }

  private scalar(node: Scalar): unknown {
    if (node.tag === '!vault') {
      throw new InventoryError(
        'vault-encrypted values (!vault) are not supported: kubectl-ansible has no vault password; pass secrets with extra vars or the action inputs',
        this.file,
        this.lineOf(node).line
      )
    }
    if (node.tag === '!unsafe') return new UnsafeText(String(node.value ?? ''))
    return node.value === undefined ? null : node.value
  }

  /** PyYAML's flatten_mapping (merged pairs first), then Ansible's duplicate-key warning. */
  private mapping(node: YAMLMap): Record<string, unknown> {
    const pairs: [unknown, unknown][] = []
    const own: [unknown, unknown][] = []
    for (const pair of node.items) {
      const isMerge = isScalar(pair.key) && pair.key.source === '<<' && !pair.key.tag
      if (!isMerge) {
        own.push([isScalar(pair.key) ? this.scalar(pair.key) : this.convert(pair.key), pair.value])
        continue
      }
      const target = isAlias(pair.value) ? pair.value.resolve(this.doc) : pair.value
      const sources = isSeq(target)
        ? target.items.map(item => (isAlias(item) ? item.resolve(this.doc) : item)).reverse()
        : [target]
      for (const source of sources) {
        if (isMap(source)) {
          for (const merged of source.items) pairs.push([this.convert(merged.key), merged.value])
        }
      }
    }
    pairs.push(...own)
    const result: Record<string, unknown> = {}
    const typedKeys = new Set<string>()
    const { line, col } = this.lineOf(node)
    for (const [key, valueNode] of pairs) {
      const text = keyText(key)
      if (Object.prototype.hasOwnProperty.call(result, text)) {
        this.warn(
          `While constructing a mapping from ${this.file}, line ${line}, column ${col}, found a duplicate dict key (${text}). Using last defined value only.`
        )
      }
      if (typeof key !== 'string' && !(key instanceof UnsafeText)) typedKeys.add(text)
      else typedKeys.delete(text)
      result[text] = this.convert(valueNode)
    }
    if (typedKeys.size > 0) nonStringKeys.set(result, typedKeys)
    return result
  }
}

/**
 * Parse one YAML (or JSON) document like Ansible's DataLoader. Syntax errors are
 * SourceParseErrors (Ansible reports them as a failed parse); `!vault` is an InventoryError.
 */
export function loadYaml(text: string, file: string, warn: (message: string) => void): unknown {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: pyYamlTags,
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter
  })
  const error = doc.errors[0]
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0])
    throw new SourceParseError(
      `Syntax Error while loading YAML (${file}, line ${line}, column ${col}): ${error.message.split('\n')[0]}`
    )
  }
  return new Converter(file, lineCounter, doc, warn).convert(doc.contents)
}
