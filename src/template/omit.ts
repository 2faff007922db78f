// `omit`: like Ansible, a per-process placeholder string. A module argument whose templated
// value equals OMIT_TOKEN is dropped by the executor (see dropOmitted).
import { randomBytes } from 'node:crypto'
import { isMarkedUnsafe } from './unsafe.js'
import { isPlainObject } from './values.js'

export const OMIT_TOKEN = `__omit_place_holder__${randomBytes(20).toString('hex')}`

export function isOmitted(value: unknown): boolean {
  return value === OMIT_TOKEN
}

/** Returns a copy of a module's arguments without the ones set to `omit` (top level and nested dicts). */
export function dropOmitted(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(args)) {
    if (isOmitted(value)) continue
    // Unsafe data (UnsafeText, marked results) is kept as it is, mark included.
    out[key] = isMarkedUnsafe(value)
      ? value
      : isPlainObject(value)
        ? dropOmitted(value)
        : Array.isArray(value)
          ? value.filter(item => !isOmitted(item))
          : value
  }
  return out
}
