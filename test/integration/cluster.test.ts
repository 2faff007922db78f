// The test cluster against the real kubectl binaries on this machine. Every other
// integration test trusts this stand-in, so it is checked the way kubectl sees it.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../cluster/index.js'
import { installedKubectls, runKubectl, type KubectlRunOptions } from '../cluster/kubectl.js'

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')
const DEFAULT_KUBECTL = '/usr/bin/kubectl'

/** kubectl 1.27/1.28 speak SPDY only; 1.29 needs the opt-in; 1.30+ use WebSocket by default. */
function minorOf(kubectl: string): number {
  const match = /kubectl\.1\.(\d+)$/.exec(kubectl)
  return match ? Number(match[1]) : 32
}
const websocketEnv = (kubectl: string): Record<string, string> =>
  minorOf(kubectl) === 29 ? { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' } : {}
const kubectls = installedKubectls()
const execCapable = kubectls.filter(kubectl => minorOf(kubectl) >= 29)
const spdyOnly = kubectls.filter(kubectl => minorOf(kubectl) < 29)

let cluster: Cluster
const kubectl = (args: string[], options: KubectlRunOptions = {}) =>
  runKubectl(cluster.kubeconfigPath, args, options)

beforeAll(async () => {
  cluster = await startCluster({
    pods: [
      { name: 'web-1', labels: { app: 'web', tier: 'front' } },
      { name: 'web-2', labels: { app: 'web', tier: 'back' } },
      { name: 'distroless', labels: { app: 'api' }, noSh: true },
      { name: 'minimal', noDd: true, noBase64: true, noSha256sum: true },
      { name: 'locked', readOnlyRoot: true, nonRoot: true },
      { name: 'py', python3: true },
      { name: 'pending', phase: 'Pending' },
      {
        name: 'multi',
        namespace: 'apps',
        containers: ['app', { name: 'sidecar', nonRoot: true }],
        annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar' }
      }
    ]
  })
})

afterAll(async () => {
  await cluster?.stop()
})

describe.each(execCapable)('with %s', binary => {
  const options = { kubectl: binary, env: websocketEnv(binary) }

  it('lists pods by label selector', async () => {
    const run = await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'], options)
    expect(run.stderr).toBe('')
    const names = (
      JSON.parse(run.stdout.toString()) as { items: { metadata: { name: string } }[] }
    ).items.map(pod => pod.metadata.name)
    expect(names).toEqual(['web-1', 'web-2'])
  })

  it('passes stdout, stderr and the exit code through', async () => {
    const run = await kubectl(
      ['exec', 'web-1', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'],
      options
    )
    expect(run.code).toBe(3)
    expect(run.stdout.toString()).toBe('out\n')
    expect(run.stderr).toContain('err\n')
    expect(run.stderr).toContain('command terminated with exit code 3')
  })

  it('pipes binary stdin in and out unchanged', async () => {
    const size = binary === DEFAULT_KUBECTL ? 20 << 20 : 1 << 20
    const data = randomBytes(size)
    const file = `/tmp/blob-${minorOf(binary)}`
    const put = await kubectl(['exec', '-i', 'web-2', '--', 'dd', `of=${file}`, 'bs=65536'], {
      ...options,
      stdin: data
    })
    expect(put.code).toBe(0)
    const get = await kubectl(['exec', 'web-2', '--', 'dd', `if=${file}`, 'bs=65536'], options)
    expect(get.code).toBe(0)
    expect(get.stdout.length).toBe(size)
    expect(sha256(get.stdout)).toBe(sha256(data))
  })

  it('answers NotFound for a missing pod', async () => {
    const run = await kubectl(['exec', 'nope', '--', 'true'], options)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('pods "nope" not found')
  })

  it('fails like a kubelet when the image has no shell', async () => {
    const run = await kubectl(['exec', 'distroless', '--', '/bin/sh', '-c', 'true'], options)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('OCI runtime exec failed')
    expect(run.stderr).toContain('stat /bin/sh: no such file or directory')
  })
})

describe.each(spdyOnly)('with SPDY-only %s', binary => {
  it('lists pods but gets a clear refusal for exec (SPDY is not served)', async () => {
    const list = await kubectl(['get', 'pods', '-l', 'app=web', '-o', 'name'], { kubectl: binary })
    expect(list.stdout.toString()).toBe('pod/web-1\npod/web-2\n')
    const run = await kubectl(['exec', 'web-1', '--', 'true'], { kubectl: binary })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('WebSocket (v5.channel.k8s.io) only, not SPDY')
  })
})

describe('API surface', () => {
  it('prints tables, wide tables, yaml and all namespaces', async () => {
    const table = await kubectl(['get', 'pods', '-l', 'tier in (front)'])
    expect(table.stdout.toString()).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb-1\s+1\/1\s+Running\s+0\s+\d+s\n$/
    )
    const wide = await kubectl(['get', 'pods', 'web-1', '-o', 'wide'])
    expect(wide.stdout.toString()).toMatch(/IP\s+NODE[\s\S]*10\.244\.\d+\.\d+\s+test-node/)
    const yaml = await kubectl(['get', 'pod', 'web-2', '-o', 'yaml'])
    expect(yaml.stdout.toString()).toContain('name: web-2')
    const all = await kubectl([
      'get',
      'pods',
      '-A',
      '-o',
      'name',
      '--field-selector',
      'status.phase=Running,metadata.namespace=apps'
    ])
    expect(all.stdout.toString()).toBe('pod/multi\n')
    const pending = await kubectl([
      'get',
      'pods',
      '--field-selector',
      'status.phase!=Running',
      '-o',
      'name'
    ])
    expect(pending.stdout.toString()).toBe('pod/pending\n')
  })

  it('rejects a wrong token the way kubectl reports it', async () => {
    const badConfig = path.join(cluster.dir, 'bad-kubeconfig')
    writeFileSync(badConfig, cluster.kubeconfig.replace(cluster.token, 'not-the-token'), {
      mode: 0o600
    })
    const run = await runKubectl(badConfig, ['get', 'pods'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('You must be logged in to the server')
    const exec = await runKubectl(badConfig, ['exec', 'web-1', '--', 'true'])
    expect(exec.code).toBe(1)
  })

  it('answers bad requests with Status JSON and keeps serving', async () => {
    const get = (urlPath: string, headers: Record<string, string> = {}) =>
      new Promise<{ code: number; body: { kind?: string; reason?: string } }>((resolve, reject) => {
        const req = request(
          `${cluster.server}${urlPath}`,
          {
            ca: readFileSync(cluster.caFile ?? ''),
            headers: { Authorization: `Bearer ${cluster.token}`, ...headers }
          },
          res => {
            let text = ''
            res.on('data', chunk => (text += chunk))
            res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }))
          }
        )
        req.on('error', reject)
        req.end()
      })
    const badSelector = await get('/api/v1/namespaces/default/pods?labelSelector=%28%28%21')
    expect(badSelector).toMatchObject({ code: 400, body: { kind: 'Status', reason: 'BadRequest' } })
    const badField = await get('/api/v1/pods?fieldSelector=spec.bogus%3Dx')
    expect(badField).toMatchObject({ code: 400, body: { kind: 'Status' } })
    const unknown = await get('/apis/apps/v1/deployments')
    expect(unknown).toMatchObject({ code: 404, body: { kind: 'Status', reason: 'NotFound' } })
    const plainExec = await get('/api/v1/namespaces/default/pods/web-1/exec?command=true')
    expect(plainExec).toMatchObject({ code: 400, body: { kind: 'Status' } })
    const noCommand = await get('/api/v1/namespaces/default/pods/web-1/exec', {
      Connection: 'Upgrade',
      Upgrade: 'websocket'
    })
    expect(noCommand).toMatchObject({ code: 400, body: { kind: 'Status' } })
    expect((await kubectl(['get', 'pods', 'web-1', '-o', 'name'])).stdout.toString()).toBe(
      'pod/web-1\n'
    )
  })
})

