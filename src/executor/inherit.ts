// Keyword inheritance down the block tree: list keywords (when, tags, environment) collect
// from the outermost block inwards; scalar keywords take the nearest value.
import type { PlayItem } from '../playbook/objects.js'

function chain(item: PlayItem): PlayItem[] {
  const nodes: PlayItem[] = []
  for (let node: PlayItem | undefined = item; node; node = node.parent) nodes.unshift(node)
  return nodes
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : [value]
}

/** Values of a list keyword from the outermost block to the item itself. */
export function inheritedList(item: PlayItem, keyword: string): unknown[] {
  return chain(item).flatMap(node => asList(node.keywords[keyword]))
}

/** The nearest value of a scalar keyword (templated by `resolve`), or undefined. */
export function inheritedValue(
  item: PlayItem,
  keyword: string,
  resolve: (value: unknown) => unknown
): unknown {
  for (let node: PlayItem | undefined = item; node; node = node.parent) {
    if (node.keywords[keyword] !== undefined) return resolve(node.keywords[keyword])
  }
  return undefined
}

/** Tags of an item: its own plus every enclosing block's (imports and roles are blocks). */
export function inheritedTags(item: PlayItem, resolve: (value: unknown) => unknown): string[] {
  const tags = new Set<string>()
  for (const value of inheritedList(item, 'tags')) {
    const resolved = resolve(value)
    for (const tag of asList(resolved)) {
      for (const part of String(tag).split(',')) if (part.trim() !== '') tags.add(part.trim())
    }
  }
  return [...tags]
}
