// The kubectl connection end to end: the real kubectl against the local test cluster.
import { createHash, randomBytes } from 'node:crypto'
import { readFile, readdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Cluster } from '../cluster/index.js'
import { KUBECTL, startConnectionHarness, type ConnectionHarness } from './connection-harness.js'
import {
  KubectlProcessCounter,
  listPods,
  UnreachableError,
  type Connection,
  type ConnectionRuntime
} from '../../src/connection/index.js'

let harness: ConnectionHarness
let cluster: Cluster
let work: string
let runtime: ConnectionRuntime
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

function connect(
  host: string,
  vars: Record<string, unknown> = {},
  overrides: Partial<ConnectionRuntime> = {}
): Connection {
  return harness.connect(host, vars, overrides)
}

beforeAll(async () => {
  harness = await startConnectionHarness(
    'conn-kubectl-',
    {
      pods: [
        { name: 'web-1', labels: { app: 'web' } },
        { name: 'web-2', labels: { app: 'web' } },
        { name: 'plain', labels: { app: 'other' } },
        { name: 'distroless', noSh: true },
        { name: 'multi', containers: ['app', { name: 'side', nonRoot: true }] },
        { name: 'doomed' }
      ]
    },
    {
      ansible_connection: 'kubectl'
    }
  )
  ;({ cluster, work, runtime } = harness)
})

afterAll(async () => {
  await harness?.stop()
})

describe('one session per host', () => {
  it('runs a 20-command play through a single kubectl process', async () => {
    const counter = new KubectlProcessCounter()
    const connection = connect('web-1', {}, { counter })
    const results = []
    for (let index = 0; index < 20; index++) {
      results.push(await connection.exec(`echo task ${index}; echo warn >&2; exit ${index % 3}`))
    }
    expect(results.map(result => result.rc)).toEqual(
      Array.from({ length: 20 }, (_, index) => index % 3)
    )
    expect(results[7]).toMatchObject({ stdout: 'task 7\n', stderr: 'warn\n' })
    expect(counter.forHost('web-1')).toBe(1)
    expect(counter.total).toBe(1)
  })

  it('gives each command its own stdin, env and cwd, with no state leaking', async () => {
    const connection = connect('web-2')
    const first = await connection.exec('cd /tmp; export LEAK=1; cat; echo "$GREETING"; pwd', {
      stdin: 'from stdin\n',
      env: { GREETING: 'hi there' },
      cwd: '/etc'
    })
    expect(first.stdout).toBe('from stdin\nhi there\n/tmp\n')
    const second = await connection.exec('pwd; echo "${LEAK-unset}"; cat')
    expect(second.stdout).toBe('/\nunset\n')
  })

  it('passes 1 MiB of binary stdout byte for byte', async () => {
    const connection = connect('web-1')
    const bytes = randomBytes(1 << 20)
    await connection.put(bytes, '/tmp/random.bin')
    const result = await connection.exec('cat /tmp/random.bin')
    expect(result.stdoutBytes.length).toBe(bytes.length)
    expect(sha256(result.stdoutBytes)).toBe(sha256(bytes))
  })

  it('targets a container with -c and reports the pod user there', async () => {
    const connection = connect('multi-side', {
      ansible_kubectl_pod: 'multi',
      ansible_kubectl_container: 'side'
    })
    expect((await connection.exec('id -u')).stdout).toBe('1000\n')
    const app = connect('multi-app', {
      ansible_kubectl_pod: 'multi',
      ansible_kubectl_container: 'app'
    })
    expect((await app.exec('id -u')).stdout).toBe('0\n')
  })
})

