// End to end: the bundled action (node index.js, node post.js) as the runner runs it, against the
// local test cluster with the real kubectl. Asserts outputs, summary, reports, annotations, exit
// codes, cleanup by post, and that no secret reaches anything the action writes.
import { createHash } from 'node:crypto'
import {
  createReadStream,
  existsSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync
} from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../cluster/index.js'
import { BUILD_TIMEOUT_MS, buildAction } from './bundle.js'
import { makeRunnerDirs, type RunnerDirs } from './env.js'
import { readCommandFile, runStep, stateEnv, type StepRun } from './runner.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const apiKey = 's3cr3t-api-key-7f3a9c'
let bundleDir: string
let cluster: Cluster
let dirs: RunnerDirs

beforeAll(async () => {
  // What ships: the ncc bundles of src/index.ts and src/post.ts.
  bundleDir = await buildAction(repoRoot)
  cluster = await startCluster({
    pods: ['web-0', 'web-1', 'web-2'].map(name => ({
      name,
      labels: { app: 'web', tier: 'front' }
    }))
  })
}, BUILD_TIMEOUT_MS + 60_000)

afterAll(async () => {
  await cluster?.stop()
})

afterEach(() => dirs?.cleanup())

const main = (inputs: Record<string, string>): Promise<StepRun> =>
  runStep(path.join(bundleDir, 'index.js'), dirs, inputs)
const post = (): Promise<StepRun> =>
  runStep(path.join(bundleDir, 'post.js'), dirs, {}, stateEnv(dirs))

function workspaceFile(name: string, text: string): void {
  writeFileSync(path.join(dirs.workspace, name), text)
}

/** Every file the action wrote, read before post removes them. */
function artifacts(run: StepRun): Record<string, string> {
  const outputs = readCommandFile(dirs.outputFile)
  const texts: Record<string, string> = {
    // `::add-mask::` lines are how the runner learns secrets; they never reach the visible log.
    stdout: run.stdout
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      .join('\n'),
    stderr: run.stderr,
    outputs: readFileSync(dirs.outputFile, 'utf8'),
    summary: readFileSync(dirs.summaryFile, 'utf8'),
    env: readFileSync(dirs.envFile, 'utf8')
  }
  if (outputs.report) {
    texts.report = readFileSync(outputs.report, 'utf8')
    texts.junit = readFileSync(outputs.report.replace(/\.json$/, '.xml'), 'utf8')
  }
  return texts
}

function expectNoSecrets(texts: Record<string, string>, secrets: string[]): void {
  for (const [where, text] of Object.entries(texts)) {
    for (const secret of secrets)
      expect(text.includes(secret), `${where} contains a secret`).toBe(false)
  }
}

async function expectPostCleansUp(): Promise<void> {
  const cleanup = await post()
  expect(cleanup.code).toBe(0)
  expect(cleanup.stdout).not.toContain('::warning')
  expect(readdirSync(dirs.temp)).toEqual([])
}

