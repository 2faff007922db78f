// Synthetic RunEvent streams for reporter tests, shaped like what the executor emits.
import type { HostStats, HostStatus, RunEvent, TaskInfo } from '../../src/executor/events.js'

const stats = (partial: Partial<HostStats>): HostStats => ({
  ok: 0,
  changed: 0,
  unreachable: 0,
  failed: 0,
  skipped: 0,
  rescued: 0,
  ignored: 0,
  ...partial
})

const task = (id: string, name: string, action: string, line: number): TaskInfo => ({
  id,
  name,
  action,
  handler: false,
  position: { file: 'deploy/site.yml', line }
})

const hostResult = (
  info: TaskInfo,
  host: string,
  status: HostStatus,
  result: Record<string, unknown>,
  durationMs = 100,
  ignored = false
): RunEvent => ({ type: 'host_result', task: info, host, status, result, durationMs, ignored })

/** A 3-host play: a config edit with a diff, a censored secret copy, a failing check, a skip. */
export function threeHostRun(): RunEvent[] {
  const hosts = ['web-0', 'web-1', 'web-2']
  const play = { name: 'Fix web pods', hosts, position: { file: 'deploy/site.yml', line: 1 } }
  const edit = task('t1', 'Set worker count', 'ansible.builtin.lineinfile', 5)
  const secret = task('t2', 'Install API key', 'ansible.builtin.copy', 11)
  const check = task('t3', 'Health check', 'ansible.builtin.command', 18)
  const optional = task('t4', 'Optional cleanup', 'ansible.builtin.file', 22)
  const diff = {
    before: 'workers=2\nlisten=80\n',
    after: 'workers=8\nlisten=80\n',
    before_header: '/etc/app.conf (content)',
    after_header: '/etc/app.conf (content)'
  }
  return [
    { type: 'playbook_start', file: 'deploy/site.yml' },
    { type: 'play_start', play },
    { type: 'task_start', task: edit },
    hostResult(edit, 'web-0', 'changed', { changed: true, msg: 'line replaced', diff }, 180),
    hostResult(edit, 'web-1', 'changed', { changed: true, msg: 'line replaced', diff }, 170),
    hostResult(
      edit,
      'web-2',
      'unreachable',
      { unreachable: true, msg: 'pod web-2 not found', changed: false },
      40
    ),
    { type: 'task_start', task: secret },
    hostResult(secret, 'web-0', 'changed', {
      censored:
        "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
      changed: true
    }),
    hostResult(secret, 'web-1', 'changed', {
      censored:
        "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
      changed: true
    }),
    { type: 'task_start', task: check },
    hostResult(check, 'web-0', 'ok', { changed: false, rc: 0, stdout: 'healthy', stderr: '' }, 900),
    hostResult(
      check,
      'web-1',
      'failed',
      {
        changed: true,
        rc: 3,
        msg: 'non-zero return code',
        stdout: 'probing <main> & "side"',
        stderr: 'curl: (7) Failed to connect to localhost port 8080\nlast line of stderr'
      },
      1200
    ),
    { type: 'task_start', task: optional },
    hostResult(
      optional,
      'web-0',
      'skipped',
      { changed: false, skip_reason: 'Conditional result was False' },
      2
    ),
    { type: 'warning', message: 'Could not match supplied host pattern, ignoring: db' },
    { type: 'play_end', play },
    {
      type: 'playbook_end',
      stats: {
        'web-0': stats({ ok: 3, changed: 2, skipped: 1 }),
        'web-1': stats({ ok: 2, changed: 2, failed: 1 }),
        'web-2': stats({ unreachable: 1 })
      },
      exitCode: 4,
      kubectlProcesses: 6,
      durationMs: 4321
    }
  ]
}

/** `count` hosts running `tasks` command tasks; every 50th host fails the last task. */
export function fleetRun(count: number, tasks: number, stdoutBytes = 200): RunEvent[] {
  const hosts = Array.from({ length: count }, (_, index) => `pod-${String(index).padStart(3, '0')}`)
  const play = { name: 'Fleet', hosts }
  const events: RunEvent[] = [
    { type: 'playbook_start', file: 'fleet.yml' },
    { type: 'play_start', play }
  ]
  const finalStats: Record<string, HostStats> = Object.fromEntries(
    hosts.map(host => [host, stats({})])
  )
  for (let index = 0; index < tasks; index++) {
    const info = task(`t${index}`, `step ${index}`, 'ansible.builtin.shell', 3 + index * 3)
    events.push({ type: 'task_start', task: info })
    hosts.forEach((host, hostIndex) => {
      const failing = index === tasks - 1 && hostIndex % 50 === 0
      const status: HostStatus = failing ? 'failed' : index % 2 === 0 ? 'changed' : 'ok'
      const output = 'x'.repeat(stdoutBytes)
      events.push(
        hostResult(info, host, status, {
          rc: failing ? 1 : 0,
          stdout: output,
          stderr: failing ? 'boom\n'.repeat(50) : '',
          changed: status !== 'ok',
          msg: failing ? 'non-zero return code' : ''
        })
      )
      const hostStats = finalStats[host]
      if (failing) hostStats.failed++
      else hostStats.ok++
      if (status === 'changed') hostStats.changed++
    })
  }
  events.push({ type: 'play_end', play })
  events.push({
    type: 'playbook_end',
    stats: finalStats,
    exitCode: 2,
    kubectlProcesses: count,
    durationMs: 60_000
  })
  return events
}
