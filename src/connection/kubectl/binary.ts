// Pure pieces for locating and installing kubectl. The download itself (tool cache) lives in
// src/action/; here: the release URL layout of dl.k8s.io (or a mirror with the same layout),
// the runner's OS/arch in Kubernetes' names, sha256 checking, PATH lookup and version query.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { constants, createReadStream } from 'node:fs'
import { access } from 'node:fs/promises'
import path from 'node:path'

const RELEASE_BASE = 'https://dl.k8s.io/release'

export interface KubectlPlatform {
  os: 'linux' | 'darwin' | 'windows'
  arch: 'amd64' | 'arm64' | 'arm' | '386' | 'ppc64le' | 's390x'
}

const OS_NAMES: Record<string, KubectlPlatform['os']> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows'
}
const ARCH_NAMES: Record<string, KubectlPlatform['arch']> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x'
}

export function kubectlPlatform(
  platform: string = process.platform,
  arch: string = process.arch
): KubectlPlatform {
  const os = OS_NAMES[platform]
  const kubeArch = ARCH_NAMES[arch]
  if (!os || !kubeArch) throw new Error(`kubectl is not published for ${platform}/${arch}`)
  return { os, arch: kubeArch }
}

function base(mirror: string | undefined): string {
  return (mirror ?? RELEASE_BASE).replace(/\/+$/, '')
}

/** The file whose content is the latest stable version (e.g. `v1.33.1`). */
export function kubectlStableVersionUrl(mirror?: string): string {
  return `${base(mirror)}/stable.txt`
}

const VERSION = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/

/** Binary URL; its checksum is published at the same URL plus `.sha256`. */
export function kubectlDownloadUrl(
  version: string,
  platform: KubectlPlatform = kubectlPlatform(),
  mirror?: string
): string {
  if (!VERSION.test(version)) {
    throw new Error(`invalid kubectl version '${version}': expected system, latest or v1.x.y`)
  }
  const exe = platform.os === 'windows' ? '.exe' : ''
  return `${base(mirror)}/${version}/bin/${platform.os}/${platform.arch}/kubectl${exe}`
}

/** A `.sha256` file holds the hex digest, optionally followed by a file name. */
export function parseSha256File(text: string): string {
  const digest = text.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`not a sha256 checksum file: ${JSON.stringify(text.slice(0, 80))}`)
  }
  return digest
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Throws when the file's sha256 differs from `expected` (hex, any case). */
export async function verifySha256(file: string, expected: string): Promise<void> {
  const actual = await sha256OfFile(file)
  if (actual !== expected.trim().toLowerCase()) {
    throw new Error(
      `checksum mismatch for ${path.basename(file)}: expected sha256 ${expected.trim().toLowerCase()}, got ${actual}`
    )
  }
}

/** The first executable `kubectl` on a PATH string, or null. */
export async function findKubectl(
  pathEnv: string | undefined,
  platform: string = process.platform
): Promise<string | null> {
  const names = platform === 'win32' ? ['kubectl.exe', 'kubectl'] : ['kubectl']
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (dir === '') continue
    for (const name of names) {
      const candidate = path.resolve(dir, name)
      try {
        await access(candidate, constants.X_OK)
        return candidate
      } catch {
        // Not here; keep looking.
      }
    }
  }
  return null
}

/** The runner's environment minus what may hold credentials (action inputs, K8S_AUTH_*). */
function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !/^(INPUT_|STATE_|K8S_AUTH_)/.test(name))
  )
}

export interface KubectlVersionInfo {
  /** e.g. `v1.32.4` */
  gitVersion: string
  major: number
  minor: number
  platform?: string
}

/** `kubectl version --client -o json`, parsed; a clear error when the binary is not kubectl. */
export function kubectlVersion(kubectlPath: string): Promise<KubectlVersionInfo> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath, ['version', '--client', '-o', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: withoutSecrets(process.env)
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', error => reject(new Error(`cannot run ${kubectlPath}: ${error.message}`)))
    child.on('close', code => {
      const fail = (why: string) =>
        reject(new Error(`${kubectlPath} is not a usable kubectl (${why})`))
      if (code !== 0) return fail(`exit ${code}: ${stderr.trim().slice(0, 200)}`)
      let info: { clientVersion?: Record<string, unknown> }
      try {
        info = JSON.parse(stdout)
      } catch {
        return fail(`unexpected version output: ${JSON.stringify(stdout.slice(0, 120))}`)
      }
      const client = info.clientVersion ?? {}
      const gitVersion = String(client.gitVersion ?? '')
      const match = /^v(\d+)\.(\d+)\.\d+/.exec(gitVersion)
      if (!match) return fail(`unexpected version string '${gitVersion}'`)
      resolve({
        gitVersion,
        major: Number(match[1]),
        minor: Number(match[2]),
        platform: typeof client.platform === 'string' ? client.platform : undefined
      })
    })
  })
}
