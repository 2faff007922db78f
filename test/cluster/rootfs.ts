// Filesystems of a container. The applet directories (/bin, /sbin, /usr/bin, /usr/sbin) come
// from a shared, read-only "image" directory built once per cluster and image variant: busybox
// applets as symlinks to one bound busybox binary. Each container then only needs a small
// writable root (/etc, /tmp, /root, …), which keeps a 200-pod cluster cheap to start.
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs'
import { chmod, chown, mkdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ImageVariant } from './types.js'

export const BUSYBOX_HOST_PATH =
  ['/usr/bin/busybox', '/bin/busybox'].find(p => existsSync(p)) ?? '/usr/bin/busybox'
/** Where the busybox binary is bound in images without applets (it runs only the pause process). */
export const HIDDEN_PAUSE_PATH = '/.pause/busybox'
export const NON_ROOT_UID = 1000
/** Directories served read-only from the image; everything else is the container's own. */
export const IMAGE_DIRS = ['/bin', '/sbin', '/usr/bin', '/usr/sbin']

let appletPaths: string[] | undefined

function busyboxApplets(): string[] {
  appletPaths ??= execFileSync(BUSYBOX_HOST_PATH, ['--list-full'], { encoding: 'utf8' })
    .split('\n')
    .filter(line => line.trim() !== '')
  return appletPaths
}

/** Host paths a python3 pod gets read-only: the interpreter and everything under /usr/lib. */
export function pythonBinds(): { interpreter: string; libDirs: string[] } {
  const interpreter = realpathSync('/usr/bin/python3')
  const libDirs = ['/usr/lib', '/usr/lib64'].filter(dir => existsSync(dir))
  return { interpreter, libDirs }
}

/**
 * Debian's busybox-static runs its own applets from `sh` without a PATH lookup, so an image
 * that lacks `dd` would still have it in the shell. Images missing applets therefore get the
 * host's dash as /bin/sh (with the few libraries it links), which looks commands up in PATH.
 */
export function usesDash(variant: ImageVariant): boolean {
  return !variant.noSh && Boolean(variant.noDd || variant.noBase64 || variant.noSha256sum)
}

let dashLibraries: string[] | undefined

