// A mapping whose entries are computed on demand (hostvars: one entry per host). The templar
// fetches only the entries a template subscripts (`hostvars[host].x`); a bare `hostvars` is
// materialised entry by entry.

export class LazyMapping {
  /**
   * @param getItem value for a key, or undefined when absent. A plain-object value is treated
   *   as a variable scope: its template strings are rendered against that scope when read.
   * @param listKeys all keys, in order (used only when the whole mapping is needed)
   */
  constructor(
    readonly getItem: (key: string) => unknown,
    readonly listKeys: () => string[]
  ) {}
}
