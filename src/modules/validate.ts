// The one shared argument validator: Ansible's ArgumentSpecValidator reduced to what our module
// specs use (types, defaults, aliases, choices, required, mutually exclusive, required one of,
// required together/if), with Ansible's own wording so error messages match the corpus.
import type { ArgSpec, ArgType, ModuleDefinition } from './types.js'

/** Bad module arguments. The executor reports it as the task's failure (with file:line). */
export class ModuleArgsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ModuleArgsError'
  }
}

const TRUE_VALUES = new Set(['y', 'yes', 'on', '1', 'true', 't'])
const FALSE_VALUES = new Set(['n', 'no', 'off', '0', 'false', 'f'])
const BOOLEAN_HINT =
  "Valid booleans include: 'no', 1, 0, 'false', 't', 'on', 'yes', 'off', '1', 'y', 'f', 'n', 'true', '0'"

/** Python's name for the type of a YAML/JSON value, as Ansible's messages print it. */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'string') return 'str'
  if (Array.isArray(value)) return 'list'
  return 'dict'
}

/** Ansible's module_utils boolean(): the strict conversion used for `type: bool`. */
export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  const key =
    typeof value === 'string'
      ? value.toLowerCase()
      : typeof value === 'number'
        ? String(value)
        : null
  if (key !== null && TRUE_VALUES.has(key)) return true
  if (key !== null && FALSE_VALUES.has(key)) return false
  if (typeof value === 'number' && (value === 1 || value === 0)) return value === 1
  throw new TypeError(`The value '${String(value)}' is not a valid boolean.  ${BOOLEAN_HINT}`)
}

/** Python's str() of a value, for `type: str` conversion and messages. */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloat(value)
  return pythonRepr(value)
}

function pythonFloat(value: number): string {
  const text = String(value)
  return /[.e]/.test(text) ? text : `${text}.0`
}

/** Python's repr() of plain data: what `str(list)` / `str(dict)` print. */
export function pythonRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    return `{${entries.map(([key, item]) => `${pythonRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`
  }
  return pythonStr(value)
}

function convert(name: string, value: unknown, type: ArgType, elements?: ArgType): unknown {
  const fail = (detail: string) =>
    new ModuleArgsError(
      `argument '${name}' is of type <class '${pythonTypeName(value)}'> and we were unable to convert to ${type}: ${detail}`
    )
  switch (type) {
    case 'raw':
    case 'mode':
      return value
    case 'str':
    case 'path':
      if (typeof value === 'object' && value !== null)
        throw fail(`'${pythonTypeName(value)}' cannot be converted to a str`)
      return pythonStr(value)
    case 'bool':
      try {
        return toBoolean(value)
      } catch (error) {
        throw fail((error as Error).message)
      }
    case 'int': {
      if (typeof value === 'number' && Number.isInteger(value)) return value
      if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return parseInt(value, 10)
      throw fail(`invalid literal for int() with base 10: ${pythonRepr(value)}`)
    }
    case 'float': {
      if (typeof value === 'number') return value
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
        return Number(value)
      throw fail(`could not convert string to float: ${pythonRepr(value)}`)
    }
    case 'list': {
      let list: unknown[]
      if (Array.isArray(value)) list = value
      else if (typeof value === 'string') list = value.split(',')
      else if (typeof value === 'number' || typeof value === 'boolean') list = [pythonStr(value)]
      else throw fail(`'${pythonTypeName(value)}' cannot be converted to a list`)
      return elements ? list.map(item => convert(name, item, elements)) : list
    }
    case 'dict': {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value
      if (typeof value === 'string') {
        try {
          const parsed: unknown = JSON.parse(value)
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed
        } catch {
          return Object.fromEntries(
            value
              .split(/[\s,]+/)
              .filter(Boolean)
              .map(pair => {
                const index = pair.indexOf('=')
                if (index < 0) throw fail(`dictionary requested, could not parse JSON or key=value`)
                return [pair.slice(0, index), pair.slice(index + 1)]
              })
          )
        }
      }
      throw fail(`dictionary requested, could not parse JSON or key=value`)
    }
  }
}

function supportedList(args: Record<string, ArgSpec>): string {
  const names = Object.keys(args).sort()
  const aliases = Object.values(args)
    .flatMap(spec => spec.aliases ?? [])
    .sort()
  return names.join(', ') + (aliases.length > 0 ? ` (${aliases.join(', ')})` : '')
}

/**
 * Validate and normalise the raw (already templated) arguments of a task for `def`.
 * Returns the arguments under their canonical names, converted, defaults filled in.
 * `displayName` is the module name Ansible prints (e.g. 'ansible.legacy.copy').
 */
export function validateModuleArgs(
  def: ModuleDefinition,
  rawArgs: Record<string, unknown>,
  displayName = def.name
): { args: Record<string, unknown> } {
  const aliasOf = new Map<string, string>()
  for (const [name, spec] of Object.entries(def.args)) {
    for (const alias of spec.aliases ?? []) aliasOf.set(alias, name)
  }
  const unsupported = Object.keys(rawArgs)
    .filter(key => !def.openArgs && !(key in def.args) && !aliasOf.has(key))
    .sort()
  if (unsupported.length > 0) {
    throw new ModuleArgsError(
      `Unsupported parameters for (${displayName}) module: ${unsupported.join(', ')}. ` +
        `Supported parameters include: ${supportedList(def.args)}.`
    )
  }
  const given: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(rawArgs)) {
    const name = aliasOf.get(key) ?? key
    if (value === null || value === undefined) continue
    if (!(name in given) || key === name) given[name] = value
  }

  for (const group of def.mutuallyExclusive ?? []) {
    const present = group.filter(name => name in given)
    if (present.length > 1)
      throw new ModuleArgsError(`parameters are mutually exclusive: ${group.join('|')}`)
  }
  const missing = Object.entries(def.args)
    .filter(([name, spec]) => spec.required && !(name in given))
    .map(([name]) => name)
    .sort()
  if (missing.length > 0)
    throw new ModuleArgsError(`missing required arguments: ${missing.join(', ')}`)
  for (const group of def.requiredOneOf ?? []) {
    if (!group.some(name => name in given)) {
      throw new ModuleArgsError(`one of the following is required: ${group.join(', ')}`)
    }
  }
  for (const group of def.requiredTogether ?? []) {
    const present = group.filter(name => name in given)
    if (present.length > 0 && present.length < group.length) {
      throw new ModuleArgsError(`parameters are required together: ${group.join(', ')}`)
    }
  }

  const args: Record<string, unknown> = {}
  if (def.openArgs) {
    for (const [key, value] of Object.entries(rawArgs))
      if (!(key in def.args) && !aliasOf.has(key)) args[key] = value
  }
  for (const [name, spec] of Object.entries(def.args)) {
    const value = name in given ? given[name] : spec.default
    if (value === undefined || value === null) continue
    const converted = convert(name, value, spec.type, spec.elements)
    if (spec.choices && !spec.choices.some(choice => choice === converted)) {
      const shown = spec.noLog ? '********' : pythonStr(converted)
      throw new ModuleArgsError(
        `value of ${name} must be one of: ${spec.choices.map(pythonStr).join(', ')}, got: ${shown}`
      )
    }
    args[name] = converted
  }
  for (const [key, value, requirements] of def.requiredIf ?? []) {
    if (args[key] !== value) continue
    const absent = requirements.filter(name => !(name in args))
    if (absent.length > 0) {
      throw new ModuleArgsError(
        `${key} is ${pythonStr(value)} but all of the following are missing: ${absent.join(', ')}`
      )
    }
  }
  return { args }
}
