// Pod images and conditions the transport must cope with: missing tools, read-only roots,
// non-root users, latency, a fetch cut short, and every kubectl version on the machine.
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Cluster } from '../cluster/index.js'
import { startConnectionHarness, type ConnectionHarness } from './connection-harness.js'
import { installedKubectls, runKubectl } from '../cluster/kubectl.js'
import {
  KubectlProcessCounter,
  UnreachableError,
  type Connection,
  type ConnectionRuntime
} from '../../src/connection/index.js'

let harness: ConnectionHarness
let cluster: Cluster
let work: string
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

function connect(
  host: string,
  vars: Record<string, unknown> = {},
  overrides: Partial<ConnectionRuntime> = {}
): Connection {
  return harness.connect(host, vars, overrides)
}

beforeAll(async () => {
  harness = await startConnectionHarness('conn-variants-', {
    pods: [
      { name: 'no-dd', noDd: true },
      { name: 'no-sha', noSha256sum: true, noBase64: true },
      { name: 'read-only', readOnlyRoot: true },
      { name: 'non-root', nonRoot: true },
      { name: 'slow' },
      { name: 'versions' },
      { name: 'fetcher' }
    ]
  })
  ;({ cluster, work } = harness)
})

afterAll(async () => {
  await harness?.stop()
})

describe.each(['no-dd', 'no-sha'])('pod %s', pod => {
  it('runs commands and verified transfers', async () => {
    const connection = connect(pod)
    const data = randomBytes(3 * 1024 * 1024 + 17)
    expect((await connection.put(data, '/tmp/data.bin', { mode: '0600' })).sha256).toBe(
      sha256(data)
    )
    const local = path.join(work, `${pod}.bin`)
    expect((await connection.fetch('/tmp/data.bin', local)).sha256).toBe(sha256(data))
    const echoed = await connection.exec('wc -c', { stdin: data })
    expect(echoed.stdout.trim()).toBe(String(data.length))
  })
})

describe('read-only root filesystem', () => {
  it('stages in /tmp when the remote tmp is not writable and reports write errors clearly', async () => {
    const connection = connect('read-only')
    const result = await connection.exec('cat', { stdin: 'staged stdin\n' })
    expect(result).toMatchObject({ rc: 0, stdout: 'staged stdin\n' })
    await connection.put(Buffer.from('ok'), '/tmp/ok.txt')
    await expect(connection.put(Buffer.from('no'), '/etc/nope.txt')).rejects.toThrow(
      /put \/etc\/nope.txt: .*Read-only file system/
    )
    expect(
      (await connection.exec('ls -a /etc | grep -c kubectl-ansible; true')).stdout.trim()
    ).toBe('0')
  })
})

describe('non-root user', () => {
  it('works in its home and is refused elsewhere, with the reason', async () => {
    const connection = connect('non-root')
    await connection.put(Buffer.from('mine'), '/home/app/mine.txt', { mode: '0600' })
    expect(await connection.stat('/home/app/mine.txt')).toMatchObject({
      mode: '0600',
      uid: 1000,
      size: 4
    })
    await expect(connection.put(Buffer.from('x'), '/root/x')).rejects.toThrow(
      /put \/root\/x: .*Permission denied/
    )
  })
})

describe('stream drop during fetch', () => {
  it('leaves no partial local file', async () => {
    const connection = connect('fetcher')
    await connection.put(randomBytes(6 << 20), '/tmp/six.bin')
    const local = path.join(work, 'fetched', 'six.bin')
    await rm(path.dirname(local), { recursive: true, force: true })
    await import('node:fs/promises').then(fs => fs.mkdir(path.dirname(local)))
    cluster.setFaults({ dropExecAfterBytes: 1024 * 1024 })
    try {
      await expect(connection.fetch('/tmp/six.bin', local)).rejects.toBeInstanceOf(UnreachableError)
    } finally {
      cluster.setFaults({ dropExecAfterBytes: undefined })
    }
    expect(await readdir(path.dirname(local))).toEqual([])
  })
})

describe('latency', () => {
  it('costs one round trip per command in a session, far less than a kubectl per command', async () => {
    const counter = new KubectlProcessCounter()
    const connection = connect('slow', {}, { counter })
    await connection.exec('true')
    cluster.setFaults({ latencyMs: 100 })
    try {
      let started = Date.now()
      for (let index = 0; index < 5; index++) await connection.exec('true')
      const sessionMs = (Date.now() - started) / 5
      started = Date.now()
      for (let index = 0; index < 3; index++) {
        expect(
          (await runKubectl(cluster.kubeconfigPath, ['exec', 'slow', '--', 'true'])).code
        ).toBe(0)
      }
      const perProcessMs = (Date.now() - started) / 3
      expect(sessionMs).toBeGreaterThanOrEqual(100)
      expect(perProcessMs).toBeGreaterThan(2 * sessionMs)
    } finally {
      cluster.setFaults({ latencyMs: undefined })
    }
    expect(counter.total).toBe(1)
  })
})

describe('kubectl versions', () => {
  // 1.27/1.28 speak only SPDY, which the test cluster does not serve (its README says so).
  const kubectls = installedKubectls().filter(binary => !/kubectl\.1\.2[78]$/.test(binary))

  it.each(kubectls.filter(existsSync))('%s carries a session', async binary => {
    // kubectl 1.29 needs the WebSocket opt-in; ansible_kubectl_local_env_vars is how users pass it.
    const connection = connect(
      `versions-${path.basename(binary)}`,
      {
        ansible_kubectl_pod: 'versions',
        ansible_kubectl_local_env_vars: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'true' }
      },
      { kubectlPath: binary }
    )
    expect((await connection.exec('echo hi; exit 4')).rc).toBe(4)
    const data = randomBytes(200_000)
    expect((await connection.put(data, `/tmp/v-${path.basename(binary)}`)).sha256).toBe(
      sha256(data)
    )
    await connection.close()
  })
})
