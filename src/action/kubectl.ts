// Locates or installs kubectl the setup-node way (tool cache → download → verify → cache), plus
// what setup actions usually skip: the binary's sha256 is checked against the `.sha256` file the
// release publishes next to it, and a mismatch is an error, never a warning.
import * as exec from '@actions/exec'
import * as io from '@actions/io'
import * as tc from '@actions/tool-cache'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { chmod, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import type { KubectlVersionSpec } from './inputs.js'

export interface KubectlInstall {
  /** Absolute path of the binary. */
  path: string
  /** The client's gitVersion, e.g. v1.32.4. */
  version: string
  /** Where it came from, for the log. */
  source: 'system' | 'tool-cache' | 'download'
}

/** Release layout of dl.k8s.io/release: `<mirror>/<v>/bin/<os>/<arch>/kubectl[.exe]`. */
export function kubectlDownloadUrl(
  mirror: string,
  version: string,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch
): string {
  const os = platform === 'win32' ? 'windows' : platform
  const goArch = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    ia32: '386'
  }[arch]
  if (!goArch || !['linux', 'darwin', 'windows'].includes(os)) {
    throw new Error(
      `kubectl-version: no kubectl release for ${platform}/${arch}; use kubectl-version: system`
    )
  }
  return `${mirror}/${version}/bin/${os}/${goArch}/kubectl${os === 'windows' ? '.exe' : ''}`
}

export async function setupKubectl(
  spec: KubectlVersionSpec,
  mirror: string
): Promise<KubectlInstall> {
  if (spec.kind === 'system') {
    const found = await io.which('kubectl', false)
    if (!found)
      throw new Error(
        "kubectl-version: 'system' but no kubectl on PATH; set kubectl-version: latest or v1.x.y"
      )
    return { path: found, version: await clientVersion(found), source: 'system' }
  }
  const version = spec.kind === 'latest' ? await latestVersion(mirror) : spec.version
  const binaryName = process.platform === 'win32' ? 'kubectl.exe' : 'kubectl'
  const cached = tc.find('kubectl', version, process.arch)
  if (cached) {
    const binary = path.join(cached, binaryName)
    return { path: binary, version: await clientVersion(binary), source: 'tool-cache' }
  }
  const url = kubectlDownloadUrl(mirror, version)
  const downloaded = await download(url)
  try {
    await verifySha256(downloaded, url)
    await chmod(downloaded, 0o755)
    const dir = await tc.cacheFile(downloaded, binaryName, 'kubectl', version, process.arch)
    const binary = path.join(dir, binaryName)
    return { path: binary, version: await clientVersion(binary), source: 'download' }
  } finally {
    await rm(downloaded, { force: true })
  }
}

/** tool-cache's download (proxy-aware, retried) with the URL in its error message. */
async function download(url: string): Promise<string> {
  try {
    return await tc.downloadTool(url)
  } catch (error) {
    throw new Error(`kubectl download: ${url}: ${(error as Error).message}`)
  }
}

/** `<mirror>/stable.txt` holds the newest stable version, e.g. `v1.33.1`. */
async function latestVersion(mirror: string): Promise<string> {
  const file = await download(`${mirror}/stable.txt`)
  try {
    const version = (await readFile(file, 'utf8')).trim()
    if (!/^v\d+\.\d+\.\d+$/.test(version)) {
      throw new Error(
        `kubectl-version: ${mirror}/stable.txt does not hold a version (got '${version.slice(0, 40)}')`
      )
    }
    return version
  } finally {
    await rm(file, { force: true })
  }
}

async function verifySha256(file: string, url: string): Promise<void> {
  const checksumFile = await download(`${url}.sha256`)
  let expected: string
  try {
    expected = (await readFile(checksumFile, 'utf8')).trim().split(/\s+/)[0].toLowerCase()
  } finally {
    await rm(checksumFile, { force: true })
  }
  if (!/^[0-9a-f]{64}$/.test(expected))
    throw new Error(`kubectl download: ${url}.sha256 is not a sha256 checksum`)
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  const actual = hash.digest('hex')
  if (actual !== expected) {
    throw new Error(
      `kubectl download: sha256 mismatch for ${url}: expected ${expected}, got ${actual}`
    )
  }
}

async function clientVersion(binary: string): Promise<string> {
  const output = await exec.getExecOutput(binary, ['version', '--client', '-o', 'json'], {
    silent: true,
    ignoreReturnCode: true,
    // The runner passes inputs (the token among them) as INPUT_* variables; a child's
    // environment is readable in /proc, so they stay in this process.
    env: Object.fromEntries(
      Object.entries(process.env).filter(
        (entry): entry is [string, string] =>
          entry[1] !== undefined && !entry[0].startsWith('INPUT_')
      )
    )
  })
  if (output.exitCode !== 0) {
    throw new Error(
      `kubectl at ${binary} does not run: ${output.stderr.trim().split('\n')[0] ?? ''}`
    )
  }
  const parsed = JSON.parse(output.stdout) as { clientVersion?: { gitVersion?: string } }
  const version = parsed.clientVersion?.gitVersion
  if (!version)
    throw new Error(`kubectl at ${binary}: 'kubectl version --client -o json' shows no gitVersion`)
  return version
}
