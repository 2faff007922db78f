// The machine-readable results of a run: the `results` / `recap` action outputs, and the run's
// figures (exit code, duration, kubectl processes, warnings) for the JSON report file.
import type { HostStats } from '../executor/events.js'
import type { Recording } from './recorder.js'
import { statsOf } from './recap.js'

/** GitHub keeps step outputs up to 1 MiB; stay well below it. */
export const MAX_RESULTS_OUTPUT_BYTES = 900 * 1024
/** Tail of stdout/stderr kept per result when the full results output is too large. */
const TRIMMED_STREAM_CHARS = 1024

export interface TaskResultEntry {
  play: string
  task: string
  action: string
  status: string
  ignored?: boolean
  [key: string]: unknown
}

/** `recap` output: host → PLAY RECAP counters. */
export function recapOutput(recording: Recording): Record<string, HostStats> {
  return Object.fromEntries(recording.hosts.map(host => [host, statsOf(recording, host)]))
}

/**
 * `results` output: host → its task results in run order. When the whole document would pass
 * the output size limit, results are cut to their key fields, and then to statuses only.
 */
export function resultsOutput(recording: Recording, maxBytes = MAX_RESULTS_OUTPUT_BYTES): string {
  for (const shape of [fullResult, keyFields, statusOnly]) {
    const text = JSON.stringify(resultsByHost(recording, shape))
    if (Buffer.byteLength(text) <= maxBytes) return text
  }
  return JSON.stringify({
    truncated: `results of ${recording.hosts.length} hosts exceed ${maxBytes} bytes; see the report file`
  })
}

type ResultShape = (result: Record<string, unknown>) => Record<string, unknown>

const fullResult: ResultShape = result => result

const keyFields: ResultShape = result => {
  const kept: Record<string, unknown> = { truncated: true }
  for (const key of ['changed', 'msg', 'rc', 'censored', 'skip_reason'])
    if (key in result) kept[key] = result[key]
  for (const key of ['stdout', 'stderr']) {
    if (typeof result[key] === 'string')
      kept[key] = (result[key] as string).slice(-TRIMMED_STREAM_CHARS)
  }
  return kept
}

const statusOnly: ResultShape = () => ({ truncated: true })

function resultsByHost(
  recording: Recording,
  shape: ResultShape
): Record<string, TaskResultEntry[]> {
  const byHost: Record<string, TaskResultEntry[]> = Object.fromEntries(
    recording.hosts.map(host => [host, []])
  )
  for (const play of recording.plays) {
    for (const task of play.tasks) {
      for (const [host, hostResult] of task.results) {
        ;(byHost[host] ??= []).push({
          ...shape(hostResult.result),
          play: play.info.name,
          task: task.info.name,
          action: task.info.action,
          status: hostResult.status,
          ...(hostResult.ignored ? { ignored: true } : {})
        })
      }
    }
  }
  return byHost
}

/**
 * The run's own figures, added as `run` to the `--json` document (src/report/json.ts) in the
 * action's report file: what the stock json callback has no place for.
 */
export function runFigures(recording: Recording): Record<string, unknown> {
  return {
    exit_code: recording.exitCode ?? null,
    duration_ms: recording.durationMs,
    kubectl_processes: recording.kubectlProcesses,
    playbook: recording.playbookFile ?? null,
    hosts: recording.hosts,
    warnings: recording.warnings,
    deprecations: recording.deprecations
  }
}
