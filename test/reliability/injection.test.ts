// Hostile text in host names, pod names, paths, variable values and module arguments must stay
// data: every payload below tries to create a marker file, in the pod and on the runner; none
// may appear, and the values must arrive byte for byte.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { startCluster, type Cluster } from '../cluster/index.js'
import { defaultRunOptions } from '../../src/cli/args.js'
import type { RunEvent } from '../../src/executor/events.js'
import { runPlaybook } from '../../src/executor/index.js'

const MARK = `pwned-${randomBytes(4).toString('hex')}`
let cluster: Cluster
let work: string

/** A payload for every shell quoting context: quotes, ;, $(), backticks, newline, non-ASCII. */
function payload(tag: string): string {
  return `x'"; touch /tmp/${MARK}-${tag}a; $(touch /tmp/${MARK}-${tag}b) \`touch /tmp/${MARK}-${tag}c\` \\\n ü 🎉 %s %%`
}

beforeAll(async () => {
  cluster = await startCluster({ pods: [{ name: 'inj' }] })
  work = mkdtempSync(path.join(tmpdir(), 'injection-'))
})

afterAll(async () => {
  await cluster?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

function markers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter(name => name.startsWith(MARK)) : []
}

describe('injection', () => {
  it('keeps hostile names, paths, values and arguments as data', async () => {
    const value = payload('v')
    const dir = `/tmp/dir ${payload('d').replaceAll('/', '_')}`
    const file = `${dir}/f ${payload('f').replaceAll('/', '_')}.txt`
    const hostName = `host ${payload('h')}`
    const inventory = path.join(work, 'inventory.yml')
    writeFileSync(
      inventory,
      stringify({
        all: {
          hosts: {
            [hostName]: { ansible_connection: 'kubectl', ansible_kubectl_pod: 'inj' },
            badpod: { ansible_connection: 'kubectl', ansible_kubectl_pod: payload('p') }
          },
          vars: { evil: value, evil_dir: dir, evil_file: file }
        }
      })
    )
    const playbook = path.join(work, 'playbook.yml')
    writeFileSync(
      playbook,
      `
- hosts: all
  gather_facts: false
  tasks:
    - name: argv command
      command:
        argv: [printf, '%s', '{{ evil }}']
    - name: quoted shell
      shell: printf '%s' {{ evil | quote }}
    - name: environment
      shell: printf '%s' "$EVIL"
      environment:
        EVIL: '{{ evil }}'
    - name: directory
      file: {path: '{{ evil_dir }}', state: directory}
    - name: copy
      copy: {content: '{{ evil }}', dest: '{{ evil_file }}'}
    - name: lineinfile
      lineinfile: {path: '{{ evil_file }}', line: 'second {{ evil }}'}
    - name: stat
      stat: {path: '{{ evil_file }}'}
    - name: slurp
      slurp: {src: '{{ evil_file }}'}
    - name: fetch
      fetch: {src: '{{ evil_file }}', dest: '${work}/fetched/', flat: true}
`
    )
    const events: RunEvent[] = []
    const outcome = await runPlaybook(
      {
        ...defaultRunOptions(work, { PATH: process.env.PATH, HOME: work }),
        inventorySources: [inventory],
        playbook,
        kubectl: { path: '/usr/bin/kubectl', kubeconfig: cluster.kubeconfigPath }
      },
      event => events.push(event)
    )
    const results = events.filter(
      (event): event is Extract<RunEvent, { type: 'host_result' }> => event.type === 'host_result'
    )
    const result = (task: string) => results.find(r => r.task.name === task && r.host === hostName)

    // The pod name is one argv word for kubectl: a NotFound, nothing run.
    const bad = results.find(r => r.host === 'badpod')
    expect(bad?.status).toBe('unreachable')
    expect(outcome.exitCode).toBe(4)

    expect(result('argv command')?.result.stdout).toBe(value)
    expect(result('quoted shell')?.result.stdout).toBe(value)
    expect(result('environment')?.result.stdout).toBe(value)
    for (const task of ['directory', 'copy', 'lineinfile', 'stat', 'slurp', 'fetch']) {
      expect({ task, status: result(task)?.status }).toMatchObject({
        status: expect.stringMatching(/^(ok|changed)$/)
      })
    }
    const written = readFileSync(path.join(cluster.podRoot('default', 'inj'), file), 'utf8')
    expect(written).toBe(`${value}\nsecond ${value}\n`)
    expect(Buffer.from(String(result('slurp')?.result.content), 'base64').toString()).toBe(written)
    expect(readdirSync(path.join(work, 'fetched'))).toHaveLength(1)

    expect(markers(path.join(cluster.podRoot('default', 'inj'), 'tmp'))).toEqual([])
    expect(markers('/tmp')).toEqual([])
    expect(markers(work)).toEqual([])
  })
})
