// YAML 1.1 as PyYAML reads it (what Ansible sees), keeping the source position of every mapping
// and sequence so that errors and annotations can name file:line:column.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Scalar,
  type Document,
  type Node as YamlNode,
  type ScalarTag,
  type Tags
} from 'yaml'
import type { SourcePosition } from '../executor/events.js'
import { UnsafeText } from '../template/unsafe.js'
import { PlaybookError } from './errors.js'

const positions = new WeakMap<object, SourcePosition>()

/** Where a mapping or sequence read by this loader was written, if it came from a file. */
export function positionOf(value: unknown): SourcePosition | undefined {
  return typeof value === 'object' && value !== null ? positions.get(value) : undefined
}

export function setPosition(value: object, position: SourcePosition | undefined): void {
  if (position) positions.set(value, position)
}

// PyYAML's bool resolver: y/n are strings, unlike the `yaml` package's YAML 1.1 schema.
const boolTag = 'tag:yaml.org,2002:bool'
const pyTrue: ScalarTag = {
  identify: value => value === true,
  default: true,
  tag: boolTag,
  test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/,
  resolve: () => new Scalar(true)
}
const pyFalse: ScalarTag = {
  identify: value => value === false,
  default: true,
  tag: boolTag,
  test: /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/,
  resolve: () => new Scalar(false)
}
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: text => text }
const vaultTag: ScalarTag = { tag: '!vault', resolve: text => text }

function pyYamlTags(tags: Tags): Tags {
  return [
    ...tags.filter(tag => typeof tag === 'string' || tag.tag !== boolTag),
    pyTrue,
    pyFalse,
    unsafeTag,
    vaultTag
  ]
}

class Converter {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document
  ) {}

  position(node: YamlNode): SourcePosition | undefined {
    if (!node.range) return undefined
    const { line, col } = this.lines.linePos(node.range[0])
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
    if (isMap(node)) {
      const map: Record<string, unknown> = {}
      const merged: Record<string, unknown>[] = []
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : this.convert(pair.key)
        if (typeof key === 'symbol' || (isScalar(pair.key) && pair.key.source === '<<')) {
          const source = this.convert(pair.value)
          merged.push(...((Array.isArray(source) ? source : [source]) as Record<string, unknown>[]))
          continue
        }
        map[keyText(key)] = this.convert(pair.value)
      }
      // Merge keys never override the mapping's own keys; earlier merge sources win.
      for (const source of merged) {
        for (const [key, value] of Object.entries(source ?? {})) if (!(key in map)) map[key] = value
      }
      setPosition(map, this.position(node))
      return map
    }
    return null
  }

  private scalar(node: Scalar): unknown {
    if (node.tag === '!vault') {
      throw new PlaybookError(
        'Vault-encrypted values (!vault) are not supported: kubectl-ansible has no vault password; pass secrets with -e or the action inputs',
        this.position(node)
      )
    }
    if (node.tag === '!unsafe') return new UnsafeText(String(node.value ?? ''))
    return node.value === undefined ? null : node.value
  }
}

function keyText(key: unknown): string {
  if (key === null || key === undefined) return 'None'
  if (key === true) return 'True'
  if (key === false) return 'False'
  return String(key)
}

/** Parse YAML 1.1 text like PyYAML; `file` is used for positions and errors. */
export function parseYaml(text: string, file: string): unknown {
  const lines = new LineCounter()
  const doc = parseDocument(text, {
    version: '1.1',
    lineCounter: lines,
    customTags: pyYamlTags,
    uniqueKeys: false,
    prettyErrors: false
  })
  if (doc.errors.length > 0) {
    const error = doc.errors[0]
    const { line, col } = lines.linePos(error.pos[0])
    throw new PlaybookError(
      `We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: Expecting value: line 1 column 1 (char 0)\n\nSyntax Error while loading YAML.\n  ${error.message.split('\n')[0]}`,
      { file, line, column: col }
    )
  }
  return new Converter(file, lines, doc).convert(doc.contents)
}
