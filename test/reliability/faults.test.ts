// Faults during a run, through the whole engine (runPlaybook, the same call as the CLI and the
// action) on test-cluster pods with the real kubectl: nothing lost, nothing half-written.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../cluster/index.js'
import { defaultRunOptions } from '../../src/cli/args.js'
import type { RunOptions } from '../../src/context.js'
import type { RunEvent } from '../../src/executor/events.js'
import { runPlaybook } from '../../src/executor/index.js'

let cluster: Cluster
let work: string

beforeAll(async () => {
  cluster = await startCluster({
    pods: ['a', 'b', 'c'].map(name => ({ name: `rel-${name}`, labels: { app: 'rel' } }))
  })
  work = mkdtempSync(path.join(tmpdir(), 'reliability-'))
})

afterAll(async () => {
  await cluster?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

function options(playbook: string, extra: Partial<RunOptions> = {}): RunOptions {
  const file = path.join(work, `pb-${randomBytes(4).toString('hex')}.yml`)
  writeFileSync(file, playbook)
  return {
    ...defaultRunOptions(work, { PATH: process.env.PATH, HOME: work }),
    inventorySources: ['k8s://default?selector=app%3Drel'],
    playbook: file,
    kubectl: { path: '/usr/bin/kubectl', kubeconfig: cluster.kubeconfigPath },
    ...extra
  }
}

type HostResult = Extract<RunEvent, { type: 'host_result' }>

async function run(opts: RunOptions, onEvent?: (event: RunEvent) => void) {
  const events: RunEvent[] = []
  const outcome = await runPlaybook(opts, event => {
    events.push(event)
    onEvent?.(event)
  })
  const results = events.filter((event): event is HostResult => event.type === 'host_result')
  const byTask = (name: string) =>
    Object.fromEntries(results.filter(r => r.task.name === name).map(r => [r.host, r]))
  return { outcome, results, byTask }
}

const inPod = (pod: string, file: string) => path.join(cluster.podRoot('default', pod), file)

describe('faults during a play', () => {
  it('a task timeout kills the remote processes and the host goes on with the next task', async () => {
    const { outcome, byTask } = await run(
      options(`
- hosts: rel-a
  gather_facts: false
  tasks:
    - name: hangs
      shell: sleep 300 & sleep 301
      timeout: 1
      ignore_errors: true
    - name: after
      shell: ps -o args | grep -c '^sleep 30[01]' || true
`)
    )
    expect(byTask('hangs')['rel-a']?.status).toBe('failed')
    expect(String(byTask('hangs')['rel-a']?.result.msg)).toMatch(/timed out/)
    expect(byTask('after')['rel-a']?.result.stdout).toBe('0')
    expect(outcome.exitCode).toBe(0)
  })

  it('background processes a task leaves behind neither hold it open nor leak into later tasks', async () => {
    // The pods' busybox has no nohup applet; with a stdout that is no terminal, nohup only
    // ignores SIGHUP, which the trap does.
    const { outcome, byTask } = await run(
      options(`
- hosts: rel-c
  gather_facts: false
  tasks:
    - name: ticker
      shell: "sh -c 'trap \\"\\" HUP; while :; do echo tick; echo tock >&2; sleep 0.2; done' & echo $! >/tmp/ticker"
    - name: late
      shell: "sleep 1 && echo late &"
    - name: own
      command: echo own {{ item }}
      loop: [1, 2, 3, 4, 5, 6, 7, 8]
    - name: slow
      shell: sleep 1.2; echo slow; echo slow-err >&2
    - name: stop
      shell: kill "$(cat /tmp/ticker)"
`)
    )
    expect(outcome.exitCode).toBe(0)
    const own = byTask('own')['rel-c']?.result.results as { stdout: string; stderr: string }[]
    expect(own.map(result => [result.stdout, result.stderr])).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map(item => [`own ${item}`, ''])
    )
    expect(byTask('slow')['rel-c']?.result).toMatchObject({ stdout: 'slow', stderr: 'slow-err' })
  })

  it('survives an API server restart, latency spikes and slow output between and during tasks', async () => {
    const { outcome, byTask } = await run(
      options(`
- hosts: all
  gather_facts: false
  tasks:
    - name: first
      command: echo one
    - name: restart
      command: echo two
    - name: slow
      shell: for i in 1 2 3; do echo $i; sleep 0.3; done
`),
      event => {
        if (event.type === 'task_start' && event.task.name === 'restart') void cluster.restartApi()
        if (event.type === 'task_start' && event.task.name === 'slow') {
          cluster.setFaults({ latencyMs: 300 })
        }
      }
    )
    cluster.setFaults({ latencyMs: undefined })
    expect(outcome.exitCode).toBe(0)
    for (const host of ['rel-a', 'rel-b', 'rel-c']) {
      expect(byTask('slow')[host]?.result.stdout).toBe('1\n2\n3')
    }
  })

  it('carries 10 MiB of stdout, binary output, and a command that closes stdout early', async () => {
    const { outcome, byTask } = await run(
      options(`
- hosts: rel-b
  gather_facts: false
  tasks:
    - name: big
      shell: head -c 10485760 /dev/zero | tr '\\0' a
    - name: binary
      shell: printf 'ok\\377\\376\\000end'
    - name: closes stdout
      shell: exec >&-; echo still-running >&2; sleep 0.2
`)
    )
    expect(outcome.exitCode).toBe(0)
    expect(String(byTask('big')['rel-b']?.result.stdout).length).toBe(10 * 1024 * 1024)
    expect(String(byTask('binary')['rel-b']?.result.stdout)).toMatch(/^ok.+end$/s)
    expect(byTask('closes stdout')['rel-b']?.result).toMatchObject({
      rc: 0,
      stdout: '',
      stderr: 'still-running'
    })
  }, 120_000)

  it('a stream dropped mid-copy keeps the old file, leaves no temp file, and says so', async () => {
    const source = path.join(work, 'ten.bin')
    writeFileSync(source, randomBytes(10 << 20))
    writeFileSync(inPod('rel-c', 'tmp/target.bin'), 'old content')
    const { outcome, byTask } = await run(
      options(`
- hosts: rel-c
  gather_facts: false
  tasks:
    - name: copy big
      copy: {src: ${source}, dest: /tmp/target.bin}
`),
      event => {
        if (event.type === 'task_start') cluster.setFaults({ dropExecAfterBytes: 3 << 20 })
      }
    )
    cluster.setFaults({ dropExecAfterBytes: undefined })
    const result = byTask('copy big')['rel-c']
    expect(['unreachable', 'failed']).toContain(result?.status)
    expect(String(result?.result.msg)).toMatch(/session|stream|transfer|EOF|closure/i)
    expect(outcome.exitCode).toBe(result?.status === 'unreachable' ? 4 : 2)
    expect(readFileSync(inPod('rel-c', 'tmp/target.bin'), 'utf8')).toBe('old content')
    expect(
      readdirSync(inPod('rel-c', 'tmp')).filter(name => name.includes('kubectl-ansible'))
    ).toEqual([])
  })

  it('a pod deleted mid-play is unreachable (exit 4) while the other hosts finish', async () => {
    await cluster.addPod({ name: 'rel-doomed', labels: { app: 'rel' } })
    const { outcome, byTask } = await run(
      options(`
- hosts: all
  gather_facts: false
  tasks:
    - name: long
      shell: sleep 1; echo done
    - name: after
      command: echo after
`),
      event => {
        if (event.type === 'task_start' && event.task.name === 'long') {
          setTimeout(() => void cluster.deletePod('default', 'rel-doomed'), 300)
        }
      }
    )
    expect(outcome.exitCode).toBe(4)
    expect(outcome.stats['rel-doomed']).toMatchObject({ unreachable: 1 })
    for (const host of ['rel-a', 'rel-b', 'rel-c']) {
      expect(byTask('after')[host]?.status).toBe('changed')
      expect(outcome.stats[host]).toMatchObject({ unreachable: 0, failed: 0 })
    }
  })

  it('a missing kubectl is a clear failure, and nothing runs', async () => {
    const { outcome, results } = await run(
      options(
        `
- hosts: all
  gather_facts: false
  tasks:
    - command: touch /tmp/should-not-exist
`,
        { kubectl: { path: path.join(work, 'no-kubectl'), kubeconfig: cluster.kubeconfigPath } }
      )
    )
    expect(outcome.exitCode).not.toBe(0)
    const message = outcome.error ?? results.map(result => String(result.result.msg)).join('\n')
    expect(message).toMatch(/no-kubectl/)
    expect(message).toMatch(/ENOENT|not found/)
    for (const pod of ['rel-a', 'rel-b', 'rel-c']) {
      expect(() => readFileSync(inPod(pod, 'tmp/should-not-exist'))).toThrow()
    }
  })
})
