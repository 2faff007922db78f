// Secret scan: the action runs (main, then post, as the runner does) with a token, then with a
// kubeconfig, and a no_log task carrying a unique secret. While it runs, /proc is sampled; after
// it, every output channel and every file left in RUNNER_TEMP is searched.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { readFile, readdir, readlink } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../cluster/index.js'
import { makeRunnerDirs, runnerEnv, type RunnerDirs } from '../action/env.js'
import { readCommandFile } from '../action/runner.js'

const repoRoot = path.resolve(import.meta.dirname, '../..')
const tsx = path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs')
let cluster: Cluster

beforeAll(async () => {
  cluster = await startCluster({
    pods: [
      { name: 'sec-1', labels: { app: 'sec' } },
      { name: 'sec-2', labels: { app: 'sec' } }
    ]
  })
})

afterAll(async () => {
  await cluster?.stop()
})

interface ProcessSample {
  pid: string
  cmdline: string
  environ: string
  /** Runs inside a pod (another pid namespace): a command there carries its own text. */
  inPod: boolean
}

/** Every process on the machine except the action's own (whose environment holds INPUT_*). */
async function sampleProcesses(actionPids: Set<string>): Promise<ProcessSample[]> {
  const samples: ProcessSample[] = []
  const ownNamespace = await readlink('/proc/self/ns/pid')
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || actionPids.has(pid)) continue
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    // The action's own node processes (tsx stands in for `node dist/index.js`) and tsx's
    // esbuild service: the runner gives the action its inputs in its environment.
    if (cmdline.includes(path.join(repoRoot, 'node_modules/'))) {
      actionPids.add(pid)
      continue
    }
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
    const namespace = await readlink(`/proc/${pid}/ns/pid`).catch(() => ownNamespace)
    samples.push({
      pid,
      cmdline: cmdline.replaceAll('\0', ' '),
      environ,
      inPod: namespace !== ownNamespace
    })
  }
  return samples
}

function runStep(
  entry: string,
  dirs: RunnerDirs,
  env: Record<string, string>,
  onSample: (samples: ProcessSample[]) => void
): Promise<{ code: number; stdout: string; stderr: string }> {
  const actionPids = new Set<string>([String(process.pid)])
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, path.join(repoRoot, entry)], {
      cwd: dirs.workspace,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dirs.root,
        ...runnerEnv(dirs),
        ...env
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    actionPids.add(String(child.pid))
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    let sampling = true
    const loop = (async () => {
      while (sampling) {
        onSample(await sampleProcesses(actionPids))
        await new Promise(resolve => setTimeout(resolve, 25))
      }
    })()
    child.on('error', reject)
    child.on('close', code => {
      sampling = false
      void loop.then(() => resolve({ code: code ?? -1, stdout, stderr }))
    })
  })
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(full) : [full]
  })
}

