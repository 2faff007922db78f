// Task results in Ansible's shapes: status derivation, no_log censoring, loop aggregation, and
// the keys the callbacks never see.
import type { HostStatus } from './events.js'
import { UnsafeText } from '../template/unsafe.js'

export type Result = Record<string, unknown>

export const CENSORED_MESSAGE =
  "the output has been hidden due to the fact that 'no_log: true' was specified for this result"

/** The status the callbacks show for a result: unreachable → failed → skipped → changed → ok. */
export function statusOf(result: Result): HostStatus {
  if (result.unreachable === true) return 'unreachable'
  if (result.failed === true) return 'failed'
  if (result.skipped === true) return 'skipped'
  if (result.changed === true) return 'changed'
  return 'ok'
}

/**
 * What no_log leaves of a result for the callbacks (TaskResult.clean_copy): the censored
 * message and the keys Ansible preserves, nothing else — a loop's items are censored one by
 * one the same way (the callbacks then show them with the label None).
 */
export function censor(result: Result): Result {
  const censored: Result = { censored: CENSORED_MESSAGE }
  for (const key of ['attempts', 'changed', 'retries'])
    if (key in result) censored[key] = result[key]
  return censored
}

/** Internal keys callbacks still get (Ansible's CLEAN_EXCEPTIONS): labels, no_log, display hints. */
const CALLBACK_KEYS = new Set([
  '_ansible_item_label',
  '_ansible_no_log',
  '_ansible_verbose_always',
  '_ansible_verbose_override'
])

/**
 * The copy given to callbacks/reporters, as Ansible's TaskResult.clean_copy: `failed`/`skipped`
 * removed (the status is carried separately), internal keys removed at every depth.
 */
export function callbackResult(result: Result): Result {
  const copy = stripInternalKeys(result) as Result
  delete copy.failed
  delete copy.skipped
  return copy
}

function stripInternalKeys(value: unknown): unknown {
  // set_fact keeps unsafe values as UnsafeText in the facts it stores; callbacks see the text.
  if (value instanceof UnsafeText) return value.text
  if (Array.isArray(value)) return value.map(stripInternalKeys)
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.getPrototypeOf(value) !== Object.prototype
  )
    return value
  const copy: Result = {}
  for (const [key, entry] of Object.entries(value)) {
    if (key.startsWith('_ansible_') && !CALLBACK_KEYS.has(key)) continue
    copy[key] = stripInternalKeys(entry)
  }
  return copy
}

/** Remove keys Ansible strips before registering (internal `_ansible_*` except labels). */
export function registeredCopy(result: Result): Result {
  const copy: Result = {}
  for (const [key, value] of Object.entries(result)) {
    if (key.startsWith('_ansible_')) continue
    copy[key] =
      key === 'results' && Array.isArray(value)
        ? value.map(item => registeredCopy(item as Result))
        : value
  }
  return copy
}

/**
 * Combine per-item results into the task result, as Ansible's TaskExecutor._run_loop does
 * (the items' warnings move up to the task result, where the callbacks show them).
 */
export function loopResult(items: Result[]): Result {
  const warnings: unknown[] = []
  for (const item of items) {
    if (!Array.isArray(item.warnings)) continue
    warnings.push(...(item.warnings as unknown[]))
    delete item.warnings
  }
  const result: Result = { results: items, changed: items.some(item => item.changed === true) }
  if (warnings.length > 0) result.warnings = warnings
  if (items.some(item => item.failed === true)) {
    result.failed = true
    result.msg = 'One or more items failed'
  } else if (items.length > 0 && items.every(item => item.skipped === true)) {
    result.skipped = true
    result.msg = 'All items skipped'
  } else {
    result.msg = 'All items completed'
  }
  return result
}
