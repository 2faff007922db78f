// Helpers shared by the filter files.
import { UndefinedInput } from '../engine.js'
import { TemplateError } from '../errors.js'
import { pyTypeName } from '../values.js'

/** Fails like Ansible when a filter gets an undefined value (the templar names the variable). */
export function defined<T>(value: T): Exclude<T, undefined> {
  if (value === undefined) throw new UndefinedInput('undefined')
  return value as Exclude<T, undefined>
}

export function asList(value: unknown, filterName: string): unknown[] {
  const input = defined(value)
  if (Array.isArray(input)) return input
  if (typeof input === 'string') return [...input]
  if (input !== null && typeof input === 'object') return Object.keys(input)
  throw new TemplateError(`${filterName} expects a list, got ${pyTypeName(input)}`)
}

export function asDict(value: unknown, filterName: string): Record<string, unknown> {
  const input = defined(value)
  if (input !== null && typeof input === 'object' && !Array.isArray(input))
    return input as Record<string, unknown>
  throw new TemplateError(`${filterName} requires a dictionary, got ${pyTypeName(input)} instead.`)
}

export function truthyOption(value: unknown): boolean {
  return (
    value === true || value === 1 || (typeof value === 'string' && /^(true|yes|on|1)$/i.test(value))
  )
}
