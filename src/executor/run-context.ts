// Everything one run shares: options, inventory, templar, variables, connections, the event
// sink and the PLAY RECAP counters.
import type { RunOptions } from '../context.js'
import type { Inventory } from '../inventory/index.js'
import type { Templar } from '../template/templar.js'
import type { ConnectionPool } from './connections.js'
import type { HostStats, RunEvent } from './events.js'
import type { VariableStore } from './vars.js'

export interface RunContext {
  options: RunOptions
  inventory: Inventory
  templar: Templar
  store: VariableStore
  connections: ConnectionPool
  emit(event: RunEvent): void
  stats: Map<string, HostStats>
  /** Hosts that failed (cleared by meta: clear_host_errors); excluded from later plays. */
  failedHosts: Set<string>
  unreachableHosts: Set<string>
  playbookDir: string
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 }
}

export function bump(run: RunContext, host: string, key: keyof HostStats): void {
  let stats = run.stats.get(host)
  if (!stats) {
    stats = emptyStats()
    run.stats.set(host, stats)
  }
  stats[key] += 1
}
