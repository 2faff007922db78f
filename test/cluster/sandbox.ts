// One container = one bubblewrap sandbox. A long-lived "pause" process holds the sandbox's
// mount/pid/uts/ipc namespaces (like a pod's infra container); every exec joins them with
// nsenter. So processes started by one exec outlive it and are seen by the next (as in
// Kubernetes), and killing the pause process kills everything in the pod: the kernel tears
// down a pid namespace whose init dies.
import { spawn, type ChildProcess } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { chmod, mkdir } from 'node:fs/promises'
import path from 'node:path'
import {
  BUSYBOX_HOST_PATH,
  HIDDEN_PAUSE_PATH,
  IMAGE_DIRS,
  NON_ROOT_UID,
  buildRootfs,
  DASH_HOST_PATH,
  dashLibs,
  usesDash,
  ensureImage,
  pythonBinds,
  resolveInContainer
} from './rootfs.js'
import type { ImageVariant } from './types.js'

const POD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
const HOST_IS_ROOT = process.getuid?.() === 0

export class Sandbox {
  /** Host path of the container's root filesystem. */
  readonly root: string
  private readonly tmpVolume: string
  private image = ''
  private pause: ChildProcess | undefined
  private namespacePid = 0
  private readonly execs = new Set<ChildProcess>()

  constructor(
    dir: string,
    private readonly imagesDir: string,
    private readonly hostname: string,
    private readonly variant: ImageVariant
  ) {
    this.root = path.join(dir, 'root')
    this.tmpVolume = path.join(dir, 'tmp-volume')
  }

  get uid(): number {
    return this.variant.nonRoot ? NON_ROOT_UID : 0
  }

  async start(): Promise<void> {
    this.image = await ensureImage(this.imagesDir, this.variant)
    await buildRootfs(this.root, this.hostname, this.variant)
    if (this.variant.readOnlyRoot) {
      await mkdir(this.tmpVolume, { recursive: true })
      await chmod(this.tmpVolume, 0o1777)
    }
    const pause = spawn('bwrap', this.bwrapArgs(), {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe']
    })
    this.pause = pause
    this.namespacePid = await readChildPid(pause)
  }

  private bwrapArgs(): string[] {
    const args = [this.variant.readOnlyRoot ? '--ro-bind' : '--bind', this.root, '/']
    for (const dir of IMAGE_DIRS) args.push('--ro-bind', path.join(this.image, dir), dir)
    const busyboxTarget = this.variant.noSh ? HIDDEN_PAUSE_PATH : '/bin/busybox'
    args.push('--ro-bind', BUSYBOX_HOST_PATH, busyboxTarget)
    if (usesDash(this.variant)) {
      args.push('--ro-bind', DASH_HOST_PATH, '/bin/sh')
      if (!this.variant.python3)
        for (const lib of dashLibs()) args.push('--ro-bind', realpathSync(lib), lib)
    }
    if (this.variant.python3) {
      const { interpreter, libDirs } = pythonBinds()
      args.push('--ro-bind', interpreter, interpreter)
      for (const dir of libDirs) args.push('--ro-bind', dir, dir)
    }
    if (this.variant.readOnlyRoot) args.push('--bind', this.tmpVolume, '/tmp')
    args.push('--proc', '/proc', '--dev', '/dev')
    args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', this.hostname)
    // Without root, bwrap needs a user namespace; map the pod's user onto ours.
    if (!HOST_IS_ROOT)
      args.push('--unshare-user', '--uid', String(this.uid), '--gid', String(this.uid))
    args.push('--die-with-parent', '--info-fd', '3', '--chdir', '/')
    args.push(busyboxTarget, 'sleep', '2147483647')
    return args
  }

  /** The command path as the pod would resolve it, or null if the image has no such executable. */
  resolve(command: string): string | null {
    return resolveInContainer(this.root, this.image, command, POD_PATH)
  }

  exec(argv: string[], tty: boolean): ChildProcess {
    const nsenter = ['-t', String(this.namespacePid)]
    if (!HOST_IS_ROOT) nsenter.push('-U')
    nsenter.push(
      '-m',
      '-u',
      '-i',
      '-p',
      '-r',
      '-w',
      '-S',
      String(this.uid),
      '-G',
      String(this.uid),
      '--',
      ...argv
    )
    const env: Record<string, string> = {
      PATH: POD_PATH,
      HOSTNAME: this.hostname,
      HOME: this.variant.nonRoot ? '/home/app' : '/root'
    }
    if (tty) env.TERM = 'xterm'
    const child = spawn('/usr/bin/nsenter', nsenter, { env, stdio: ['pipe', 'pipe', 'pipe'] })
    this.execs.add(child)
    child.on('close', () => this.execs.delete(child))
    return child
  }

  get running(): boolean {
    return (
      this.pause !== undefined && this.pause.exitCode === null && this.pause.signalCode === null
    )
  }

  /** Kill every process of the container and wait until the exec helpers are gone. */
  async kill(): Promise<void> {
    const pause = this.pause
    if (pause?.pid !== undefined && this.running) {
      const exited = new Promise(resolve => pause.once('exit', resolve))
      killGroup(pause.pid)
      await exited
    }
    await Promise.all(
      [...this.execs].map(
        child =>
          new Promise<void>(resolve => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            child.once('close', () => resolve())
            child.kill('SIGKILL')
          })
      )
    )
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // Already gone: nothing left to kill.
  }
}

/** bwrap writes {"child-pid": N, ...} on the info fd once the namespaces exist. */
function readChildPid(pause: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let info = ''
    let stderr = ''
    const infoStream = pause.stdio[3] as NodeJS.ReadableStream
    pause.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    infoStream.on('data', (chunk: Buffer) => {
      info += chunk.toString()
      try {
        const parsed = JSON.parse(info) as { 'child-pid'?: number }
        if (typeof parsed['child-pid'] === 'number') resolve(parsed['child-pid'])
      } catch {
        // Not complete yet.
      }
    })
    pause.once('error', error => reject(new Error(`cannot start bwrap: ${error.message}`)))
    pause.once('exit', code =>
      reject(new Error(`bwrap exited (${code}) before the sandbox was ready: ${stderr.trim()}`))
    )
  })
}