describe('the bundled action against the test cluster', () => {
  it('runs a playbook on pods by selector with a base64 kubeconfig: outputs, summary, reports, post', async () => {
    dirs = makeRunnerDirs()
    workspaceFile(
      'site.yml',
      [
        '- name: Fix web pods',
        '  hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: Write config',
        '      copy:',
        '        dest: /etc/app.conf',
        '        content: "workers=2\\nlisten=80\\n"',
        '    - name: Set worker count',
        '      lineinfile:',
        '        path: /etc/app.conf',
        "        regexp: '^workers='",
        '        line: workers=8',
        '    - name: Install API key',
        '      copy:',
        '        dest: /tmp/api-key',
        '        content: "{{ api_key }}"',
        "        mode: '0600'",
        '      no_log: true',
        '    - name: Read config',
        '      command: cat /etc/app.conf',
        ''
      ].join('\n')
    )
    const kubeconfigBase64 = Buffer.from(cluster.kubeconfig).toString('base64')
    const run = await main({
      playbook: 'site.yml',
      namespace: 'default',
      selector: 'app=web',
      kubeconfig: kubeconfigBase64,
      'extra-vars': JSON.stringify({ api_key: apiKey }),
      diff: 'true'
    })
    const texts = artifacts(run)
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const outputs = readCommandFile(dirs.outputFile)
    expect(outputs['ok-hosts']).toBe('web-0,web-1,web-2')
    expect(outputs['changed-hosts']).toBe('web-0,web-1,web-2')
    expect(outputs['failed-hosts']).toBe('')
    expect(outputs['unreachable-hosts']).toBe('')
    expect(outputs['kubectl-version']).toMatch(/^v1\.\d+\.\d+/)
    expect(JSON.parse(outputs.recap)['web-1']).toEqual({
      ok: 4,
      changed: 4,
      unreachable: 0,
      failed: 0,
      skipped: 0,
      rescued: 0,
      ignored: 0
    })
    const results = JSON.parse(outputs.results)
    expect(results['web-2'].map((r: { task: string }) => r.task)).toEqual([
      'Write config',
      'Set worker count',
      'Install API key',
      'Read config'
    ])
    expect(results['web-2'][2]).toMatchObject({
      status: 'changed',
      censored: expect.stringContaining('no_log: true')
    })
    expect(results['web-2'][3]).toMatchObject({
      rc: 0,
      stdout: 'workers=8\nlisten=80'
    })
    // The work really happened in the pods.
    expect(
      readFileSync(path.join(cluster.podRoot('default', 'web-0'), 'etc/app.conf'), 'utf8')
    ).toBe('workers=8\nlisten=80\n')
    expect(
      statSync(path.join(cluster.podRoot('default', 'web-0'), 'tmp/api-key')).mode & 0o777
    ).toBe(0o600)

    expect(texts.summary).toContain('## 🟡 kubectl-ansible: site.yml')
    expect(texts.summary).toContain(
      '**3 hosts** · ✅ 3 ok · 🟡 3 changed · ❌ 0 failed · 🚫 0 unreachable'
    )
    expect(texts.summary).toContain('| 🟡 web-1 | 4 | **4** | 0 | 0 | 0 | 0 | 0 |')
    expect(texts.summary).toContain('| Set worker count | 🟡 | 🟡 | 🟡 |')
    expect(texts.summary).toMatch(/-workers=2\n\+workers=8/)
    expect(texts.summary).toContain('### Slowest tasks')
    expect(texts.summary).toMatch(/\d+ kubectl process(es)? started/)
    const report = JSON.parse(texts.report)
    expect(report.plays[0].tasks).toHaveLength(4)
    expect(report.stats['web-0'].changed).toBe(4)
    expect(texts.junit).toContain('classname="web-0" name="Read config"')
    expect(statSync(outputs.report).mode & 0o777).toBe(0o600)
    expect(run.stdout).toContain('::group::PLAY [Fix web pods]')
    expect(run.stdout).not.toContain('::error')
    expect(texts.env).toBe('')

    const kubeconfigFile = path.join(path.dirname(outputs.report), 'kubeconfig')
    expect(statSync(kubeconfigFile).mode & 0o777).toBe(0o600)
    expectNoSecrets(texts, [cluster.token, kubeconfigBase64, apiKey])
    await expectPostCleansUp()
    expect(existsSync(kubeconfigFile)).toBe(false)
  })

  it('fails the step on a failed host with an annotation at the task line (kubeconfig built from server/token/CA)', async () => {
    dirs = makeRunnerDirs()
    workspaceFile(
      'check.yml',
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - name: Health check',
        "      shell: test {{ inventory_hostname }} != web-1 || { echo 'probe failed' >&2; exit 3; }",
        ''
      ].join('\n')
    )
    const ca = readFileSync(cluster.caFile as string).toString('base64')
    const run = await main({
      playbook: 'check.yml',
      selector: 'app=web',
      server: cluster.server,
      token: cluster.token,
      'certificate-authority-data': ca,
      'export-kubeconfig': 'true'
    })
    const texts = artifacts(run)
    expect(run.code).toBe(1)
    const outputs = readCommandFile(dirs.outputFile)
    expect(outputs['failed-hosts']).toBe('web-1')
    expect(outputs['ok-hosts']).toBe('web-0,web-2')
    expect(run.stdout).toMatch(
      /::error title=TASK \[Health check\] failed,file=check\.yml,line=4::web-1: non-zero return code/
    )
    expect(run.stdout).toContain('::error::kubectl-ansible: 1 host(s) failed: web-1')
    expect(texts.summary).toContain('❌ <b>Health check</b> on web-1')
    expect(texts.summary).toContain('probe failed')
    expect(texts.junit).toMatch(/<failure message="non-zero return code" type="failed">/)
    // Asked for: later steps get KUBECONFIG pointing at the written file.
    expect(readCommandFile(dirs.envFile).KUBECONFIG).toBe(
      path.join(path.dirname(outputs.report), 'kubeconfig')
    )
    expectNoSecrets(texts, [cluster.token])
    await expectPostCleansUp()
  })

  it('detects drift with check mode and fail-on: changed, with kubectl downloaded from a mirror', async () => {
    dirs = makeRunnerDirs()
    const { mirror, close } = await kubectlMirror(
      '/usr/lib/google-cloud-sdk/bin/kubectl.1.31',
      'v1.31.9'
    )
    try {
      const before = readFileSync(
        path.join(cluster.podRoot('default', 'web-0'), 'etc/hostname'),
        'utf8'
      )
      const run = await main({
        tasks: [
          '- name: Pin hostname',
          '  copy:',
          '    dest: /etc/hostname',
          '    content: "pinned\\n"'
        ].join('\n'),
        selector: 'app=web',
        limit: 'web-0',
        kubeconfig: cluster.kubeconfig,
        check: 'true',
        'fail-on': 'changed',
        'kubectl-version': 'v1.31.9',
        'kubectl-mirror': mirror
      })
      expect(run.code).toBe(1)
      const outputs = readCommandFile(dirs.outputFile)
      expect(outputs['kubectl-version']).toBe('v1.31.9')
      expect(outputs['kubectl-path']).toBe(
        path.join(dirs.toolCache, 'kubectl', '1.31.9', process.arch, 'kubectl')
      )
      expect(outputs['changed-hosts']).toBe('web-0')
      expect(run.stdout).toContain(
        '::error::kubectl-ansible: 1 host(s) changed (fail-on: changed): web-0'
      )
      expect(readFileSync(dirs.summaryFile, 'utf8')).toContain('_check mode_')
      // Check mode changed nothing in the pod.
      expect(
        readFileSync(path.join(cluster.podRoot('default', 'web-0'), 'etc/hostname'), 'utf8')
      ).toBe(before)
      await expectPostCleansUp()
    } finally {
      await close()
    }
  })

  it('runs an ad-hoc module and only reports with fail-on: never', async () => {
    dirs = makeRunnerDirs()
    const run = await main({
      module: 'shell',
      args: 'echo from-$(hostname); exit 2',
      namespace: 'default',
      selector: 'app=web',
      kubeconfig: cluster.kubeconfig,
      'fail-on': 'never',
      summary: 'false'
    })
    expect(run.code, run.stdout + run.stderr).toBe(0)
    const outputs = readCommandFile(dirs.outputFile)
    expect(outputs['failed-hosts']).toBe('web-0,web-1,web-2')
    expect(JSON.parse(outputs.results)['web-1'][0]).toMatchObject({
      rc: 2,
      status: 'failed'
    })
    expect(readFileSync(dirs.summaryFile, 'utf8')).toBe('')
    await expectPostCleansUp()
  })

  it('rejects a bad input before touching the cluster', async () => {
    dirs = makeRunnerDirs()
    const execsBefore = cluster.execCount
    const requestsBefore = cluster.requestCount
    const run = await main({
      playbook: 'site.yml',
      forks: 'many',
      kubeconfig: cluster.kubeconfig
    })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("::error::input 'playbook': file not found: site.yml")
    workspaceFile('site.yml', '- hosts: all\n  tasks: []\n')
    const second = await main({
      playbook: 'site.yml',
      forks: 'many',
      kubeconfig: cluster.kubeconfig
    })
    expect(second.code).toBe(1)
    expect(second.stdout).toContain(
      "::error::input 'forks': invalid value 'many': expected a positive whole number"
    )
    expect(second.stdout).not.toMatch(/Traceback| {4}at /)
    expect(cluster.execCount).toBe(execsBefore)
    expect(cluster.requestCount).toBe(requestsBefore)
    expect(readFileSync(dirs.stateFile, 'utf8')).toBe('')
    expectNoSecrets(
      {
        stdout: second.stdout.replace(/^::add-mask::.*$/gm, ''),
        stderr: second.stderr
      },
      [cluster.token]
    )
    await expectPostCleansUp()
  })
})

/** A dl.k8s.io-shaped mirror serving one real kubectl binary and its sha256. */
async function kubectlMirror(
  binary: string,
  version: string
): Promise<{ mirror: string; close: () => Promise<void> }> {
  const sha256 = createHash('sha256').update(readFileSync(binary)).digest('hex')
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64'
  const server = http.createServer((request, response) => {
    if (request.url === `/${version}/bin/linux/${arch}/kubectl`)
      createReadStream(binary).pipe(response)
    else if (request.url === `/${version}/bin/linux/${arch}/kubectl.sha256`) response.end(sha256)
    else response.writeHead(404).end()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    mirror: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}
