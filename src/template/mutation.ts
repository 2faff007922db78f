// Python's in-place methods (`l.append(x)`, `d.update(e)`, ...) on template variables.
// minijinja values are immutable, so the preprocessor (see preprocess.ts) routes every read of
// a variable that a template changes in place to a MutableStore kept on the JS side for one
// render: `l` becomes `__mut_get("l").__value` and `l.append(x)` becomes
// `__mut_call("l", [], "append", x)`. Reads and calls happen in render order, so the template
// sees each change from then on, inside loops too, as it would with Python objects.
import { TemplateError, UndefinedVariableError } from './errors.js'
import { SETDEFAULT_STEP } from './mutation-scan.js'
import { isPlainObject, pyCompare, pyEquals, pyRepr, pyStr, pyTypeName } from './values.js'

type Container = unknown[] | Record<string, unknown>

function typeNameOf(value: unknown): string {
  return Array.isArray(value) ? 'list' : pyTypeName(value)
}

/** A copy of lists and dicts, so that changes never reach the caller's variables. */
function copyData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyData)
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = copyData(item)
    return out
  }
  return value
}

function iterableItems(value: unknown, method: string): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  if (isPlainObject(value)) return Object.keys(value)
  throw new TemplateError(`list.${method}(): '${typeNameOf(value)}' object is not iterable`)
}

function listIndex(list: unknown[], index: unknown, method: string): number {
  if (typeof index !== 'number' || !Number.isInteger(index))
    throw new TemplateError(
      `list.${method}(): '${typeNameOf(index)}' object cannot be interpreted as an integer`
    )
  return index < 0 ? list.length + index : index
}

function noKeywords(kwargs: Record<string, unknown>, call: string): void {
  const names = Object.keys(kwargs)
  if (names.length > 0)
    throw new TemplateError(`${call} takes no keyword arguments (got ${names.join(', ')})`)
}

function listMethod(
  list: unknown[],
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown>
): unknown {
  if (method !== 'sort') noKeywords(kwargs, `list.${method}()`)
  switch (method) {
    case 'append':
      list.push(args[0])
      return null
    case 'extend':
      list.push(...iterableItems(args[0], method))
      return null
    case 'insert': {
      const at = listIndex(list, args[0], method)
      list.splice(Math.min(Math.max(at, 0), list.length), 0, args[1])
      return null
    }
    case 'pop': {
      if (list.length === 0) throw new TemplateError('list.pop(): pop from empty list')
      const at = args.length > 0 ? listIndex(list, args[0], method) : list.length - 1
      if (at < 0 || at >= list.length) throw new TemplateError('list.pop(): pop index out of range')
      return list.splice(at, 1)[0]
    }
    case 'remove': {
      const at = list.findIndex(item => pyEquals(item, args[0]))
      if (at < 0) throw new TemplateError('list.remove(x): x not in list')
      list.splice(at, 1)
      return null
    }
    case 'clear':
      list.length = 0
      return null
    case 'reverse':
      list.reverse()
      return null
    case 'sort': {
      const { reverse, ...rest } = kwargs
      if (args.length > 0 || Object.keys(rest).length > 0)
        throw new TemplateError(
          'list.sort(): only reverse= is supported in templates (use the sort filter for key=)'
        )
      list.sort(pyCompare)
      if (reverse === true) list.reverse()
      return null
    }
  }
  throw new TemplateError(`'list' object has no attribute '${method}'`)
}

function dictUpdate(dict: Record<string, unknown>, source: unknown): void {
  if (isPlainObject(source)) {
    Object.assign(dict, source)
    return
  }
  if (Array.isArray(source)) {
    for (const pair of source) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new TemplateError(
          `dict.update(): sequence element ${pyRepr(pair)} is not a key/value pair`
        )
      dict[pyStr(pair[0])] = pair[1]
    }
    return
  }
  throw new TemplateError(`dict.update(): '${typeNameOf(source)}' object is not a mapping`)
}

