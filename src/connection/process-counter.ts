// Every kubectl process the run starts is counted (SPEC §7): the number is reported in the
// job summary and is the benchmark's measure of goal 1 (one process per host per play).

export class KubectlProcessCounter {
  private readonly perHost = new Map<string, number>()
  private count = 0

  record(host: string | undefined): void {
    this.count++
    const key = host ?? ''
    this.perHost.set(key, (this.perHost.get(key) ?? 0) + 1)
  }

  get total(): number {
    return this.count
  }

  /** Processes started for one host ('' holds those not tied to a host, e.g. listing pods). */
  forHost(host: string): number {
    return this.perHost.get(host) ?? 0
  }

  byHost(): Record<string, number> {
    return Object.fromEntries(this.perHost)
  }
}