/** Paths (as the loader asks for them) of the shared libraries /bin/dash needs. */
export function dashLibs(): string[] {
  dashLibraries ??= execFileSync('ldd', [DASH_HOST_PATH], { encoding: 'utf8' })
    .split('\n')
    .map(line => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((lib): lib is string => lib !== undefined)
  return dashLibraries
}

export const DASH_HOST_PATH = '/bin/dash'

function omittedApplets(variant: ImageVariant): Set<string> {
  const omitted = new Set<string>(['busybox'])
  if (usesDash(variant)) omitted.add('sh')
  if (variant.noDd) omitted.add('dd')
  if (variant.noBase64) omitted.add('base64')
  if (variant.noSha256sum) omitted.add('sha256sum')
  return omitted
}

const imageBuilds = new Map<string, Promise<string>>()

/** The image directory for a variant under `imagesDir`, built on first use. */
export function ensureImage(imagesDir: string, variant: ImageVariant): Promise<string> {
  const key = [
    variant.noSh ? 'nosh' : 'sh',
    variant.noDd && 'nodd',
    variant.noBase64 && 'nobase64',
    variant.noSha256sum && 'nosha256sum',
    variant.python3 && 'python3'
  ]
    .filter(Boolean)
    .join('-')
  const dir = path.join(imagesDir, key)
  let build = imageBuilds.get(dir)
  if (!build) {
    build = buildImage(dir, variant).then(() => dir)
    imageBuilds.set(dir, build)
    build.catch(() => imageBuilds.delete(dir))
  }
  return build
}

async function buildImage(image: string, variant: ImageVariant): Promise<void> {
  await Promise.all(IMAGE_DIRS.map(dir => mkdir(path.join(image, dir), { recursive: true })))
  if (!variant.noSh) {
    // Bind-mount target for the busybox binary.
    await writeFile(path.join(image, 'bin/busybox'), '')
    if (usesDash(variant)) await writeFile(path.join(image, 'bin/sh'), '')
    const omitted = omittedApplets(variant)
    await Promise.all(
      busyboxApplets()
        .filter(applet => !omitted.has(path.basename(applet)))
        .map(applet => symlink('/bin/busybox', path.join(image, applet)))
    )
  }
  if (variant.python3) {
    const { interpreter } = pythonBinds()
    await writeFile(path.join(image, interpreter), '')
    await symlink(path.basename(interpreter), path.join(image, 'usr/bin/python3'))
  }
}

/** Forget built images under a directory that is being removed. */
export function forgetImages(imagesDir: string): void {
  for (const dir of imageBuilds.keys())
    if (dir.startsWith(imagesDir + path.sep)) imageBuilds.delete(dir)
}

export async function buildRootfs(
  root: string,
  hostname: string,
  variant: ImageVariant
): Promise<void> {
  const dirs = [
    'usr/local/bin',
    'etc',
    'proc',
    'dev',
    'tmp',
    'var/tmp',
    'run',
    'root',
    'home/app',
    ...IMAGE_DIRS.map(dir => dir.slice(1))
  ]
  if (variant.python3) dirs.push('usr/lib', 'usr/lib64')
  if (variant.noSh) dirs.push(path.dirname(HIDDEN_PAUSE_PATH).slice(1))
  for (const dir of dirs) await mkdir(path.join(root, dir), { recursive: true })
  await Promise.all([
    chmod(path.join(root, 'tmp'), 0o1777),
    chmod(path.join(root, 'var/tmp'), 0o1777),
    chmod(path.join(root, 'root'), 0o700)
  ])
  if (process.getuid?.() === 0) await chown(path.join(root, 'home/app'), NON_ROOT_UID, NON_ROOT_UID)
  if (variant.noSh) await writeFile(path.join(root, HIDDEN_PAUSE_PATH), '')
  if (variant.python3)
    await Promise.all([
      symlink('usr/lib', path.join(root, 'lib')),
      symlink('usr/lib64', path.join(root, 'lib64'))
    ])
  await writeEtc(path.join(root, 'etc'), hostname)
}

async function writeEtc(etc: string, hostname: string): Promise<void> {
  const files: Record<string, string> = {
    passwd: `root:x:0:0:root:/root:/bin/sh\napp:x:${NON_ROOT_UID}:${NON_ROOT_UID}:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n`,
    group: `root:x:0:\napp:x:${NON_ROOT_UID}:\nnogroup:x:65534:\n`,
    hostname: `${hostname}\n`,
    hosts: `127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\t${hostname}\n`,
    'os-release':
      'NAME="BusyBox"\nID=busybox\nPRETTY_NAME="BusyBox (kubectl-ansible test pod)"\nVERSION_ID=1\n'
  }
  await Promise.all(
    Object.entries(files).map(([name, text]) => writeFile(path.join(etc, name), text))
  )
}

/**
 * Resolve a command the way execve + PATH lookup would inside the container, following
 * symlinks within it. Returns null when nothing is there — the case a kubelet reports as
 * "executable file not found".
 */
export function resolveInContainer(
  root: string,
  image: string,
  command: string,
  searchPath: string
): string | null {
  const hostPath = (podPath: string): string => {
    const imageDir = IMAGE_DIRS.find(dir => podPath === dir || podPath.startsWith(dir + '/'))
    return path.join(imageDir ? image : root, podPath)
  }
  const candidates = command.includes('/')
    ? [command]
    : searchPath.split(':').map(dir => path.posix.join(dir, command))
  return candidates.find(candidate => exists(hostPath, candidate, 0)) ?? null
}

function exists(hostPath: (podPath: string) => string, podPath: string, depth: number): boolean {
  if (depth > 40) return false
  const parts = path.posix.resolve('/', podPath).split('/').filter(Boolean)
  let current = '/'
  for (let i = 0; i < parts.length; i++) {
    const next = path.posix.join(current, parts[i])
    let stat
    try {
      stat = lstatSync(hostPath(next))
    } catch {
      return false
    }
    if (stat.isSymbolicLink()) {
      const resolved = path.posix.resolve(current, readlinkSync(hostPath(next)))
      const rest = parts.slice(i + 1).join('/')
      return exists(hostPath, rest ? path.posix.join(resolved, rest) : resolved, depth + 1)
    }
    current = next
  }
  return true
}
