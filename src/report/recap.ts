// Per-host outcome of a run, from the PLAY RECAP counters: the `*-hosts` outputs, the summary
// headline and the step's exit decision all read it from here, so they never disagree.
import type { HostStats } from '../executor/events.js'
import { emptyStats, type Recording } from './recorder.js'

export interface HostLists {
  /** Hosts that neither failed nor were unreachable (changed hosts included). */
  ok: string[]
  changed: string[]
  failed: string[]
  unreachable: string[]
}

export interface RunTotals {
  hosts: number
  ok: number
  changed: number
  failed: number
  unreachable: number
}

export function statsOf(recording: Recording, host: string): HostStats {
  return recording.stats[host] ?? emptyStats()
}

export function hostLists(recording: Recording): HostLists {
  const lists: HostLists = { ok: [], changed: [], failed: [], unreachable: [] }
  for (const host of recording.hosts) {
    const stats = statsOf(recording, host)
    if (stats.failed > 0) lists.failed.push(host)
    if (stats.unreachable > 0) lists.unreachable.push(host)
    if (stats.changed > 0) lists.changed.push(host)
    if (stats.failed === 0 && stats.unreachable === 0) lists.ok.push(host)
  }
  return lists
}

/** Host counts for the headline: how many hosts ended ok / changed / failed / unreachable. */
export function runTotals(recording: Recording): RunTotals {
  const lists = hostLists(recording)
  return {
    hosts: recording.hosts.length,
    ok: lists.ok.length,
    changed: lists.changed.length,
    failed: lists.failed.length,
    unreachable: lists.unreachable.length
  }
}

export type FailOnPolicy = 'failed' | 'changed' | 'never'

/**
 * Why the step fails under `fail-on`, or undefined when it passes. A run the executor ended
 * with an error code (bad playbook, unexpected error) fails unless the policy is `never`.
 */
export function failureReason(recording: Recording, policy: FailOnPolicy): string | undefined {
  if (policy === 'never') return undefined
  const lists = hostLists(recording)
  const reasons: string[] = []
  if (lists.failed.length > 0)
    reasons.push(`${lists.failed.length} host(s) failed: ${preview(lists.failed)}`)
  if (lists.unreachable.length > 0) {
    reasons.push(`${lists.unreachable.length} host(s) unreachable: ${preview(lists.unreachable)}`)
  }
  if (reasons.length === 0 && recording.exitCode !== undefined && recording.exitCode !== 0) {
    reasons.push(`the run ended with exit code ${recording.exitCode}`)
  }
  if (policy === 'changed' && lists.changed.length > 0) {
    reasons.push(
      `${lists.changed.length} host(s) changed (fail-on: changed): ${preview(lists.changed)}`
    )
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined
}

/** At most `limit` names, then how many more: keeps messages readable for 200 hosts. */
export function preview(names: string[], limit = 5): string {
  if (names.length <= limit) return names.join(', ')
  return `${names.slice(0, limit).join(', ')} and ${names.length - limit} more`
}