describe('transfers', () => {
  it('puts, stats, reads and fetches hostile paths without running anything', async () => {
    const connection = connect('plain')
    const dir = "/tmp/a dir 'q' $(touch /tmp/pwned1) `touch /tmp/pwned2`; \n ü"
    expect((await connection.exec(`mkdir -p '${dir.replaceAll("'", "'\\''")}'`)).rc).toBe(0)
    const dest = `${dir}/f "1";$(touch pwned3).txt`
    expect(await connection.put(Buffer.from('payload'), dest, { mode: '0640' })).toEqual({
      size: 7,
      sha256: sha256('payload')
    })
    expect(await connection.stat(dest)).toMatchObject({
      exists: true,
      type: 'file',
      mode: '0640',
      size: 7
    })
    expect((await connection.read(dest))?.toString()).toBe('payload')
    const local = path.join(work, 'hostile.txt')
    await connection.fetch(dest, local)
    expect(await readFile(local, 'utf8')).toBe('payload')
    const markers = await connection.exec('ls /tmp/pwned1 /tmp/pwned2 /pwned3 2>&1; true')
    expect(markers.stdout).not.toMatch(/^\/(tmp\/)?pwned\d$/m)
    expect(markers.stdout.match(/No such file/g)).toHaveLength(3)
  })

  it('round-trips 100 MiB with equal sha256 and bounded memory', async () => {
    const connection = connect('web-2')
    const source = path.join(work, 'big.bin')
    const chunk = randomBytes(1 << 20)
    const parts = Array.from({ length: 100 }, (_, index) =>
      Buffer.concat([chunk.subarray(index), chunk.subarray(0, index)])
    )
    await writeFile(source, Buffer.concat(parts))
    const expected = sha256(await readFile(source))
    parts.length = 0
    global.gc?.()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    try {
      const put = await connection.put(source, '/tmp/big.bin')
      expect(put).toEqual({ size: 100 << 20, sha256: expected })
      const back = path.join(work, 'big.back')
      const fetched = await connection.fetch('/tmp/big.bin', back)
      expect(fetched.sha256).toBe(expected)
    } finally {
      clearInterval(sampler)
    }
    // The cluster serves this stream from the same process, so this bounds both sides.
    expect(peak - baseline).toBeLessThan(64 * 1024 * 1024)
    await connection.exec('rm -f /tmp/big.bin')
  }, 180_000)
})

describe('pods without tools or shell', () => {
  it('runs plain programs in a pod with no shell and explains what cannot work', async () => {
    const connection = connect('distroless')
    const missing = await connection.exec('echo hi')
    expect(missing.rc).toBe(127)
    expect(missing.stderr).toMatch(/executable file not found/)
    await expect(connection.exec('echo hi | cat')).rejects.toThrow(/no shell/)
    await expect(connection.put(Buffer.from('x'), '/tmp/x')).rejects.toThrow(
      /no shell|executable file not found/
    )
  })
})

