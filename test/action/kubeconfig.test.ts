// Kubeconfig building and writing, secret registration/scrubbing, run options from inputs, and
// post cleanup — in-process, with the real @actions/core writing to temp runner files.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Inputs } from '../../src/action/inputs.js'
import {
  kubeconfigFromAccess,
  registerKubeconfigSecrets,
  writeKubeconfig
} from '../../src/action/kubeconfig.js'
import { post } from '../../src/action/post.js'
import { createRunDir } from '../../src/action/run-dir.js'
import { buildRunOptions, podSource, tasksPlaybook } from '../../src/action/run-options.js'
import { SecretRegistry } from '../../src/action/secrets.js'
import { makeRunnerDirs, runnerEnv, type RunnerDirs } from './env.js'
import { readCommandFile } from './runner.js'

let dirs: RunnerDirs
const saved = { ...process.env }

beforeEach(() => {
  dirs = makeRunnerDirs()
  Object.assign(process.env, runnerEnv(dirs))
})

afterEach(() => {
  for (const key of Object.keys(runnerEnv(dirs))) process.env[key] = saved[key]
  for (const key of Object.keys(process.env)) if (key.startsWith('STATE_')) delete process.env[key]
  dirs.cleanup()
  vi.restoreAllMocks()
})

/** What @actions/core printed to stdout (commands like ::add-mask::). */
function captureStdout(): () => string {
  const chunks: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    chunks.push(String(chunk))
    return true
  })
  return () => chunks.join('')
}

describe('kubeconfig', () => {
  it('builds a kubeconfig from server, token and CA, and another with insecure-skip-tls-verify', () => {
    const text = kubeconfigFromAccess({
      server: 'https://10.1.2.3:6443',
      token: 'tok-"quoted"\nline',
      certificateAuthorityData: 'Q0E=',
      insecureSkipTlsVerify: false
    })
    const config = parse(text as string)
    expect(config['current-context']).toBe('kubectl-ansible')
    expect(config.clusters[0].cluster).toEqual({
      server: 'https://10.1.2.3:6443',
      'certificate-authority-data': 'Q0E='
    })
    expect(config.users[0].user.token).toBe('tok-"quoted"\nline')
    const insecure = parse(
      kubeconfigFromAccess({ server: 'https://h', insecureSkipTlsVerify: true }) as string
    )
    expect(insecure.clusters[0].cluster['insecure-skip-tls-verify']).toBe(true)
    expect(insecure.users[0].user).toEqual({})
    expect(kubeconfigFromAccess({ insecureSkipTlsVerify: false })).toBeUndefined()
  })

  it('registers every credential of a kubeconfig with the runner and scrubs them', () => {
    const printed = captureStdout()
    const key = '-----BEGIN KEY-----\nprivate-key-body\n-----END KEY-----\n'
    const text = [
      'apiVersion: v1',
      'clusters: [{name: c, cluster: {server: "https://x"}}]',
      'users:',
      '  - name: a',
      `    user: {token: tok-aaaa, client-key-data: ${Buffer.from(key).toString('base64')}}`,
      '  - name: b',
      '    user: {username: admin, password: pw-bbbb}',
      '  - name: c',
      '    user: {exec: {command: x, env: [{name: API_TOKEN, value: envtok-cccc}]}}'
    ].join('\n')
    const secrets = new SecretRegistry()
    registerKubeconfigSecrets(text, secrets)
    const output = printed()
    for (const value of ['tok-aaaa', 'pw-bbbb', 'envtok-cccc'])
      expect(output).toContain(`::add-mask::${value}\n`)
    expect(output).toContain('private-key-body')
    expect(output).not.toContain('::add-mask::admin')
    expect(secrets.scrub('a tok-aaaa b {"k":"pw-bbbb"} envtok-cccc')).toBe(
      'a *** b {"k":"***"} ***'
    )
    expect(secrets.scrub(JSON.stringify({ key }))).toBe('{"key":"***"}')
    // Malformed text: masked as a whole, never parsed into an error message.
    expect(() =>
      registerKubeconfigSecrets('users: [token: {unclosed-secret', secrets)
    ).not.toThrow()
    expect(printed()).toContain('::add-mask::users: [token: {unclosed-secret')
  })

  it('writes the kubeconfig 0600 in a 0700 run dir saved as state, which post removes', async () => {
    captureStdout()
    const runDir = await createRunDir()
    expect(path.dirname(runDir)).toBe(dirs.temp)
    expect(statSync(runDir).mode & 0o777).toBe(0o700)
    expect(readCommandFile(dirs.stateFile)['run-dir']).toBe(runDir)
    const file = await writeKubeconfig(runDir, 'apiVersion: v1\n')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    await expect(writeKubeconfig(runDir, 'again')).rejects.toThrow(/EEXIST/)

    process.env['STATE_run-dir'] = runDir
    await post()
    expect(existsSync(runDir)).toBe(false)
  })

  it('post refuses to delete a directory it did not create, with a warning only', async () => {
    const printed = captureStdout()
    const elsewhere = path.join(dirs.root, 'workspace')
    process.env['STATE_run-dir'] = elsewhere
    await post()
    expect(existsSync(elsewhere)).toBe(true)
    expect(printed()).toContain(`::warning::post: not removing ${elsewhere}`)
    expect(process.exitCode ?? 0).toBe(0)
  })
})

