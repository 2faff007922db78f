// Collects the RunEvent stream into the data every non-console reporter needs (action outputs,
// JSON report, JUnit, job summary). It only listens: nothing here reaches into the executor.
import type {
  HostStats,
  HostStatus,
  PlayInfo,
  RunEvent,
  RunEventListener,
  TaskInfo
} from '../executor/events.js'

export interface HostTaskResult {
  status: HostStatus
  /** A failure (or unreachable) that ignore_errors / ignore_unreachable let pass. */
  ignored: boolean
  /** Ansible's result, already censored for no_log by the executor. */
  result: Record<string, unknown>
  durationMs: number
  delegatedTo?: string
}

export interface RecordedTask {
  info: TaskInfo
  /** Host → result, in the order results arrived. */
  results: Map<string, HostTaskResult>
  startedAt: number
  /** When the last result arrived (startedAt when none did). */
  finishedAt: number
}

export interface RecordedPlay {
  info: PlayInfo
  tasks: RecordedTask[]
  noHostsMatched: boolean
  startedAt: number
  finishedAt: number
}

export interface Recording {
  playbookFile?: string
  plays: RecordedPlay[]
  /** Every host seen (play hosts, results, stats), in order of first appearance. */
  hosts: string[]
  /** PLAY RECAP counters; computed from results until playbook_end brings the executor's own. */
  stats: Record<string, HostStats>
  exitCode?: number
  kubectlProcesses: number
  durationMs: number
  warnings: string[]
  deprecations: string[]
  finished: boolean
}

export const emptyStats = (): HostStats => ({
  ok: 0,
  changed: 0,
  unreachable: 0,
  failed: 0,
  skipped: 0,
  rescued: 0,
  ignored: 0
})

export class RunRecorder {
  private readonly data: Recording = {
    plays: [],
    hosts: [],
    stats: {},
    kubectlProcesses: 0,
    durationMs: 0,
    warnings: [],
    deprecations: [],
    finished: false
  }
  private readonly knownHosts = new Set<string>()
  private readonly startedAt: number

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now()
  }

  readonly listener: RunEventListener = event => this.record(event)

  record(event: RunEvent): void {
    const time = this.now()
    switch (event.type) {
      case 'playbook_start':
        this.data.playbookFile = event.file
        break
      case 'play_start':
        event.play.hosts.forEach(host => this.seeHost(host))
        this.data.plays.push({
          info: event.play,
          tasks: [],
          noHostsMatched: false,
          startedAt: time,
          finishedAt: time
        })
        break
      case 'task_start':
        this.taskFor(event.task, time)
        break
      case 'host_result':
        this.addResult(event, time)
        break
      case 'no_hosts_matched':
        this.currentPlay(event.play, time).noHostsMatched = true
        break
      case 'warning':
        this.data.warnings.push(event.message)
        break
      case 'deprecation':
        this.data.deprecations.push(event.message)
        break
      case 'play_end':
        this.currentPlay(event.play, time).finishedAt = time
        break
      case 'playbook_end':
        Object.keys(event.stats).forEach(host => this.seeHost(host))
        this.data.stats = event.stats
        this.data.exitCode = event.exitCode
        this.data.kubectlProcesses = event.kubectlProcesses
        this.data.durationMs = event.durationMs
        this.data.finished = true
        break
      case 'include':
      case 'no_hosts_remaining':
        break
    }
    if (!this.data.finished) this.data.durationMs = time - this.startedAt
  }

  recording(): Recording {
    return this.data
  }

  private seeHost(host: string): void {
    if (this.knownHosts.has(host)) return
    this.knownHosts.add(host)
    this.data.hosts.push(host)
  }

  private currentPlay(play: PlayInfo | undefined, time: number): RecordedPlay {
    const last = this.data.plays.at(-1)
    if (last) return last
    // Results before any play_start: keep them under a play named after the event.
    const recorded = {
      info: play ?? { name: '', hosts: [] },
      tasks: [],
      noHostsMatched: false,
      startedAt: time,
      finishedAt: time
    }
    this.data.plays.push(recorded)
    return recorded
  }

  /** Meta tasks start once per host (Ansible 2.14): consecutive starts of one task are one entry. */
  private taskFor(task: TaskInfo, time: number): RecordedTask {
    const play = this.currentPlay(undefined, time)
    const last = play.tasks.at(-1)
    if (last?.info.id === task.id) return last
    const recorded: RecordedTask = {
      info: task,
      results: new Map(),
      startedAt: time,
      finishedAt: time
    }
    play.tasks.push(recorded)
    return recorded
  }

  private addResult(event: Extract<RunEvent, { type: 'host_result' }>, time: number): void {
    const play = this.currentPlay(undefined, time)
    const task =
      [...play.tasks].reverse().find(t => t.info.id === event.task.id) ??
      this.taskFor(event.task, time)
    this.seeHost(event.host)
    task.results.set(event.host, {
      status: event.status,
      ignored: event.ignored === true,
      result: event.result,
      durationMs: event.durationMs,
      delegatedTo: event.delegatedTo
    })
    task.finishedAt = time
    play.finishedAt = time
    if (!this.data.finished) this.countInStats(event)
  }

  /** Provisional recap, so a run cut short (crash, cancel) still reports what happened. */
  private countInStats(event: Extract<RunEvent, { type: 'host_result' }>): void {
    const stats = (this.data.stats[event.host] ??= emptyStats())
    if (event.ignored && event.status === 'failed') {
      stats.ignored++
      return
    }
    if (event.status === 'changed') {
      stats.ok++
      stats.changed++
    } else {
      stats[event.status]++
    }
  }
}

export interface FailureGroup<Detail> {
  task: RecordedTask
  status: 'failed' | 'unreachable'
  detail: Detail
  hosts: string[]
}

/**
 * The failures that counted (not ignored), one group per task, status and `detail` (hosts that
 * failed the same way), in the order they happened: what annotations and the job summary show.
 */
export function groupFailures<Detail>(
  recording: Recording,
  detailOf: (result: HostTaskResult) => Detail
): FailureGroup<Detail>[] {
  const groups = new Map<string, FailureGroup<Detail>>()
  for (const play of recording.plays) {
    for (const task of play.tasks) {
      for (const [host, result] of task.results) {
        const status = result.status
        if (result.ignored || (status !== 'failed' && status !== 'unreachable')) continue
        const detail = detailOf(result)
        const key = JSON.stringify([task.info.id, status, detail])
        const group = groups.get(key) ?? { task, status, detail, hosts: [] }
        group.hosts.push(host)
        groups.set(key, group)
      }
    }
  }
  return [...groups.values()]
}
