// The engine end to end on pods of the local test cluster, with the real kubectl: the same
// runPlaybook the CLI and the action call, pods found by label selector, one kubectl session
// per host, files really written inside the pods.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../cluster/index.js'
import { defaultRunOptions } from '../../src/cli/args.js'
import { runPlaybookCommand } from '../../src/cli/playbook.js'
import type { RunOptions } from '../../src/context.js'
import type { RunEvent } from '../../src/executor/events.js'
import { runAdhoc, runPlaybook } from '../../src/executor/index.js'

let cluster: Cluster
let work: string

beforeAll(async () => {
  cluster = await startCluster({
    pods: [
      { name: 'web-1', labels: { app: 'web' } },
      { name: 'web-2', labels: { app: 'web' }, noDd: true, noBase64: true, noSha256sum: true },
      { name: 'doomed', labels: { app: 'doomed' } }
    ]
  })
  work = mkdtempSync(path.join(tmpdir(), 'playbook-it-'))
})

afterAll(async () => {
  await cluster?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

function options(playbookText: string, extra: Partial<RunOptions> = {}): RunOptions {
  const file = path.join(work, `pb-${Math.random().toString(36).slice(2)}.yml`)
  writeFileSync(file, playbookText)
  return {
    ...defaultRunOptions(work, { PATH: process.env.PATH }),
    inventorySources: ['k8s://default?selector=app%3Dweb'],
    playbook: file,
    kubectl: { path: '/usr/bin/kubectl', kubeconfig: cluster.kubeconfigPath },
    ...extra
  }
}

async function run(opts: RunOptions, runner = runPlaybook) {
  const events: RunEvent[] = []
  const outcome = await runner(opts, event => events.push(event))
  const results = events.filter(
    (event): event is Extract<RunEvent, { type: 'host_result' }> => event.type === 'host_result'
  )
  const end = events.find(event => event.type === 'playbook_end') as Extract<
    RunEvent,
    { type: 'playbook_end' }
  >
  return { outcome, events, results, end }
}

const configurePlaybook = `
- name: configure web pods
  hosts: all
  vars:
    greeting: hello
  tasks:
    - name: write config
      copy:
        dest: /tmp/app.conf
        content: "greeting={{ greeting }} host={{ inventory_hostname }}\\n"
      notify: reload
    - name: read it back
      command: cat /tmp/app.conf
      register: conf
    - name: loop over items
      shell: echo {{ item }} >> /tmp/items.txt
      loop: [a, b, c]
    - name: facts were gathered without python
      assert:
        that:
          - ansible_facts.kernel | length > 0
          - ansible_system == 'Linux'
    - name: block with rescue
      block:
        - command: /bin/false
      rescue:
        - set_fact:
            rescued_from: "{{ ansible_failed_result.rc }}"
  handlers:
    - name: reload
      shell: echo reloaded > /tmp/reloaded
`

describe('playbooks on test-cluster pods', () => {
  it('runs a play on every pod of a selector with one kubectl session per pod', async () => {
    const { outcome, results, end } = await run(options(configurePlaybook))
    expect(outcome.error).toBeUndefined()
    expect(outcome.exitCode).toBe(0)
    expect(Object.keys(outcome.stats).sort()).toEqual(['web-1', 'web-2'])
    for (const pod of ['web-1', 'web-2']) {
      const root = cluster.podRoot('default', pod)
      expect(readFileSync(path.join(root, 'tmp/app.conf'), 'utf8')).toBe(
        `greeting=hello host=${pod}\n`
      )
      expect(readFileSync(path.join(root, 'tmp/items.txt'), 'utf8')).toBe('a\nb\nc\n')
      expect(readFileSync(path.join(root, 'tmp/reloaded'), 'utf8')).toBe('reloaded\n')
      expect(outcome.stats[pod]).toMatchObject({ failed: 0, rescued: 1, unreachable: 0 })
    }
    const readBack = results.filter(result => result.task.name === 'read it back')
    expect(readBack.map(result => result.result.stdout)).toEqual([
      'greeting=hello host=web-1',
      'greeting=hello host=web-2'
    ])
    // The pod listing is one process; each pod is served by one long-lived exec session.
    expect(end.kubectlProcesses).toBeLessThanOrEqual(3)
  })

  it('leaves the copied file unchanged on a second run, so no handler runs', async () => {
    const { outcome, results } = await run(options(configurePlaybook))
    expect(outcome.exitCode).toBe(0)
    const copy = results.filter(result => result.task.name === 'write config')
    expect(copy.map(result => result.status)).toEqual(['ok', 'ok'])
    expect(results.some(result => result.task.handler)).toBe(false)
  })

  it('reports check mode without touching the pods', async () => {
    const playbook = `
- hosts: all
  gather_facts: false
  tasks:
    - copy: {dest: /tmp/check.txt, content: "x"}
`
    const { outcome, results } = await run(options(playbook, { check: true }))
    expect(outcome.exitCode).toBe(0)
    expect(results.map(result => result.status)).toEqual(['changed', 'changed'])
    for (const pod of ['web-1', 'web-2']) {
      expect(() =>
        readFileSync(path.join(cluster.podRoot('default', pod), 'tmp/check.txt'))
      ).toThrow()
    }
  })

  it('marks a pod deleted mid-play unreachable, exit 4, while the others continue', async () => {
    await cluster.addPod({ name: 'gone-soon', labels: { app: 'fragile' } })
    await cluster.addPod({ name: 'stays', labels: { app: 'fragile' } })
    const playbook = `
- hosts: all
  gather_facts: false
  tasks:
    - command: echo first
    - name: delete one pod
      command: echo deleting
      delegate_to: localhost
      run_once: true
    - command: echo second
`
    const events: RunEvent[] = []
    const outcome = await runPlaybook(
      options(playbook, { inventorySources: ['k8s://default?selector=app%3Dfragile'] }),
      event => {
        events.push(event)
        if (event.type === 'host_result' && event.task.name === 'delete one pod') {
          void cluster.deletePod('default', 'gone-soon')
        }
      }
    )
    // Deletion is asynchronous to the listener: give the last task a pod that is gone.
    expect(outcome.exitCode).toBe(4)
    expect(outcome.stats['gone-soon'].unreachable).toBe(1)
    // run_once gave its one result to the first host, so `stays` has two tasks.
    expect(outcome.stats.stays).toMatchObject({ ok: 2, failed: 0, unreachable: 0 })
  })

  it('never prints no_log values, in console output or --json', async () => {
    const file = path.join(work, 'secret.yml')
    writeFileSync(
      file,
      `
- hosts: all
  gather_facts: false
  tasks:
    - command: echo s3cr3t-value
      no_log: true
      register: out
    - debug: msg="length {{ out.stdout | length }}"
`
    )
    for (const extra of [[], ['--json']]) {
      let stdout = ''
      let stderr = ''
      const code = await runPlaybookCommand(
        [
          '-i',
          'k8s://default?selector=app%3Dweb',
          '--kubeconfig',
          cluster.kubeconfigPath,
          '--kubectl',
          '/usr/bin/kubectl',
          ...extra,
          file
        ],
        {
          stdout: text => void (stdout += text),
          stderr: text => void (stderr += text),
          cwd: work,
          env: { PATH: process.env.PATH }
        }
      )
      expect(code).toBe(0)
      expect(stdout + stderr).not.toContain('s3cr3t-value')
      expect(stdout).toContain('length 12')
    }
  })

  it('runs an ad-hoc module on the pods of a selector', async () => {
    const opts: RunOptions = {
      ...options(''),
      playbook: undefined,
      adhoc: { pattern: 'all', module: 'shell', args: 'echo $((6 * 7))' }
    }
    const { outcome, results } = await run(opts, runAdhoc)
    expect(outcome.exitCode).toBe(0)
    expect(results.map(result => [result.host, result.result.stdout])).toEqual([
      ['web-1', '42'],
      ['web-2', '42']
    ])
  })
})
