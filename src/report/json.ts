// `--json`: one document shaped like the stock `json` stdout callback (ansible.posix.json):
// plays → tasks → hosts → result (with `failed`/`skipped`/`unreachable` flags added back),
// then per-host stats. Built from the event stream only.
import type { RunEvent, RunEventListener, SourcePosition } from '../executor/events.js'

export interface JsonTaskEntry {
  task: { id: string; name: string; path?: string; duration: { start: string; end?: string } }
  hosts: Record<string, Record<string, unknown>>
}

export interface JsonPlayEntry {
  play: { id: string; name: string; path?: string; duration: { start: string; end?: string } }
  tasks: JsonTaskEntry[]
}

export interface JsonDocument {
  custom_stats: Record<string, unknown>
  global_custom_stats: Record<string, unknown>
  plays: JsonPlayEntry[]
  stats: Record<
    string,
    {
      ok: number
      changed: number
      failures: number
      unreachable: number
      skipped: number
      rescued: number
      ignored: number
    }
  >
}

export class JsonReporter {
  readonly document: JsonDocument = {
    custom_stats: {},
    global_custom_stats: {},
    plays: [],
    stats: {}
  }
  private playCount = 0

  readonly listener: RunEventListener = (event: RunEvent) => {
    const now = new Date().toISOString()
    const plays = this.document.plays
    const play = plays[plays.length - 1]
    switch (event.type) {
      case 'play_start':
        this.playCount += 1
        plays.push({
          play: {
            id: `play-${this.playCount}`,
            name: event.play.name,
            ...pathOf(event.play.position),
            duration: { start: now }
          },
          tasks: []
        })
        break
      case 'play_end':
        if (play) play.play.duration.end = now
        break
      case 'task_start':
        if (!play) break
        if (play.tasks.length > 0) play.tasks[play.tasks.length - 1].task.duration.end ??= now
        play.tasks.push({
          task: {
            id: event.task.id,
            name: event.task.name,
            ...pathOf(event.task.position),
            duration: { start: now }
          },
          hosts: {}
        })
        break
      case 'host_result': {
        if (!play) break
        let task = play.tasks[play.tasks.length - 1]
        if (!task || task.task.id !== event.task.id) {
          task = {
            task: {
              id: event.task.id,
              name: event.task.name,
              ...pathOf(event.task.position),
              duration: { start: now }
            },
            hosts: {}
          }
          play.tasks.push(task)
        }
        const result: Record<string, unknown> = { ...event.result, action: event.task.action }
        if (event.status === 'failed') result.failed = true
        if (event.status === 'skipped') result.skipped = true
        if (event.status === 'unreachable') result.unreachable = true
        task.hosts[event.host] = result
        task.task.duration.end = now
        break
      }
      case 'playbook_end':
        for (const [host, stats] of Object.entries(event.stats)) {
          this.document.stats[host] = {
            ok: stats.ok,
            changed: stats.changed,
            failures: stats.failed,
            unreachable: stats.unreachable,
            skipped: stats.skipped,
            rescued: stats.rescued,
            ignored: stats.ignored
          }
        }
        break
      default:
        break
    }
  }

  /** The document as the json callback prints it: indent 4, sorted keys. */
  render(): string {
    return `${JSON.stringify(sortKeys(this.document), null, 4)}\n`
  }
}

/** The json callback's `path` of a play or task: `FILE:LINE` where it was written. */
function pathOf(position: SourcePosition | undefined): { path?: string } {
  return position ? { path: `${position.file}:${position.line}` } : {}
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(key => [key, sortKeys((value as Record<string, unknown>)[key])])
    )
  }
  return value
}
