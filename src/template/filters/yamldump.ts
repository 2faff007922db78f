// yaml.dump layouts as Ansible's to_yaml / to_nice_yaml produce them with PyYAML: block
// mappings, sequences inside a mapping not indented ("a:\n- 1"), "- " padded to the indent in
// nested sequences, sorted keys, and YAML 1.1 quoting (so 'yes' stays a string).
import { Document, Pair, Scalar, YAMLMap, isMap, isScalar, isSeq, stringify, visit } from 'yaml'
import { PyFloat, hasTypedKeys, isPlainObject, pyFloatRepr, pythonKey } from '../values.js'

function scalar(value: unknown): string {
  if (value instanceof PyFloat) return pyFloatRepr(value.value)
  // y/n are booleans for the yaml package's YAML 1.1 schema but not for PyYAML's resolver.
  if (typeof value === 'string' && /^[yYnN]$/.test(value)) return value
  return stringify(value, { version: '1.1', singleQuote: true, lineWidth: 0 }).replace(/\n$/, '')
}

function isCollection(value: unknown): value is unknown[] | Record<string, unknown> {
  return Array.isArray(value) || isPlainObject(value)
}

/** The value with integral floats as scalar nodes that keep their ".0" (PyYAML writes 2.0). */
function floatNodes(value: unknown, doc: Document): unknown {
  if (value instanceof PyFloat) {
    const node = new Scalar(value.value)
    node.minFractionDigits = 1
    return node
  }
  if (Array.isArray(value)) return value.map(item => floatNodes(item, doc))
  // A JS Map would be written as !!omap: a mapping node keeps None, True, 1 keys plain.
  if (isPlainObject(value) && hasTypedKeys(value)) {
    const node = new YAMLMap()
    for (const [key, item] of Object.entries(value))
      node.items.push(
        new Pair(doc.createNode(pythonKey(value, key)), doc.createNode(floatNodes(item, doc)))
      )
    return node
  }
  if (isPlainObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, floatNodes(item, doc)])
    )
  return value
}

function isEmpty(value: unknown[] | Record<string, unknown>): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0
}

function entries(value: Record<string, unknown>, sortKeys: boolean): Array<[string, unknown]> {
  const list = Object.entries(value)
  return sortKeys ? list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : list
}

/** Lines of a block-style node, each starting with `pad`. */
function blockLines(value: unknown, indent: number, sortKeys: boolean, pad: string): string[] {
  if (!isCollection(value) || isEmpty(value)) return [scalar(value)]
  const lines: string[] = []
  if (Array.isArray(value)) {
    const itemPad = `${pad}${' '.repeat(indent)}`
    for (const item of value) {
      if (!isCollection(item) || isEmpty(item)) {
        lines.push(`${pad}- ${scalar(item)}`)
        continue
      }
      const inner = blockLines(item, indent, sortKeys, itemPad)
      lines.push(
        `${pad}-${' '.repeat(Math.max(1, indent - 1))}${inner[0].trimStart()}`,
        ...inner.slice(1)
      )
    }
    return lines
  }
  for (const [key, item] of entries(value, sortKeys)) {
    if (isCollection(item) && !isEmpty(item)) {
      lines.push(`${pad}${scalar(pythonKey(value, key))}:`)
      // PyYAML writes a sequence under a mapping key without extra indentation.
      const childPad = Array.isArray(item) ? pad : `${pad}${' '.repeat(indent)}`
      lines.push(...blockLines(item, indent, sortKeys, childPad))
    } else {
      lines.push(`${pad}${scalar(pythonKey(value, key))}: ${scalar(item)}`)
    }
  }
  return lines
}

/** to_nice_yaml: block style everywhere. */
export function dumpNiceYaml(value: unknown, indent: number, sortKeys: boolean): string {
  return `${blockLines(value, indent, sortKeys, '').join('\n')}\n`
}

/** to_yaml: default_flow_style=None, collections of scalars only are written inline. */
export function dumpYaml(value: unknown, indent: number, sortKeys: boolean): string {
  const doc = new Document(null, { version: '1.1', sortMapEntries: sortKeys })
  doc.contents = doc.createNode(floatNodes(value, doc))
  visit(doc, {
    Collection(_key, node) {
      const leafItems = isMap(node)
        ? node.items.every(item => isScalar(item.value))
        : isSeq(node) && node.items.every(item => isScalar(item))
      if (leafItems) node.flow = true
    }
  })
  return doc.toString({
    indent,
    indentSeq: false,
    lineWidth: 80,
    singleQuote: true,
    flowCollectionPadding: false
  })
}
