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