describe('failures', () => {
  it("a missing pod is unreachable with kubectl's message", async () => {
    const connection = connect('ghost')
    const error = await connection.exec('true').catch(e => e)
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toMatch(/pods "ghost" not found/)
  })

  it('a wrong token is unreachable, and the token never reaches the message', async () => {
    const connection = connect('web-1', { ansible_kubectl_token: 'not-the-token-5f1e2d' })
    const error = await connection.exec('true').catch(e => e)
    expect(error).toBeInstanceOf(UnreachableError)
    expect(error.message).toMatch(/Unauthorized|logged in/)
    expect(error.message).not.toContain('not-the-token-5f1e2d')
  })

  it('a pod deleted mid-play makes its host unreachable while others go on', async () => {
    const doomed = connect('doomed')
    const other = connect('plain')
    expect((await doomed.exec('echo up')).stdout).toBe('up\n')
    const running = doomed.exec('sleep 30').catch(error => error)
    await new Promise(resolve => setTimeout(resolve, 300))
    await cluster.deletePod('default', 'doomed')
    expect(await running).toBeInstanceOf(UnreachableError)
    await expect(doomed.stat('/tmp')).rejects.toBeInstanceOf(UnreachableError)
    expect((await other.exec('echo still')).stdout).toBe('still\n')
  })

  it('a stream dropped mid-put leaves the old file and no temp file', async () => {
    const connection = connect('web-2')
    await connection.put(Buffer.from('old content'), '/tmp/dropped.txt')
    cluster.setFaults({ dropExecAfterBytes: 2 * 1024 * 1024 })
    try {
      await expect(
        connection.put(randomBytes(10 << 20), '/tmp/dropped.txt')
      ).rejects.toBeInstanceOf(UnreachableError)
    } finally {
      cluster.setFaults({ dropExecAfterBytes: undefined })
    }
    expect((await connection.read('/tmp/dropped.txt'))?.toString()).toBe('old content')
    const leftovers = await connection.exec('ls -a /tmp | grep kubectl-ansible; true')
    expect(leftovers.stdout).toBe('')
  })

  it('a restarted API server costs a reconnect, not the host', async () => {
    const counter = new KubectlProcessCounter()
    const connection = connect('web-1', {}, { counter })
    expect((await connection.exec('echo before')).stdout).toBe('before\n')
    await cluster.restartApi()
    expect((await connection.exec('echo after')).stdout).toBe('after\n')
    expect(counter.total).toBe(2)
  })
})

describe('credentials', () => {
  it('keeps token and kubeconfig content off every argv and environment', async () => {
    const secret = cluster.token
    const kubeconfigsBefore = (await readdir(work)).filter(name => name.startsWith('kubeconfig-'))
    const connection = connect(
      'web-1',
      {
        ansible_kubectl_server: cluster.server,
        ansible_kubectl_token: secret,
        ansible_kubectl_ca_cert: cluster.caFile
      },
      { kubeconfig: undefined }
    )
    const running = connection.exec('sleep 2; echo done')
    await new Promise(resolve => setTimeout(resolve, 800))
    const seen: string[] = []
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
      if (cmdline.includes('kubectl')) seen.push(cmdline)
      expect(cmdline).not.toContain(secret)
      if (cmdline.includes('kubectl')) expect(environ).not.toContain(secret)
    }
    expect(seen.some(cmdline => cmdline.includes('exec'))).toBe(true)
    expect((await running).stdout).toBe('done\n')
    const generated = () =>
      readdir(work).then(names =>
        names.filter(name => name.startsWith('kubeconfig-') && !kubeconfigsBefore.includes(name))
      )
    const [file] = await generated()
    expect(((await stat(path.join(work, file!))).mode & 0o777).toString(8)).toBe('600')
    await connection.close()
    expect(await generated()).toEqual([])
  })

  it('takes K8S_AUTH_* from the environment without handing them to kubectl', async () => {
    const connection = connect(
      'web-2',
      {},
      {
        kubeconfig: undefined,
        env: {
          PATH: process.env.PATH,
          HOME: work,
          K8S_AUTH_HOST: cluster.server,
          K8S_AUTH_API_KEY: cluster.token,
          K8S_AUTH_SSL_CA_CERT: cluster.caFile
        }
      }
    )
    const running = connection.exec('sleep 1; echo env-auth')
    await new Promise(resolve => setTimeout(resolve, 500))
    let kubectls = 0
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      if (!cmdline.startsWith(KUBECTL)) continue
      kubectls++
      expect(await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).not.toContain(
        cluster.token
      )
    }
    expect(kubectls).toBeGreaterThan(0)
    expect((await running).stdout).toBe('env-auth\n')
  })

  it('lists pods by label selector with one kubectl call', async () => {
    const counter = new KubectlProcessCounter()
    const pods = await listPods('default', 'app=web', { ...runtime, counter })
    expect(pods.map(pod => pod.metadata.name).sort()).toEqual(['web-1', 'web-2'])
    expect(pods[0]?.status?.phase).toBe('Running')
    expect(counter.total).toBe(1)
  })
})
