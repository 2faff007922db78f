// Reporters fed from synthetic RunEvent streams: recorder, outputs, JSON report, JUnit, summary.
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import type { RunEvent } from '../../src/executor/events.js'
import { unifiedDiff } from '../../src/report/diff.js'
import { renderJunit } from '../../src/report/junit.js'
import { failureReason, hostLists } from '../../src/report/recap.js'
import { RunRecorder, type Recording } from '../../src/report/recorder.js'
import { recapOutput, resultsOutput, runFigures } from '../../src/report/results.js'
import { renderSummary } from '../../src/report/summary.js'
import { fleetRun, threeHostRun } from './events.js'

function record(events: RunEvent[]): Recording {
  let clock = 1_000_000
  const recorder = new RunRecorder(() => (clock += 10))
  events.forEach(recorder.listener)
  return recorder.recording()
}

/** Parses XML with Python's parser (a real one, not a regex) and returns counts. */
function parseXml(xml: string): {
  suites: number
  cases: number
  failures: number
  errors: number
  skipped: number
} {
  const script = `import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
print(json.dumps({"suites": len(root.findall("testsuite")), "cases": len(root.iter("testcase").__class__ and list(root.iter("testcase"))),
  "failures": len(list(root.iter("failure"))), "errors": len(list(root.iter("error"))), "skipped": len(list(root.iter("skipped")))}))`
  return JSON.parse(execFileSync('python3', ['-c', script], { input: xml }).toString())
}

describe('RunRecorder and outcome', () => {
  const recording = record(threeHostRun())

  it('keeps plays, tasks, results and the executor recap', () => {
    expect(recording.hosts).toEqual(['web-0', 'web-1', 'web-2'])
    expect(recording.plays).toHaveLength(1)
    expect(recording.plays[0].tasks.map(task => task.info.name)).toEqual([
      'Set worker count',
      'Install API key',
      'Health check',
      'Optional cleanup'
    ])
    expect(recording).toMatchObject({
      exitCode: 4,
      kubectlProcesses: 6,
      durationMs: 4321,
      finished: true
    })
    expect(recording.warnings).toEqual(['Could not match supplied host pattern, ignoring: db'])
  })

  it('counts a provisional recap when the run never finishes', () => {
    const cut = record(threeHostRun().slice(0, 6))
    expect(cut.finished).toBe(false)
    expect(cut.stats['web-0']).toMatchObject({ ok: 1, changed: 1 })
    expect(cut.stats['web-2']).toMatchObject({ unreachable: 1 })
  })

  it('classifies hosts and applies fail-on', () => {
    expect(hostLists(recording)).toEqual({
      ok: ['web-0'],
      changed: ['web-0', 'web-1'],
      failed: ['web-1'],
      unreachable: ['web-2']
    })
    expect(failureReason(recording, 'failed')).toBe(
      '1 host(s) failed: web-1; 1 host(s) unreachable: web-2'
    )
    expect(failureReason(recording, 'never')).toBeUndefined()
    const clean = record(
      threeHostRun().filter(
        e => !(e.type === 'host_result' && ['failed', 'unreachable'].includes(e.status))
      )
    )
    clean.stats = recapOutput(clean)
    clean.stats['web-1'].failed = 0
    clean.stats['web-2'].unreachable = 0
    clean.exitCode = 0
    expect(failureReason(clean, 'failed')).toBeUndefined()
    expect(failureReason(clean, 'changed')).toBe(
      '2 host(s) changed (fail-on: changed): web-0, web-1'
    )
  })
})

