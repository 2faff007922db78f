import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { getInputs } from '../../src/action/inputs.js'
import { setInputs } from './env.js'

const workspace = mkdtempSync(path.join(os.tmpdir(), 'kaa-inputs-'))
writeFileSync(path.join(workspace, 'site.yml'), '- hosts: all\n  tasks: []\n')
writeFileSync(path.join(workspace, 'hosts.ini'), 'h1\n')
writeFileSync(path.join(workspace, 'vars.yml'), 'a: 1\n')
afterAll(() => rmSync(workspace, { recursive: true, force: true }))
afterEach(() => setInputs({}))

const kubeconfigText = [
  'apiVersion: v1',
  'kind: Config',
  'clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]',
  'users: [{name: u, user: {token: s3cr3t-token-value}}]',
  'contexts: [{name: x, context: {cluster: c, user: u}}]',
  'current-context: x',
  ''
].join('\n')

function inputsWith(values: Record<string, string>) {
  setInputs(values)
  return getInputs(workspace)
}

function errorOf(values: Record<string, string>): string {
  try {
    inputsWith(values)
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected getInputs to throw')
}

describe('getInputs', () => {
  it('applies defaults when only a playbook path is given', () => {
    const inputs = inputsWith({ playbook: 'site.yml' })
    expect(inputs.workload).toEqual({ kind: 'playbook', path: path.join(workspace, 'site.yml') })
    expect(inputs).toMatchObject({
      inventory: [],
      kubectlVersion: { kind: 'system' },
      kubectlMirror: 'https://dl.k8s.io/release',
      tags: [],
      skipTags: [],
      check: false,
      diff: false,
      forks: 5,
      timeoutSec: 0,
      failOn: 'failed',
      summary: true,
      verbosity: 0,
      exportKubeconfig: false
    })
    expect(inputs.shard).toBeUndefined()
    expect(inputs.pods).toBeUndefined()
  })

  it('parses every option input', () => {
    const inputs = inputsWith({
      tasks: '- ping:\n',
      hosts: 'web',
      inventory: 'hosts.ini',
      tags: 'a, b\nc',
      'skip-tags': 'slow',
      check: 'true',
      diff: 'yes',
      forks: '20',
      timeout: '30',
      shard: '3/4',
      'fail-on': 'changed',
      summary: 'false',
      verbosity: '-vv',
      limit: 'web[0]',
      'extra-vars': '{"x": [1, 2]}',
      'kubectl-version': '1.31.9',
      'kubectl-mirror': 'http://mirror.local/k8s/',
      'export-kubeconfig': 'true'
    })
    expect(inputs.workload).toEqual({ kind: 'tasks', text: '- ping:', hosts: 'web' })
    expect(inputs.inventory).toEqual([
      { kind: 'source', source: path.join(workspace, 'hosts.ini') }
    ])
    expect(inputs).toMatchObject({
      tags: ['a', 'b', 'c'],
      skipTags: ['slow'],
      check: true,
      diff: true,
      forks: 20,
      timeoutSec: 30,
      shard: { index: 3, count: 4 },
      failOn: 'changed',
      summary: false,
      verbosity: 2,
      limit: 'web[0]',
      extraVars: '{"x": [1, 2]}',
      kubectlVersion: { kind: 'exact', version: 'v1.31.9' },
      kubectlMirror: 'http://mirror.local/k8s',
      exportKubeconfig: true
    })
  })

  it('reads ad-hoc module, pods selection and inline inventory', () => {
    const inputs = inputsWith({
      module: 'ansible.builtin.command',
      args: 'uptime',
      namespace: 'shop',
      selector: 'app=web',
      container: 'main',
      inventory: '[web]\nh1 ansible_connection=local\n'
    })
    expect(inputs.workload).toEqual({
      kind: 'module',
      module: 'ansible.builtin.command',
      args: 'uptime',
      hosts: 'all'
    })
    expect(inputs.pods).toEqual({ namespace: 'shop', selector: 'app=web', container: 'main' })
    expect(inputs.inventory).toEqual([
      { kind: 'inline', text: '[web]\nh1 ansible_connection=local' }
    ])
  })

  it('takes several sources, one per line, and host lists as they are', () => {
    const inputs = inputsWith({
      playbook: 'site.yml',
      inventory: 'hosts.ini\nh7,h8,\nk8s://ns?selector=a%3Db'
    })
    expect(inputs.inventory).toEqual([
      { kind: 'source', source: path.join(workspace, 'hosts.ini') },
      { kind: 'source', source: 'h7,h8,' },
      { kind: 'source', source: 'k8s://ns?selector=a%3Db' }
    ])
  })

  it('detects an inline playbook and resolves @file extra vars', () => {
    const inputs = inputsWith({
      playbook: '- hosts: all\n  tasks:\n    - ping:\n',
      'extra-vars': '@vars.yml'
    })
    expect(inputs.workload.kind).toBe('inline-playbook')
    expect(inputs.extraVars).toBe(`@${path.join(workspace, 'vars.yml')}`)
  })

  it('decodes base64 kubeconfig content and builds access from server inputs', () => {
    const base64 = Buffer.from(kubeconfigText)
      .toString('base64')
      .replace(/(.{60})/g, '$1\n')
    expect(inputsWith({ playbook: 'site.yml', kubeconfig: base64 }).access.kubeconfigText).toBe(
      kubeconfigText
    )
    expect(
      inputsWith({ playbook: 'site.yml', kubeconfig: kubeconfigText }).access.kubeconfigText
    ).toBe(kubeconfigText.trim())
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'
    const access = inputsWith({
      playbook: 'site.yml',
      server: 'https://10.0.0.1:6443',
      token: 'tok',
      'certificate-authority-data': pem,
      context: 'ctx'
    }).access
    expect(access).toMatchObject({ server: 'https://10.0.0.1:6443', token: 'tok', context: 'ctx' })
    expect(Buffer.from(access.certificateAuthorityData ?? '', 'base64').toString()).toBe(`${pem}\n`)
  })

  it.each([
    [
      { playbook: 'site.yml', forks: 'many' },
      "input 'forks': invalid value 'many': expected a positive whole number"
    ],
    [{ playbook: 'site.yml', forks: '0' }, "input 'forks': invalid value '0'"],
    [
      { playbook: 'site.yml', shard: '3/2' },
      "input 'shard': invalid value '3/2': expected i/n with 1 <= i <= n"
    ],
    [{ playbook: 'site.yml', shard: '0/2' }, "input 'shard'"],
    [
      { playbook: 'site.yml', 'fail-on': 'sometimes' },
      "input 'fail-on': invalid value 'sometimes'"
    ],
    [
      { playbook: 'site.yml', check: 'maybe' },
      "input 'check': invalid value 'maybe': expected true or false"
    ],
    [{ playbook: 'site.yml', verbosity: '9' }, "input 'verbosity'"],
    [{ playbook: 'site.yml', timeout: '-1' }, "input 'timeout'"],
    [
      { playbook: 'site.yml', 'kubectl-version': '1.31' },
      "input 'kubectl-version': invalid value '1.31'"
    ],
    [{ playbook: 'site.yml', 'kubectl-mirror': 'ftp://x' }, "input 'kubectl-mirror'"],
    [
      { playbook: 'site.yml', tasks: '- ping:' },
      'exactly one of playbook, tasks, module is needed; playbook and tasks are set'
    ],
    [{}, 'exactly one of playbook, tasks, module is needed; none is set'],
    [{ playbook: 'missing.yml' }, "input 'playbook': file not found: missing.yml"],
    [{ playbook: '- hosts: all\n  tasks: [\n' }, "input 'playbook': line"],
    [{ tasks: 'name: not a list\n' }, "input 'tasks': expected a YAML list of tasks"],
    [{ module: 'rm -rf' }, "input 'module': 'rm -rf' is not a module name"],
    [
      { playbook: 'site.yml', inventory: 'nope.ini' },
      "input 'inventory': file not found: nope.ini"
    ],
    [
      { playbook: 'site.yml', 'extra-vars': '@nope.yml' },
      "input 'extra-vars': file not found: nope.yml"
    ],
    [
      { playbook: 'site.yml', 'extra-vars': '- a\n- b' },
      "input 'extra-vars': expected a YAML/JSON mapping"
    ],
    [{ playbook: 'site.yml', token: 'abc' }, "input 'token': needs 'server'"],
    [
      { playbook: 'site.yml', server: 'https://a', kubeconfig: kubeconfigText },
      "input 'server': cannot be combined"
    ],
    [{ playbook: 'site.yml', server: 'not a url' }, "input 'server': expected an https:// URL"],
    [{ playbook: 'site.yml', container: 'c' }, "input 'container': needs namespace or selector"],
    [
      { playbook: 'site.yml', namespace: 'Bad_NS' },
      "input 'namespace': 'Bad_NS' is not a valid namespace name"
    ],
    [
      { playbook: 'site.yml', server: 'https://a', 'certificate-authority-data': 'zz' },
      "input 'certificate-authority-data'"
    ]
  ])('rejects %j', (values, message) => {
    expect(errorOf(values)).toContain(message)
  })

  it('never echoes a malformed kubeconfig, which may still hold a secret', () => {
    const message = errorOf({
      playbook: 'site.yml',
      kubeconfig: 'token: hunter2-secret\nnot a kubeconfig'
    })
    expect(message).toBe(
      "input 'kubeconfig': is neither kubeconfig YAML, nor its base64, nor an existing file path"
    )
  })
})
