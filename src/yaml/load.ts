// One YAML loader for every file kubectl-ansible reads (playbooks, task files, vars files,
// inventories), behaving like Ansible's AnsibleLoader on PyYAML: PyYAML's scalar types,
// merge keys flattened as PyYAML does, Ansible's duplicate-key warning, `!unsafe` as
// UnsafeText, `!vault` refused. Every mapping and sequence remembers where it was written so
// errors and annotations can name file:line:column. Errors are neutral (YamlLoadError); each
// layer words them as Ansible does for that kind of file.
import {
  LineCounter,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type Scalar,
  type YAMLMap
} from 'yaml'
import { UnsafeText } from '../template/unsafe.js'
import { pyYamlTags } from './tags.js'

export interface YamlPosition {
  file: string
  line: number
  column: number
}

/** A text that is not YAML (`syntax`) or holds a value this tool cannot read (`vault`). */
export class YamlLoadError extends Error {
  constructor(
    readonly kind: 'syntax' | 'vault',
    /** The parser's first line of explanation (syntax) or the reason (vault). */
    readonly reason: string,
    readonly position: YamlPosition
  ) {
    super(reason)
    this.name = 'YamlLoadError'
  }
}

const positions = new WeakMap<object, YamlPosition>()

/** Where a mapping or sequence read by this loader was written, if it came from a file. */
export function positionOf(value: unknown): YamlPosition | undefined {
  return typeof value === 'object' && value !== null ? positions.get(value) : undefined
}

export function setPosition(value: object, position: YamlPosition | undefined): void {
  if (position) positions.set(value, position)
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

  private position(node: YamlNode): YamlPosition {
    const { line, col } = node.range ? this.lines.linePos(node.range[0]) : { line: 0, col: 0 }
    return { file: this.file, line, column: col }
  }

  convert(node: unknown): unknown {
    if (node === null || node === undefined) return null
    if (isAlias(node)) return this.convert(node.resolve(this.doc))
    if (isScalar(node)) return this.scalar(node)
    if (isSeq(node)) {
      const list = node.items.map(item => this.convert(item))
      setPosition(list, this.position(node))
      return list
    }
    if (isMap(node)) return this.mapping(node)
    return null
  }

  private scalar(node: Scalar): unknown {
    if (node.tag === '!vault') {
      throw new YamlLoadError(
        'vault',
        'vault-encrypted values (!vault) are not supported: kubectl-ansible has no vault password',
        this.position(node)
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
      // Earlier merge sources win: PyYAML flattens them last-first.
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
    const position = this.position(node)
    for (const [key, valueNode] of pairs) {
      const text = keyText(key)
      if (Object.prototype.hasOwnProperty.call(result, text)) {
        this.warn(
          `While constructing a mapping from ${this.file}, line ${position.line}, column ${position.column}, found a duplicate dict key (${text}). Using last defined value only.`
        )
      }
      if (typeof key !== 'string' && !(key instanceof UnsafeText)) typedKeys.add(text)
      else typedKeys.delete(text)
      result[text] = this.convert(valueNode)
    }
    if (typedKeys.size > 0) nonStringKeys.set(result, typedKeys)
    setPosition(result, position)
    return result
  }
}

/**
 * Parse one YAML (or JSON) document like Ansible's DataLoader; `file` names the source in
 * positions, warnings and errors. Throws YamlLoadError for text that cannot be loaded.
 */
export function loadYaml(text: string, file: string, warn: (message: string) => void): unknown {
  const lines = new LineCounter()
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: pyYamlTags,
    uniqueKeys: false,
    prettyErrors: false,
    lineCounter: lines
  })
  const error = doc.errors[0]
  if (error) {
    const { line, col } = lines.linePos(error.pos[0])
    throw new YamlLoadError('syntax', error.message.split('\n')[0], {
      file,
      line,
      column: col
    })
  }
  return new Converter(file, lines, doc, warn).convert(doc.contents)
}
