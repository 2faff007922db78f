// kubectl download into the tool cache, against a local HTTP server laid out like
// dl.k8s.io/release and serving a real kubectl binary with right and wrong checksums.
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { kubectlDownloadUrl, setupKubectl } from '../../src/action/kubectl.js'
import { makeRunnerDirs, type RunnerDirs } from './env.js'

const realKubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.31'
const realVersion = 'v1.31.9'
const goArch = process.arch === 'arm64' ? 'arm64' : 'amd64'

let server: http.Server
let mirror: string
let dirs: RunnerDirs
const requests: string[] = []
const savedEnv = { temp: process.env.RUNNER_TEMP, cache: process.env.RUNNER_TOOL_CACHE }

beforeAll(async () => {
  const sha256 = createHash('sha256').update(readFileSync(realKubectl)).digest('hex')
  const routes: Record<string, () => string | 'binary'> = {
    '/stable.txt': () => `${realVersion}\n`,
    [`/${realVersion}/bin/linux/${goArch}/kubectl`]: () => 'binary',
    [`/${realVersion}/bin/linux/${goArch}/kubectl.sha256`]: () => sha256,
    // A tampered release: the binary does not match its published checksum.
    [`/v1.30.0/bin/linux/${goArch}/kubectl`]: () => 'binary',
    [`/v1.30.0/bin/linux/${goArch}/kubectl.sha256`]: () => `${'0'.repeat(64)}  kubectl`
  }
  server = http.createServer((request, response) => {
    requests.push(request.url ?? '')
    const route = routes[request.url ?? '']
    if (!route) {
      response.writeHead(404).end('not found')
    } else if (route() === 'binary') {
      response.writeHead(200, { 'content-length': statSync(realKubectl).size })
      createReadStream(realKubectl).pipe(response)
    } else {
      response.writeHead(200).end(route())
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dirs = makeRunnerDirs()
  process.env.RUNNER_TEMP = dirs.temp
  process.env.RUNNER_TOOL_CACHE = dirs.toolCache
})

afterAll(async () => {
  process.env.RUNNER_TEMP = savedEnv.temp
  process.env.RUNNER_TOOL_CACHE = savedEnv.cache
  await new Promise(resolve => server.close(resolve))
  dirs.cleanup()
})

describe('setupKubectl', () => {
  it('builds dl.k8s.io release URLs per platform', () => {
    expect(kubectlDownloadUrl('https://dl.k8s.io/release', 'v1.32.0', 'linux', 'x64')).toBe(
      'https://dl.k8s.io/release/v1.32.0/bin/linux/amd64/kubectl'
    )
    expect(kubectlDownloadUrl('https://m', 'v1.32.0', 'win32', 'arm64')).toBe(
      'https://m/v1.32.0/bin/windows/arm64/kubectl.exe'
    )
    expect(() => kubectlDownloadUrl('https://m', 'v1.32.0', 'aix', 'x64')).toThrow(
      /no kubectl release for aix/
    )
  })

  it('finds the system kubectl and reports its version', async () => {
    const install = await setupKubectl({ kind: 'system' }, mirror)
    expect(install.source).toBe('system')
    expect(install.version).toMatch(/^v1\.\d+\.\d+/)
  })

  it('downloads latest, verifies sha256, caches, then reuses the cache', async () => {
    const first = await setupKubectl({ kind: 'latest' }, mirror)
    expect(first).toMatchObject({ version: realVersion, source: 'download' })
    expect(first.path.startsWith(dirs.toolCache)).toBe(true)
    expect(statSync(first.path).mode & 0o111).not.toBe(0)
    expect(requests).toContain(`/${realVersion}/bin/linux/${goArch}/kubectl.sha256`)
    // Nothing downloaded is left behind in RUNNER_TEMP.
    expect(readdirSync(dirs.temp)).toEqual([])

    const downloadsBefore = requests.filter(url => url.endsWith('/kubectl')).length
    const second = await setupKubectl({ kind: 'exact', version: realVersion }, mirror)
    expect(second).toMatchObject({ path: first.path, version: realVersion, source: 'tool-cache' })
    expect(requests.filter(url => url.endsWith('/kubectl')).length).toBe(downloadsBefore)
  })

  it('refuses a binary whose sha256 does not match and caches nothing', async () => {
    await expect(setupKubectl({ kind: 'exact', version: 'v1.30.0' }, mirror)).rejects.toThrow(
      /sha256 mismatch for http:\/\/127\.0\.0\.1:\d+\/v1\.30\.0\/bin\/linux\/\w+\/kubectl: expected 0{64}, got [0-9a-f]{64}/
    )
    expect(existsSync(`${dirs.toolCache}/kubectl/1.30.0`)).toBe(false)
    expect(readdirSync(dirs.temp)).toEqual([])
  })

  it('names the URL when a version does not exist on the mirror', async () => {
    await expect(setupKubectl({ kind: 'exact', version: 'v1.99.0' }, mirror)).rejects.toThrow(
      /kubectl download: http:\/\/127\.0\.0\.1:\d+\/v1\.99\.0\/bin\/linux\/\w+\/kubectl: .*404/
    )
  })
})