describe('results output and run figures', () => {
  const recording = record(threeHostRun())

  it('maps each host to its task results in order, censored results as the executor gave them', () => {
    const results = JSON.parse(resultsOutput(recording))
    expect(Object.keys(results)).toEqual(['web-0', 'web-1', 'web-2'])
    expect(results['web-0'].map((r: { task: string }) => r.task)).toEqual([
      'Set worker count',
      'Install API key',
      'Health check',
      'Optional cleanup'
    ])
    expect(results['web-0'][1]).toEqual({
      censored:
        "the output has been hidden due to the fact that 'no_log: true' was specified for this result",
      changed: true,
      play: 'Fix web pods',
      task: 'Install API key',
      action: 'ansible.builtin.copy',
      status: 'changed'
    })
    expect(results['web-1'][2]).toMatchObject({
      status: 'failed',
      rc: 3,
      stderr: expect.stringContaining('curl: (7)')
    })
  })

  it('cuts results to key fields, then to statuses, to stay under the output limit', () => {
    const fleet = record(fleetRun(40, 5, 5000))
    const full = resultsOutput(fleet, Infinity)
    const trimmed = JSON.parse(resultsOutput(fleet, full.length / 2))
    expect(trimmed['pod-000'][0]).toMatchObject({ truncated: true, rc: 0, status: 'changed' })
    expect(trimmed['pod-000'][0].stdout.length).toBe(1024)
    const statusOnly = JSON.parse(resultsOutput(fleet, 25_000))
    expect(statusOnly['pod-000'][4]).toEqual({
      truncated: true,
      play: 'Fleet',
      task: 'step 4',
      action: 'ansible.builtin.shell',
      status: 'failed'
    })
    expect(JSON.parse(resultsOutput(fleet, 1000)).truncated).toMatch(
      /results of 40 hosts exceed 1000 bytes/
    )
  })

  it('gives the run figures the json callback document has no place for', () => {
    expect(runFigures(recording)).toEqual({
      exit_code: 4,
      duration_ms: 4321,
      kubectl_processes: 6,
      playbook: 'deploy/site.yml',
      hosts: ['web-0', 'web-1', 'web-2'],
      warnings: ['Could not match supplied host pattern, ignoring: db'],
      deprecations: []
    })
  })
})

describe('JUnit', () => {
  it('has one test case per task and host, with failures, errors and skips', () => {
    const xml = renderJunit(record(threeHostRun()))
    expect(parseXml(xml)).toEqual({ suites: 1, cases: 8, failures: 1, errors: 1, skipped: 1 })
    expect(xml).toContain('classname="web-1" name="Health check"')
    expect(xml).toContain('file="deploy/site.yml" line="18"')
    expect(xml).toContain('stdout:\nprobing &lt;main&gt; &amp; "side"')
  })

  it('stays well-formed with control characters and quotes in results', () => {
    const events = threeHostRun().map(event =>
      event.type === 'host_result' && event.status === 'failed'
        ? {
            ...event,
            result: {
              ...event.result,
              msg: 'bad \u0001 "quoted" <x>',
              stderr: '\u001b[31mred\u001b[0m'
            }
          }
        : event
    )
    expect(parseXml(renderJunit(record(events))).failures).toBe(1)
  })
})

