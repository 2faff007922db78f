// List and dict filters: Jinja built-ins that need Python semantics or an undefined check, and
// Ansible's (combine, dict2items, flatten, set theory, zip, subelements, ...).
import { defineFilter } from '../engine.js'
import { TemplateError } from '../errors.js'
import {
  isPlainObject,
  pyCompare,
  pyEquals,
  pyStr,
  pyTruthy,
  pyTypeName,
  type PlainObject
} from '../values.js'
import { asDict, asList, defined } from './common.js'

function uniqueList(items: unknown[]): unknown[] {
  const out: unknown[] = []
  for (const item of items) if (!out.some(seen => pyEquals(seen, item))) out.push(item)
  return out
}

const contains = (items: unknown[], value: unknown): boolean =>
  items.some(item => pyEquals(item, value))

function attributeOf(item: unknown, attribute: unknown): unknown {
  if (attribute === undefined || attribute === null) return item
  let current = item
  for (const part of pyStr(attribute).split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)]
    else if (current !== null && typeof current === 'object')
      current = (current as PlainObject)[part]
    else return undefined
  }
  return current
}

function flatten(items: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = []
  for (const item of items) {
    if (skipNulls && (item === null || item === 'None')) continue
    if (Array.isArray(item) && (levels === null || levels > 0)) {
      out.push(...flatten(item, levels === null ? null : levels - 1, skipNulls))
    } else out.push(item)
  }
  return out
}

type ListMerge = 'replace' | 'keep' | 'append' | 'prepend' | 'append_rp' | 'prepend_rp'

function mergeDicts(
  base: PlainObject,
  extra: PlainObject,
  recursive: boolean,
  listMerge: ListMerge
): PlainObject {
  const out: PlainObject = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key]
    if (recursive && isPlainObject(current) && isPlainObject(value)) {
      out[key] = mergeDicts(current, value, recursive, listMerge)
    } else if (Array.isArray(current) && Array.isArray(value) && listMerge !== 'replace') {
      if (listMerge === 'keep') out[key] = current
      else if (listMerge === 'append') out[key] = [...current, ...value]
      else if (listMerge === 'prepend') out[key] = [...value, ...current]
      else if (listMerge === 'append_rp')
        out[key] = [...current.filter(x => !contains(value, x)), ...value]
      else out[key] = [...value, ...current.filter(x => !contains(value, x))]
    } else out[key] = value
  }
  return out
}

function sortKey(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value
}

