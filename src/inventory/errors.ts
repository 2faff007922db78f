// An inventory problem the run cannot continue from. Callers map it to exit code 4, as
// Ansible does for parse errors; `file` and `line` point at the offending input when known.

export class InventoryError extends Error {
  readonly exitCode = 4

  constructor(
    readonly detail: string,
    readonly file?: string,
    readonly line?: number
  ) {
    super(file === undefined ? detail : `${file}${line ? `:${line}` : ''}: ${detail}`)
    this.name = 'InventoryError'
  }
}
