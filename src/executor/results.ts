// Task results in Ansible's shapes: status derivation, no_log censoring, loop aggregation, and
// the keys the callbacks never see.
import type { HostStatus } from './events.js'

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

/** What no_log leaves of a result (per item for loops, like Ansible). */
export function censor(result: Result): Result {
  const censored: Result = { censored: CENSORED_MESSAGE, changed: result.changed === true }
  if (result.failed === true) censored.failed = true
  if (result.skipped === true) censored.skipped = true
  if (result.unreachable === true) censored.unreachable = true
  if (Array.isArray(result.results)) {
    censored.results = (result.results as Result[]).map(item => ({
      ...censor(item),
      ...(item.ansible_loop_var !== undefined ? { ansible_loop_var: item.ansible_loop_var } : {}),
      _ansible_item_label: item._ansible_item_label,
      _ansible_no_log: true
    }))
  }
  return censored
}

/** The copy given to callbacks/reporters: internal keys removed, status carried separately. */
export function callbackResult(result: Result): Result {
  const copy: Result = {}
  for (const [key, value] of Object.entries(result)) {
    if (key === 'failed' || key === 'skipped') continue
    if (key.startsWith('_ansible_') && key !== '_ansible_item_label' && key !== '_ansible_no_log')
      continue
    copy[key] = value
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

/** Combine per-item results into the task result, as Ansible's TaskExecutor._run_loop does. */
export function loopResult(items: Result[]): Result {
  const result: Result = { results: items, changed: items.some(item => item.changed === true) }
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
