// The action's log around the console output: one collapsible group per play (per task at
// verbosity >= 1, since GitHub groups do not nest), then annotations: an error per failed task
// pointing at its file and line, a warning per unreachable outcome, warnings and deprecations.
import * as core from '@actions/core'
import path from 'node:path'
import type { RunEvent, RunEventListener, SourcePosition } from '../executor/events.js'
import { preview } from '../report/recap.js'
import { groupFailures, type Recording } from '../report/recorder.js'

export class GroupingLog {
  private open = false

  constructor(private readonly verbosity: number) {}

  readonly listener: RunEventListener = (event: RunEvent) => {
    if (event.type === 'play_start') {
      this.start(`PLAY [${event.play.name}] · ${event.play.hosts.length} host(s)`)
    } else if (event.type === 'task_start' && this.verbosity >= 1) {
      this.start(`TASK [${event.task.name || event.task.action}]`)
    } else if (event.type === 'play_end' || event.type === 'playbook_end') {
      this.close()
    }
  }

  private start(title: string): void {
    this.close()
    core.startGroup(title)
    this.open = true
  }

  private close(): void {
    if (!this.open) return
    core.endGroup()
    this.open = false
  }
}

/**
 * Annotations for what went wrong, one per task and message (not per host: 200 hosts failing
 * the same way are one annotation). Positions outside the workspace (inline inputs written to
 * RUNNER_TEMP) are left out, as GitHub can only link files of the repository.
 */
export function annotate(recording: Recording, workspace: string): void {
  for (const group of groupFailures(recording, result => messageOf(result.result))) {
    const text = `${preview(group.hosts)}: ${group.detail}`
    const properties = {
      title: `TASK [${group.task.info.name || group.task.info.action}] ${group.status}`,
      ...annotationPosition(group.task.info.position, workspace)
    }
    if (group.status === 'failed') core.error(text, properties)
    else core.warning(text, properties)
  }
  for (const warning of recording.warnings) core.warning(warning)
  for (const deprecation of recording.deprecations)
    core.warning(deprecation, { title: 'Deprecation' })
}

function messageOf(result: Record<string, unknown>): string {
  const message = result.msg
  if (typeof message === 'string' && message !== '') return message
  return message === undefined ? 'failed without a message' : JSON.stringify(message)
}

function annotationPosition(
  position: SourcePosition | undefined,
  workspace: string
): { file?: string; startLine?: number } {
  if (!position) return {}
  const relative = path.relative(workspace, path.resolve(workspace, position.file))
  if (relative.startsWith('..') || path.isAbsolute(relative)) return {}
  return { file: relative, startLine: position.line }
}
