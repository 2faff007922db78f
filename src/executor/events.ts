// The event stream every reporter consumes (console, --json, action outputs, job summary,
// JUnit). The executor emits; reporters never reach back into executor state.

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable'

/** Where a play or task was written, for error messages and GitHub annotations. */
export interface SourcePosition {
  file: string
  line: number
  column?: number
}

export interface PlayInfo {
  name: string
  /** Hosts of this play run (this serial batch), in Ansible's order. */
  hosts: string[]
  position?: SourcePosition
}

export interface TaskInfo {
  /** Unique within a run; stable across hosts. */
  id: string
  name: string
  /** The action as written, e.g. 'ansible.builtin.copy'. */
  action: string
  handler: boolean
  position?: SourcePosition
}

/** Ansible's PLAY RECAP counters for one host. */
export interface HostStats {
  ok: number
  changed: number
  unreachable: number
  failed: number
  skipped: number
  rescued: number
  ignored: number
}

export type RunEvent =
  | { type: 'playbook_start'; file?: string }
  | { type: 'play_start'; play: PlayInfo }
  | { type: 'task_start'; task: TaskInfo }
  | {
      type: 'host_result'
      task: TaskInfo
      host: string
      status: HostStatus
      /** Ansible's result as the json callback shows it: censored for no_log. */
      result: Record<string, unknown>
      /** A failure that ignore_errors / ignore_unreachable turned into a non-failure. */
      ignored?: boolean
      /**
       * A loop's items as the item callbacks get them (censored one by one under no_log, when
       * `result` has no `results`); undefined for a task without a loop.
       */
      items?: Record<string, unknown>[]
      /** Per-item results of a loop are inside result.results; this is the whole task. */
      durationMs: number
      /** Delegated host, when delegate_to was used. */
      delegatedTo?: string
    }
  | {
      /** An `until` condition was not met yet: the task runs again on this host. */
      type: 'host_retry'
      taskName: string
      host: string
      retriesLeft: number
    }
  | {
      type: 'include'
      file: string
      hosts: string[]
      /** Loop item label of an include in a loop (`included: f.yml for h1 => (item=x)`). */
      item?: unknown
    }
  | { type: 'no_hosts_matched'; play: PlayInfo }
  | { type: 'no_hosts_remaining'; play: PlayInfo }
  | {
      type: 'warning'
      message: string
      /**
       * Carried by a task result (its `warnings`): the default callback prints it, the json
       * callback leaves it in the result.
       */
      fromResult?: boolean
    }
  | { type: 'deprecation'; message: string }
  | { type: 'play_end'; play: PlayInfo }
  | {
      type: 'playbook_end'
      stats: Record<string, HostStats>
      /** Exit code as ansible-playbook would return it. */
      exitCode: number
      /** Why the run stopped early (printed as `ERROR! ...`; no PLAY RECAP then). */
      error?: string
      /** kubectl processes started during the run (SPEC §7). */
      kubectlProcesses: number
      durationMs: number
    }

export type RunEventListener = (event: RunEvent) => void