function dictMethod(
  dict: Record<string, unknown>,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown>
): unknown {
  if (method !== 'update') noKeywords(kwargs, `dict.${method}()`)
  const key = pyStr(args[0])
  const has = Object.prototype.hasOwnProperty.call(dict, key)
  switch (method) {
    case 'update':
      if (args.length > 0) dictUpdate(dict, args[0])
      Object.assign(dict, kwargs)
      return null
    case 'pop': {
      if (!has) {
        if (args.length > 1) return args[1]
        throw new TemplateError(`dict.pop(): KeyError: ${pyRepr(args[0])}`)
      }
      const value = dict[key]
      delete dict[key]
      return value
    }
    case 'setdefault':
      if (!has) dict[key] = args.length > 1 ? args[1] : null
      return dict[key]
    case 'clear':
      for (const name of Object.keys(dict)) delete dict[name]
      return null
  }
  throw new TemplateError(`'dict' object has no attribute '${method}'`)
}

/** Runs a Python mutator method on `receiver` in place and returns what Python returns. */
export function applyMutator(
  receiver: unknown,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown>
): unknown {
  if (Array.isArray(receiver)) return listMethod(receiver, method, args, kwargs)
  if (isPlainObject(receiver)) return dictMethod(receiver, method, args, kwargs)
  throw new TemplateError(`'${typeNameOf(receiver)}' object has no attribute '${method}'`)
}

/** The variables one render changes in place (see the file comment). */
export class MutableStore {
  private readonly values = new Map<string, unknown>()
  private readonly removed = new Set<string>()

  /** `initial` gives a variable's value before the template changed it (undefined if none). */
  constructor(private readonly initial: (name: string) => unknown) {}

  private current(name: string): unknown {
    if (this.values.has(name)) return this.values.get(name)
    if (this.removed.has(name)) return undefined
    const value = copyData(this.initial(name))
    if (value !== undefined) this.values.set(name, value)
    return value
  }

  get(name: string): unknown {
    return this.current(name)
  }

  set(name: string, value: unknown): void {
    if (value === undefined) {
      this.values.delete(name)
      this.removed.add(name)
    } else {
      this.values.set(name, value)
      this.removed.delete(name)
    }
  }

  /** `{% set ns.attr = value %}` on a namespace the template changes in place. */
  assign(name: string, attribute: string, value: unknown): void {
    const target = this.current(name)
    if (!isPlainObject(target))
      throw new TemplateError(
        `cannot assign attribute '${attribute}' on '${name}': it is not a namespace`
      )
    target[attribute] = value
  }

  /** `name[path...].method(args)`: changes the value in place and returns the method's result. */
  call(
    name: string,
    path: unknown[],
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown>
  ): unknown {
    let receiver = this.current(name)
    if (receiver === undefined) throw new UndefinedVariableError(`'${name}' is undefined`)
    for (const key of path) {
      receiver = this.step(receiver as Container, key)
    }
    return applyMutator(receiver, method, args, kwargs)
  }

  private step(container: Container, key: unknown): unknown {
    if (isPlainObject(key) && Array.isArray(key[SETDEFAULT_STEP])) {
      const [name, fallback] = key[SETDEFAULT_STEP] as unknown[]
      return applyMutator(container, 'setdefault', [name, fallback ?? null], {})
    }
    if (Array.isArray(container)) {
      const index = typeof key === 'number' && key < 0 ? container.length + key : key
      if (typeof index === 'number' && index >= 0 && index < container.length)
        return container[index]
      throw new UndefinedVariableError(`list object has no element ${pyStr(key)}`)
    }
    if (isPlainObject(container) && Object.prototype.hasOwnProperty.call(container, pyStr(key)))
      return container[pyStr(key)]
    throw new UndefinedVariableError(
      `'${typeNameOf(container)} object' has no attribute '${pyStr(key)}'`
    )
  }
}