describe('job summary', () => {
  it('renders headline, recap, matrix, failures with stderr, diffs, slowest tasks', () => {
    const markdown = renderSummary(record(threeHostRun()), {
      title: 'deploy/site.yml',
      diff: true,
      check: false,
      kubectlVersion: 'v1.32.4'
    })
    expect(markdown).toContain('## ❌ kubectl-ansible: deploy/site.yml')
    expect(markdown).toContain(
      '**3 hosts** · ✅ 1 ok · 🟡 2 changed · ❌ 1 failed · 🚫 1 unreachable · ⏱️ 4.3 s · 6 kubectl processes started'
    )
    expect(markdown).toContain('| 🟡 web-0 | 3 | **2** | 0 | 0 | **1** | 0 | 0 |')
    expect(markdown).toContain('| task | web-0 | web-1 | web-2 |')
    expect(markdown).toContain('| Set worker count | 🟡 | 🟡 | 🚫 |')
    expect(markdown).toContain('| Optional cleanup | ⏭️ | · | · |')
    expect(markdown).toContain('❌ <b>Health check</b> on web-1')
    expect(markdown).toContain('Failed (rc 3) — `deploy/site.yml:18`')
    const absolute = record(
      threeHostRun().map(event =>
        event.type === 'host_result' && event.task.position
          ? {
              ...event,
              task: { ...event.task, position: { file: '/ws/deploy/site.yml', line: 18 } }
            }
          : event
      )
    )
    const relative = renderSummary(absolute, {
      title: 't',
      diff: false,
      check: false,
      baseDir: '/ws'
    })
    expect(relative).toContain('Failed (rc 3) — `deploy/site.yml:18`')
    expect(markdown).toContain(
      'curl: (7) Failed to connect to localhost port 8080\nlast line of stderr'
    )
    expect(markdown).toContain('🚫 <b>Set worker count</b> on web-2')
    expect(markdown).toContain('<b>Set worker count</b> on 2 hosts: web-0, web-1')
    expect(markdown).toContain(
      '```diff\n--- /etc/app.conf (content)\n+++ /etc/app.conf (content)\n@@ -1,2 +1,2 @@\n-workers=2\n+workers=8\n listen=80\n```'
    )
    expect(markdown).toContain('| Health check | 1.2 s | web-1 (1.2 s) | 2 |')
    expect(markdown).toContain('- ⚠️ Could not match supplied host pattern, ignoring: db')
    expect(markdown).toContain('<sub>kubectl v1.32.4 · 6 kubectl processes · exit code 4</sub>')
    expect(markdown).not.toContain('### Diffs\n\n\n')
  })

  it('shows a run that stopped with an error as failed, with the error', () => {
    const events: RunEvent[] = [
      { type: 'playbook_start', file: 'bad.yml' },
      { type: 'playbook_end', stats: {}, exitCode: 4, kubectlProcesses: 0, durationMs: 12 }
    ]
    const markdown = renderSummary(record(events), {
      title: 'bad.yml',
      diff: false,
      check: false,
      error: "couldn't resolve module/action 'lineinfle'"
    })
    expect(markdown).toContain('## ❌ kubectl-ansible: bad.yml')
    expect(markdown).toContain(
      "> [!CAUTION]\n> The run stopped with an error (exit code 4):\n\n```\ncouldn't resolve module/action 'lineinfle'\n```"
    )
    expect(markdown).toContain('No hosts matched.')
  })

  it('leaves diffs out unless diff is on', () => {
    const markdown = renderSummary(record(threeHostRun()), { title: 't', diff: false, check: true })
    expect(markdown).not.toContain('### Diffs')
    expect(markdown).toContain('_check mode_')
  })

  it('stays readable and under 1 MiB for 200 hosts with large outputs', () => {
    const markdown = renderSummary(record(fleetRun(200, 40, 20_000)), {
      title: 'fleet.yml',
      diff: true,
      check: false
    })
    expect(Buffer.byteLength(markdown)).toBeLessThan(1024 * 1024)
    // Identical outcomes share a column: 196 hosts passed, 4 failed the last task.
    expect(markdown).toContain('| task | A (196) | B (4) |')
    expect(markdown).toContain('- **B (4)**: pod-000, pod-050, pod-100, pod-150')
    expect(markdown).toContain('<details><summary>200 hosts</summary>')
    expect(markdown).toContain('❌ <b>step 39</b> on 4 hosts: pod-000, pod-050, pod-100, pod-150')
    expect(markdown).toContain('… (earlier output cut)')
  })

  it('keeps the matrix narrow when hosts differ in many ways: rare outcomes share one column', () => {
    // 30 hosts, each failing a different one of 30 tasks: 30 distinct outcome patterns.
    const events = fleetRun(30, 30, 10).map(event =>
      event.type === 'host_result'
        ? {
            ...event,
            status:
              Number(event.task.id.slice(1)) === Number(event.host.slice(4))
                ? ('failed' as const)
                : ('ok' as const)
          }
        : event
    )
    const markdown = renderSummary(record(events), { title: 'x', diff: false, check: false })
    const header = markdown.split('\n').find(line => line.startsWith('| task |')) as string
    expect(header.split('|').length - 3).toBe(11)
    expect(header).toContain('other (20)')
    expect(markdown).toContain('🔀 mixed')
    expect(markdown).toMatch(/\| step 29 \| (✅ \| ){10}🔀 \|/)
  })

  it('bounds every section when results are huge', () => {
    const events = fleetRun(200, 200, 10).map(event =>
      event.type === 'host_result' && event.status === 'failed'
        ? {
            ...event,
            task: { ...event.task, id: `${event.task.id}-${event.host}` },
            result: { ...event.result, msg: `failure of ${event.host} ${'m'.repeat(9000)}` }
          }
        : event
    )
    const markdown = renderSummary(record(events), {
      title: 'x',
      diff: false,
      check: false,
      maxBytes: 20_000
    })
    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(20_000)
    expect(markdown).toMatch(/_\d+ more hosts in the report file_/)
    expect(markdown).toMatch(/_\d+ more tasks in the report file_/)
    expect(markdown).toContain('### Failures')
  })
})

describe('unifiedDiff', () => {
  it('matches the unified format of diff -u', () => {
    const before = Array.from({ length: 12 }, (_, i) => `l${i}`).join('\n') + '\n'
    const after = before.replace('l1\n', 'l1 changed\n').replace('l10\n', '')
    expect(unifiedDiff(before, after, { fromFile: 'a', toFile: 'b' })).toBe(
      '--- a\n+++ b\n@@ -1,5 +1,5 @@\n l0\n-l1\n+l1 changed\n l2\n l3\n l4\n@@ -8,5 +8,4 @@\n l7\n l8\n l9\n-l10\n l11\n'
    )
    expect(unifiedDiff('same\n', 'same\n')).toBe('')
  })
})