describe('pods', () => {
  it('keeps state and background processes across execs', async () => {
    await kubectl([
      'exec',
      'web-1',
      '--',
      'sh',
      '-c',
      'echo kept > /root/state; sleep 30 >/dev/null 2>&1 &'
    ])
    const run = await kubectl(['exec', 'web-1', '--', 'sh', '-c', 'cat /root/state; ps'])
    expect(run.stdout.toString()).toContain('kept\n')
    expect(run.stdout.toString()).toContain('sleep 30')
    expect(readFileSync(path.join(cluster.podRoot('default', 'web-1'), 'root/state'), 'utf8')).toBe(
      'kept\n'
    )
  })

  it('lets a process finish after its client went away', async () => {
    const tmp = path.join(cluster.podRoot('default', 'web-2'), 'tmp')
    const client = new AbortController()
    const run = kubectl(
      ['exec', 'web-2', '--', 'sh', '-c', 'touch /tmp/started; sleep 1; echo yes > /tmp/finished'],
      {
        signal: client.signal
      }
    )
    while (!existsSync(path.join(tmp, 'started')))
      await new Promise(resolve => setTimeout(resolve, 20))
    client.abort()
    expect((await run).code).not.toBe(0)
    expect(existsSync(path.join(tmp, 'finished'))).toBe(false)
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(readFileSync(path.join(tmp, 'finished'), 'utf8')).toBe('yes\n')
  })

  it('offers the image variants', async () => {
    const minimal = await kubectl([
      'exec',
      'minimal',
      '--',
      'sh',
      '-c',
      'for c in dd base64 sha256sum cat; do command -v $c || echo no-$c; done'
    ])
    expect(minimal.stdout.toString()).toBe('no-dd\nno-base64\nno-sha256sum\n/bin/cat\n')
    const locked = await kubectl([
      'exec',
      'locked',
      '--',
      'sh',
      '-c',
      'id -u; touch /etc/x 2>&1; touch /tmp/ok && echo tmp-ok; echo $HOME'
    ])
    expect(locked.stdout.toString()).toMatch(
      /^1000\n.*Read-only file system\ntmp-ok\n\/home\/app\n$/
    )
    const py = await kubectl([
      'exec',
      'py',
      '--',
      '/usr/bin/python3',
      '-c',
      'import json; print(json.dumps([1 + 1]))'
    ])
    expect(py.stdout.toString()).toBe('[2]\n')
    const pending = await kubectl(['exec', 'pending', '--', 'true'])
    expect(pending.code).toBe(1)
  })

  it('runs one sandbox per container and honours the default-container annotation', async () => {
    const byDefault = await kubectl([
      'exec',
      '-n',
      'apps',
      'multi',
      '--',
      'sh',
      '-c',
      'id -u > /tmp/who'
    ])
    expect(byDefault.code).toBe(0)
    const chosen = await kubectl(['exec', '-n', 'apps', 'multi', '-c', 'app', '--', 'id', '-u'])
    expect(chosen.stdout.toString()).toBe('0\n')
    expect(
      readFileSync(path.join(cluster.podRoot('apps', 'multi', 'sidecar'), 'tmp/who'), 'utf8')
    ).toBe('1000\n')
    expect(existsSync(path.join(cluster.podRoot('apps', 'multi', 'app'), 'tmp/who'))).toBe(false)
  })
})

