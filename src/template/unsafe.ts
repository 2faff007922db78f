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

/** True for UnsafeText and for lists/dicts passed to markUnsafe. */
export function isMarkedUnsafe(value: unknown): boolean {
  return (
    value instanceof UnsafeText ||
    (value !== null && typeof value === 'object' && unsafeContainers.has(value))
  )
}