async function scanRun(inputs: Record<string, string>, secrets: string[]) {
  const credentials = secrets.slice(0, -1)
  const dirs = makeRunnerDirs()
  try {
    const noLogSecret = secrets[secrets.length - 1]!
    writeFileSync(
      path.join(dirs.workspace, 'playbook.yml'),
      `
- hosts: all
  gather_facts: false
  tasks:
    - name: carry a secret
      shell: printf '%s' "{{ secret_value }}" > /tmp/secret.txt; sleep 1; cat /tmp/secret.txt
      no_log: true
      vars:
        secret_value: ${noLogSecret}
    - name: fail with a secret
      command: /bin/false ${noLogSecret}
      no_log: true
      ignore_errors: true
`
    )
    const env: Record<string, string> = {
      INPUT_PLAYBOOK: 'playbook.yml',
      INPUT_NAMESPACE: 'default',
      INPUT_SELECTOR: 'app=sec'
    }
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
    const leaks: string[] = []
    let kubectlSeen = 0
    const onSample = (samples: ProcessSample[]) => {
      for (const sample of samples) {
        if (/kubectl/.test(sample.cmdline)) kubectlSeen++
        // In the pod, the task's own command line holds what the task says (as with Ansible);
        // credentials must not be there either.
        for (const secret of sample.inPod ? credentials : secrets) {
          if (sample.cmdline.includes(secret))
            leaks.push(`argv of ${sample.pid}: ${sample.cmdline.slice(0, 120)}`)
          if (sample.environ.includes(secret))
            leaks.push(`environ of ${sample.pid}: ${sample.cmdline.slice(0, 120)}`)
        }
      }
    }
    const main = await runStep('src/index.ts', dirs, env, onSample)
    expect(main.stderr).not.toMatch(/Error:|at .*\.ts:\d+/)
    const outputs = readCommandFile(dirs.outputFile)
    const state = readCommandFile(dirs.stateFile)
    const stateEnv = Object.fromEntries(
      Object.entries(state).map(([key, value]) => [`STATE_${key}`, value])
    )
    const post = await runStep('src/post.ts', dirs, { ...env, ...stateEnv }, onSample)

    const channels: Record<string, string> = {
      'main stdout (without ::add-mask:: commands)': main.stdout.replace(/^::add-mask::.*$/gm, ''),
      'main stderr': main.stderr,
      'post stdout': post.stdout.replace(/^::add-mask::.*$/gm, ''),
      'post stderr': post.stderr,
      GITHUB_OUTPUT: readFileSync(dirs.outputFile, 'utf8'),
      GITHUB_STEP_SUMMARY: readFileSync(dirs.summaryFile, 'utf8'),
      GITHUB_STATE: readFileSync(dirs.stateFile, 'utf8'),
      GITHUB_ENV: readFileSync(dirs.envFile, 'utf8')
    }
    for (const file of filesUnder(dirs.temp))
      channels[`RUNNER_TEMP file ${path.relative(dirs.temp, file)}`] = readFileSync(file, 'latin1')
    for (const [name, text] of Object.entries(channels)) {
      for (const secret of secrets) if (text.includes(secret)) leaks.push(name)
    }
    return { main, post, outputs, leaks, kubectlSeen, tempFiles: filesUnder(dirs.temp) }
  } finally {
    dirs.cleanup()
  }
}

describe('secret scan', () => {
  it('a token input and a no_log secret appear nowhere', async () => {
    const noLogSecret = `nolog-${randomBytes(8).toString('hex')}`
    const ca = cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : ''
    const { main, outputs, leaks, kubectlSeen } = await scanRun(
      { server: cluster.server, token: cluster.token, 'certificate-authority-data': ca },
      [cluster.token, noLogSecret]
    )
    expect(leaks).toEqual([])
    expect(kubectlSeen).toBeGreaterThan(0)
    expect(main.code).toBe(0)
    expect(outputs['ok-hosts']?.split(',').sort()).toEqual(['sec-1', 'sec-2'])
    // The secret did reach the pods, so the test would have seen a leak.
    expect(
      readFileSync(path.join(cluster.podRoot('default', 'sec-1'), 'tmp/secret.txt'), 'utf8')
    ).toBe(noLogSecret)
  }, 180_000)

  it('a kubeconfig input (base64) leaks neither its token nor itself', async () => {
    const noLogSecret = `nolog-${randomBytes(8).toString('hex')}`
    const kubeconfig = Buffer.from(cluster.kubeconfig).toString('base64')
    const { main, leaks, kubectlSeen, tempFiles } = await scanRun({ kubeconfig }, [
      cluster.token,
      kubeconfig,
      noLogSecret
    ])
    expect(leaks).toEqual([])
    expect(kubectlSeen).toBeGreaterThan(0)
    expect(main.code).toBe(0)
    for (const file of tempFiles) expect(statSync(file).mode & 0o077).toBe(0)
  }, 180_000)
})
