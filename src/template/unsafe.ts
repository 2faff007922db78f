// `!unsafe` values: the playbook/inventory loader wraps them in UnsafeText and the templar
// returns their text as it is, never rendering it (also when reached through another variable).

export class UnsafeText {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text
  }

  toJSON(): string {
    return this.text
  }
}

export function isUnsafe(value: unknown): value is UnsafeText {
  return value instanceof UnsafeText
}

const unsafeContainers = new WeakSet<object>()

/**
 * Marks data that must never be rendered, like Ansible's wrap_var on registered task results
 * (a command's stdout that contains "{{" stays text): lists and dicts are marked in place
 * and returned as they are, a string comes back as UnsafeText.
 */
export function markUnsafe(value: unknown): unknown {
  if (typeof value === 'string') return new UnsafeText(value)
  if (value !== null && typeof value === 'object') unsafeContainers.add(value)
  return value
}

/** A copy of `values` with each value marked as markUnsafe marks it. */
export function markEachUnsafe(values: Record<string, unknown>): Record<string, unknown> {
  const marked: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) marked[key] = markUnsafe(value)
  return marked
}

/** True for UnsafeText and for lists/dicts passed to markUnsafe. */
export function isMarkedUnsafe(value: unknown): boolean {
  return (
    value instanceof UnsafeText ||
    (value !== null && typeof value === 'object' && unsafeContainers.has(value))
  )
}

const unsafeInside = new WeakMap<object, boolean>()

/**
 * Ansible's _is_unsafe: UnsafeText, a marked container, or a list/dict holding one anywhere.
 * Variables are long-lived, so the answer is remembered per container.
 */
export function containsUnsafe(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  if (isMarkedUnsafe(value)) return true
  const known = unsafeInside.get(value)
  if (known !== undefined) return known
  const items = Array.isArray(value) ? value : isDataObject(value) ? Object.values(value) : []
  const found = items.some(containsUnsafe)
  unsafeInside.set(value, found)
  return found
}

function isDataObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** The value with UnsafeText as plain strings (containers copied only where needed). */
export function withoutUnsafeText(value: unknown): unknown {
  if (value instanceof UnsafeText) return value.text
  if (value === null || typeof value !== 'object' || !containsUnsafe(value)) return value
  let copy: unknown[] | Record<string, unknown> | undefined
  if (Array.isArray(value)) {
    const items = value.map(withoutUnsafeText)
    if (items.some((item, i) => item !== value[i])) copy = items
  } else if (isDataObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = withoutUnsafeText(item)
    if (Object.keys(out).some(key => out[key] !== value[key])) copy = out
  }
  if (copy === undefined) return value
  // A marked container stays marked: its strings were never to be rendered.
  return isMarkedUnsafe(value) ? markUnsafe(copy) : copy
}

/**
 * One element taken out of an unsafe list (a loop item): a string becomes UnsafeText, a list or
 * dict a marked copy, so the element alone still is never rendered.
 */
export function unsafeElement(value: unknown): unknown {
  if (typeof value === 'string') return new UnsafeText(value)
  if (Array.isArray(value)) return markUnsafe([...value])
  if (value !== null && typeof value === 'object' && isDataObject(value))
    return markUnsafe({ ...value })
  return value
}