export function registerCollectionFilters(): void {
  defineFilter('length', value => {
    const input = defined(value)
    if (typeof input === 'string' || Array.isArray(input))
      return [...(input as string | unknown[])].length
    if (input !== null && typeof input === 'object') return Object.keys(input).length
    throw new TemplateError(`object of type '${pyTypeName(input)}' has no len()`)
  })
  defineFilter('count', value => {
    const input = defined(value)
    return typeof input === 'string' || Array.isArray(input)
      ? input.length
      : Object.keys(input as object).length
  })
  defineFilter('first', value => asList(value, 'first')[0])
  defineFilter('last', value => {
    const items = asList(value, 'last')
    return items[items.length - 1]
  })
  defineFilter('join', (value, args, kwargs) => {
    const items = asList(value, 'join')
    const attribute = kwargs.attribute ?? args[1]
    return items
      .map(item => pyStr(attributeOf(item, attribute)))
      .join(pyStr(args[0] ?? kwargs.d ?? ''))
  })
  defineFilter('unique', (value, _args, kwargs) => {
    const items = asList(value, 'unique')
    const attribute = kwargs.attribute
    if (attribute === undefined) return uniqueList(items)
    const seen: unknown[] = []
    return items.filter(item => {
      const key = attributeOf(item, attribute)
      if (contains(seen, key)) return false
      seen.push(key)
      return true
    })
  })
  defineFilter('min', (value, _args, kwargs) => {
    const items = asList(value, 'min')
    if (items.length === 0) return undefined
    return items.reduce((best, item) =>
      pyCompare(
        sortKey(attributeOf(item, kwargs.attribute)),
        sortKey(attributeOf(best, kwargs.attribute))
      ) < 0
        ? item
        : best
    )
  })
  defineFilter('max', (value, _args, kwargs) => {
    const items = asList(value, 'max')
    if (items.length === 0) return undefined
    return items.reduce((best, item) =>
      pyCompare(
        sortKey(attributeOf(item, kwargs.attribute)),
        sortKey(attributeOf(best, kwargs.attribute))
      ) > 0
        ? item
        : best
    )
  })
  defineFilter('sum', (value, args, kwargs) => {
    const items = asList(value, 'sum')
    const attribute = kwargs.attribute ?? args[0]
    let total = kwargs.start ?? args[1] ?? 0
    for (const item of items) {
      const addend = attributeOf(item, attribute)
      if (Array.isArray(total) && Array.isArray(addend)) total = [...total, ...addend]
      else if (typeof total === 'number' && typeof addend === 'number') total = total + addend
      else
        throw new TemplateError(
          `unsupported operand type(s) for +: '${pyTypeName(total)}' and '${pyTypeName(addend)}'`
        )
    }
    return total
  })
  defineFilter('union', (value, args) =>
    uniqueList([...asList(value, 'union'), ...asList(args[0], 'union')])
  )
  defineFilter('intersect', (value, args) => {
    const other = asList(args[0], 'intersect')
    return uniqueList(asList(value, 'intersect').filter(item => contains(other, item)))
  })
  defineFilter('difference', (value, args) => {
    const other = asList(args[0], 'difference')
    return uniqueList(asList(value, 'difference').filter(item => !contains(other, item)))
  })
  defineFilter('symmetric_difference', (value, args) => {
    const a = asList(value, 'symmetric_difference')
    const b = asList(args[0], 'symmetric_difference')
    const both = a.filter(item => contains(b, item))
    return uniqueList([...a, ...b]).filter(item => !contains(both, item))
  })
  defineFilter('flatten', (value, args, kwargs) => {
    const levels = kwargs.levels ?? args[0]
    const skipNulls = kwargs.skip_nulls ?? args[1] ?? true
    return flatten(
      asList(value, 'flatten'),
      levels === undefined || levels === null ? null : Number(levels),
      pyTruthy(skipNulls)
    )
  })
  defineFilter('combine', (value, args, kwargs) => {
    const terms = [defined(value), ...args].flatMap(term => (Array.isArray(term) ? term : [term]))
    const listMerge = pyStr(kwargs.list_merge ?? 'replace') as ListMerge
    if (!['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'].includes(listMerge)) {
      throw new TemplateError(`combine: 'list_merge' is not a valid value: ${listMerge}`)
    }
    const recursive = pyTruthy(kwargs.recursive ?? false)
    return terms.reduce<PlainObject>(
      (acc, term) => mergeDicts(acc, asDict(term, 'combine'), recursive, listMerge),
      {}
    )
  })
  defineFilter('dict2items', (value, _args, kwargs) => {
    const input = asDict(value, 'dict2items')
    const keyName = pyStr(kwargs.key_name ?? 'key')
    const valueName = pyStr(kwargs.value_name ?? 'value')
    return Object.entries(input).map(([key, item]) => ({ [keyName]: key, [valueName]: item }))
  })
  defineFilter('items2dict', (value, _args, kwargs) => {
    const keyName = pyStr(kwargs.key_name ?? 'key')
    const valueName = pyStr(kwargs.value_name ?? 'value')
    const out: PlainObject = {}
    for (const item of asList(value, 'items2dict')) {
      if (!isPlainObject(item))
        throw new TemplateError(
          `items2dict requires a list of dictionaries, got ${pyTypeName(item)}`
        )
      out[pyStr(item[keyName])] = item[valueName]
    }
    return out
  })
  defineFilter('zip', (value, args) => {
    const lists = [asList(value, 'zip'), ...args.map(arg => asList(arg, 'zip'))]
    const length = Math.min(...lists.map(list => list.length))
    return Array.from({ length }, (_, i) => lists.map(list => list[i]))
  })
  defineFilter('zip_longest', (value, args, kwargs) => {
    const lists = [asList(value, 'zip_longest'), ...args.map(arg => asList(arg, 'zip_longest'))]
    const length = Math.max(...lists.map(list => list.length))
    return Array.from({ length }, (_, i) =>
      lists.map(list => (i < list.length ? list[i] : (kwargs.fillvalue ?? null)))
    )
  })
  defineFilter('product', (value, args) => {
    const lists = [asList(value, 'product'), ...args.map(arg => asList(arg, 'product'))]
    return lists.reduce<unknown[][]>(
      (acc, list) => acc.flatMap(prefix => list.map(item => [...prefix, item])),
      [[]]
    )
  })
  defineFilter('subelements', (value, args, kwargs) => {
    const items = Array.isArray(value)
      ? value
      : isPlainObject(value)
        ? Object.values(value)
        : asList(value, 'subelements')
    const path = pyStr(defined(args[0])).split('.')
    const skipMissing = pyTruthy(kwargs.skip_missing ?? args[1] ?? false)
    const out: unknown[] = []
    for (const item of items) {
      let current: unknown = item
      for (const part of path) {
        if (isPlainObject(current) && part in current) current = current[part]
        else if (skipMissing) {
          current = undefined
          break
        } else
          throw new TemplateError(`could not find '${part}' key in iterated item '${pyStr(item)}'`)
      }
      if (current === undefined) continue
      if (!Array.isArray(current))
        throw new TemplateError(
          `the key ${path.join('.')} should point to a list, got '${pyStr(current)}'`
        )
      for (const sub of current) out.push([item, sub])
    }
    return out
  })
  defineFilter('list', value => asList(value, 'list'))
  defineFilter('type_debug', value => pyTypeName(value))
  defineFilter('extract', (value, args) => {
    const container = defined(args[0]) as PlainObject | unknown[]
    let result =
      (container as PlainObject)[pyStr(value)] ??
      (Array.isArray(container) ? container[Number(value)] : undefined)
    const morekeys = args[1]
    for (const key of Array.isArray(morekeys)
      ? morekeys
      : morekeys === undefined
        ? []
        : [morekeys]) {
      result = attributeOf(result, key)
    }
    return result
  })
  defineFilter('ternary', (value, args) => {
    const [whenTrue, whenFalse, whenNone] = args
    if (defined(value) === null && whenNone !== undefined && whenNone !== null) return whenNone
    return pyTruthy(value) ? whenTrue : whenFalse
  })
}