describe('run options', () => {
  const baseInputs: Inputs = {
    workload: {
      kind: 'tasks',
      text: '- name: a\n  shell: |\n    echo one\n\n    echo two\n',
      hosts: 'web:&prod'
    },
    inventory: [
      { kind: 'inline', text: 'all:\n  hosts:\n    h1:\n' },
      { kind: 'inline', text: '[web]\nh2 ansible_connection=local' },
      { kind: 'source', source: 'h3,' }
    ],
    pods: { namespace: 'shop', selector: 'app=web,tier in (a,b)', container: 'main' },
    access: { insecureSkipTlsVerify: false, context: 'ctx' },
    kubectlVersion: { kind: 'system' },
    kubectlMirror: 'https://dl.k8s.io/release',
    extraVars: '{"a": 1}',
    tags: ['t'],
    skipTags: [],
    check: true,
    diff: false,
    forks: 7,
    timeoutSec: 9,
    shard: { index: 2, count: 3 },
    failOn: 'failed',
    summary: true,
    verbosity: 1,
    exportKubeconfig: false
  }

  it('writes inline content to private files and maps every option', async () => {
    const runDir = path.join(dirs.temp, 'kubectl-ansible-x')
    mkdirSync(runDir)
    const options = await buildRunOptions(baseInputs, {
      cwd: dirs.workspace,
      runDir,
      kubectlPath: '/usr/bin/kubectl',
      kubeconfig: '/k/config',
      env: { PATH: '/bin', INPUT_TOKEN: 'secret-token' }
    })
    expect(options.inventorySources).toEqual([
      path.join(runDir, 'inventory-1.yml'),
      path.join(runDir, 'inventory-2.ini'),
      'h3,',
      'k8s://shop?selector=app%3Dweb%2Ctier+in+%28a%2Cb%29&container=main'
    ])
    expect(statSync(path.join(runDir, 'inventory-2.ini')).mode & 0o777).toBe(0o600)
    expect(options).toMatchObject({
      cwd: dirs.workspace,
      playbook: path.join(runDir, 'tasks.yml'),
      extraVars: [`@${path.join(runDir, 'extra-vars.yml')}`],
      tags: ['t'],
      check: true,
      forks: 7,
      timeoutSec: 9,
      verbosity: 1,
      shard: { index: 2, count: 3 },
      kubectl: { path: '/usr/bin/kubectl', kubeconfig: '/k/config', context: 'ctx' },
      env: { PATH: '/bin', KUBECONFIG: '/k/config' }
    })
    expect(readFileSync(path.join(runDir, 'extra-vars.yml'), 'utf8')).toBe('{"a": 1}\n')
    expect(options.env.INPUT_TOKEN).toBeUndefined()
    const play = parse(readFileSync(options.playbook as string, 'utf8'))
    expect(play).toEqual([
      {
        hosts: 'web:&prod',
        gather_facts: false,
        tasks: [{ name: 'a', shell: 'echo one\n\necho two\n' }]
      }
    ])
  })

  it('turns a module input into an ad-hoc run and selects a namespace without selector', async () => {
    const options = await buildRunOptions(
      {
        ...baseInputs,
        workload: { kind: 'module', module: 'ping', args: '', hosts: 'all' },
        inventory: [],
        extraVars: 'x=1 y=2'
      },
      { cwd: dirs.workspace, runDir: dirs.temp, kubectlPath: 'kubectl', env: {} }
    )
    expect(options.adhoc).toEqual({ pattern: 'all', module: 'ping', args: '' })
    expect(options.extraVars).toEqual(['x=1 y=2'])
    expect(options.playbook).toBeUndefined()
    expect(podSource({ namespace: 'default', selector: '' })).toBe('k8s://default')
    expect(tasksPlaybook('- ping:\n', 'all')).toBe(
      '- hosts: "all"\n  gather_facts: false\n  tasks:\n    - ping:\n'
    )
  })
})