describe('faults', () => {
  it('adds latency to requests and stream round trips', async () => {
    const fast = await kubectl(['exec', 'web-1', '--', 'true'])
    cluster.setFaults({ latencyMs: 300 })
    const slow = await kubectl(['exec', 'web-1', '--', 'true'])
    cluster.setFaults({ latencyMs: 0 })
    // GET pod + exec upgrade + the exit status frame add 2.5 × 300 ms. Only lower bounds hold
    // on a loaded machine: a busy CPU can make the fast run as slow as the delayed one.
    expect(fast.code).toBe(0)
    expect(slow.code).toBe(0)
    expect(slow.ms).toBeGreaterThanOrEqual(700)
  })

  it('limits bandwidth and delays the status frame', async () => {
    cluster.setFaults({ bandwidthBytesPerSec: 1 << 20 })
    const limited = await kubectl([
      'exec',
      'web-1',
      '--',
      'head',
      '-c',
      String(1 << 19),
      '/dev/zero'
    ])
    cluster.setFaults({ bandwidthBytesPerSec: undefined, delayStatusMs: 600 })
    const delayed = await kubectl(['exec', 'web-1', '--', 'true'])
    cluster.setFaults({ delayStatusMs: undefined })
    expect(limited.stdout.length).toBe(1 << 19)
    expect(limited.ms).toBeGreaterThanOrEqual(450)
    expect(delayed.code).toBe(0)
    expect(delayed.ms).toBeGreaterThanOrEqual(600)
  })

  it('can close a stream without its status frame (kubectl then loses the exit code)', async () => {
    cluster.setFaults({ closeWithoutStatus: true })
    const run = await kubectl(['exec', 'web-1', '--', 'sh', '-c', 'echo hi; exit 3'])
    cluster.setFaults({ closeWithoutStatus: undefined })
    expect(run.stdout.toString()).toBe('hi\n')
    expect(run.code).toBe(0)
  })

  it('drops an exec stream after N bytes', async () => {
    cluster.setFaults({ dropExecAfterBytes: 100_000 })
    const run = await kubectl(['exec', 'web-1', '--', 'head', '-c', '5000000', '/dev/zero'])
    cluster.setFaults({ dropExecAfterBytes: undefined })
    expect(run.code).not.toBe(0)
    expect(run.stdout.length).toBeLessThanOrEqual(100_000)
  })

  it('kills every process of a deleted pod and answers NotFound afterwards', async () => {
    await cluster.addPod({ name: 'victim', labels: { app: 'victim' } })
    await kubectl(['exec', 'victim', '--', 'sh', '-c', 'sleep 31337 >/dev/null 2>&1 &'])
    const sleepers = () =>
      readdirSync('/proc')
        .filter(entry => /^\d+$/.test(entry))
        .filter(pid => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\x0031337\x00'
          } catch {
            return false
          }
        })
    expect(sleepers().length).toBe(1)
    const inFlight = kubectl(['exec', 'victim', '--', 'sleep', '20'])
    await new Promise(resolve => setTimeout(resolve, 500))
    await cluster.deletePod('default', 'victim')
    expect(sleepers()).toEqual([])
    expect((await inFlight).code).not.toBe(0)
    const after = await kubectl(['exec', 'victim', '--', 'true'])
    expect(after.code).toBe(1)
    expect(after.stderr).toContain('pods "victim" not found')
  })

  it('survives an API server restart with pods intact', async () => {
    const before = cluster.execCount
    await cluster.restartApi()
    const run = await kubectl(['exec', 'web-1', '--', 'cat', '/root/state'])
    expect(run.stdout.toString()).toBe('kept\n')
    expect(cluster.execCount).toBe(before + 1)
  })
})

describe('scale', () => {
  // Start-up time is a benchmark figure (docs/benchmarks.md), not a test assertion: wall-clock
  // bounds fail on a loaded machine without telling anything about correctness.
  it('starts a 10-pod cluster whose pods all answer, and removes its folder on stop', async () => {
    const small = await startCluster({
      pods: Array.from({ length: 10 }, (_, i) => ({ name: `p-${i}` }))
    })
    try {
      const listed = await runKubectl(small.kubeconfigPath, ['get', 'pods', '-o', 'name'])
      expect(listed.stdout.toString().trim().split('\n')).toHaveLength(10)
      const run = await runKubectl(small.kubeconfigPath, ['exec', 'p-9', '--', 'hostname'])
      expect(run.stdout.toString()).toBe('p-9\n')
    } finally {
      await small.stop()
    }
    expect(existsSync(small.dir)).toBe(false)
  })
})
