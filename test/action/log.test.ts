// The action log's workflow commands (groups, annotations) as @actions/core prints them.
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunEvent } from '../../src/executor/events.js'
import { annotate, GroupingLog } from '../../src/action/log.js'
import { RunRecorder } from '../../src/report/recorder.js'
import { fleetRun, threeHostRun } from './events.js'

afterEach(() => vi.restoreAllMocks())

function printed(action: () => void): string {
  const chunks: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    chunks.push(String(chunk))
    return true
  })
  action()
  vi.restoreAllMocks()
  return chunks.join('')
}

function feed(log: GroupingLog, events: RunEvent[]): string {
  return printed(() => events.forEach(log.listener))
}

describe('GroupingLog', () => {
  it('opens one group per play at verbosity 0', () => {
    expect(feed(new GroupingLog(0), threeHostRun())).toBe(
      '::group::PLAY [Fix web pods] · 3 host(s)\n::endgroup::\n'
    )
  })

  it('opens one group per task at verbosity 1 (groups do not nest)', () => {
    const output = feed(new GroupingLog(1), threeHostRun())
    expect(output.match(/::group::/g)).toHaveLength(5)
    expect(output.match(/::endgroup::/g)).toHaveLength(5)
    expect(output).toContain('::endgroup::\n::group::TASK [Install API key]\n')
  })
})

describe('annotate', () => {
  it('makes one annotation per task and message, with the task position inside the workspace', () => {
    const recorder = new RunRecorder()
    threeHostRun().forEach(recorder.listener)
    const output = printed(() => annotate(recorder.recording(), process.cwd()))
    expect(output).toContain(
      '::error title=TASK [Health check] failed,file=deploy/site.yml,line=18::web-1: non-zero return code\n'
    )
    expect(output).toContain(
      '::warning title=TASK [Set worker count] unreachable,file=deploy/site.yml,line=5::web-2: pod web-2 not found\n'
    )
    expect(output).toContain('::warning::Could not match supplied host pattern, ignoring: db\n')
  })

  it('leaves out positions outside the workspace and groups 200 hosts into one annotation', () => {
    const recorder = new RunRecorder()
    // Inline tasks are written to RUNNER_TEMP, outside the workspace: no file GitHub could link.
    const outside = fleetRun(200, 2).map(event =>
      event.type === 'host_result' || event.type === 'task_start'
        ? {
            ...event,
            task: { ...event.task, position: { file: '/runner/temp/tasks.yml', line: 6 } }
          }
        : event
    )
    outside.forEach(recorder.listener)
    const output = printed(() => annotate(recorder.recording(), '/home/runner/work/repo'))
    expect(output.trim().split('\n')).toEqual([
      '::error title=TASK [step 1] failed::pod-000, pod-050, pod-100, pod-150: non-zero return code'
    ])
  })
})
