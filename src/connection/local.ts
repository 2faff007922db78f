// `ansible_connection=local`: the primitives run on the runner itself. Used by the conformance
// corpus, so exec must give exactly what Ansible's local connection gives: `/bin/sh -c CMD`
// (or the configured executable), rc as Python's subprocess reports it (-N for a signal).
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { chmod, chown, lstat, open, readFile, readlink, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import { constants as osConstants } from 'node:os'
import type {
  Connection,
  ExecOptions,
  ExecResult,
  PutOptions,
  RemoteStat,
  TransferResult
} from './connection.js'
import { RemoteTimeoutError } from './connection.js'
import { parseOctalMode, statFromNode } from './local-stat.js'

export interface LocalConnectionOptions {
  /** ansible_shell_executable; default /bin/sh. */
  shellExecutable?: string
  /** Environment every command starts from (the runner's). */
  env?: Record<string, string | undefined>
  /** Default per-command timeout (ms) when the caller gives none. */
  defaultTimeoutMs?: number
}

export class LocalConnection implements Connection {
  readonly kind = 'local' as const

  constructor(private readonly options: LocalConnectionOptions = {}) {}

  exec(cmd: string, options: ExecOptions = {}): Promise<ExecResult> {
    const executable = options.executable ?? this.options.shellExecutable ?? '/bin/sh'
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs
    const env = { ...(this.options.env ?? process.env), ...options.env }
    return new Promise((resolve, reject) => {
      // detached: the command leads its own process group, so a timeout can kill all of it.
      const child = spawn(executable, ['-c', cmd], {
        cwd: options.cwd,
        env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe']
      })
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      let timedOut = false
      const timer =
        timeoutMs !== undefined && timeoutMs > 0
          ? setTimeout(() => {
              timedOut = true
              killGroup(child.pid)
            }, timeoutMs)
          : undefined
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      // A command that exits without reading its stdin makes our write fail with EPIPE; that
      // is the command's choice, not an error.
      child.stdin.on('error', () => undefined)
      child.stdin.end(options.stdin ?? '')
      child.on('error', error => {
        clearTimeout(timer)
        reject(error)
      })
      child.on('close', (code, signal) => {
        clearTimeout(timer)
        if (timedOut) {
          reject(new RemoteTimeoutError(timeoutMessage(timeoutMs ?? 0)))
          return
        }
        const stdoutBytes = Buffer.concat(stdout)
        resolve({
          rc: code ?? -(signal ? (osConstants.signals[signal] ?? 1) : 1),
          stdout: stdoutBytes.toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          stdoutBytes
        })
      })
    })
  }

  async put(
    source: string | Buffer,
    remotePath: string,
    options: PutOptions = {}
  ): Promise<TransferResult> {
    return writeAtomically(remotePath, options.mode, async tmpPath => {
      const hash = createHash('sha256')
      let size = 0
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk)
          size += chunk.length
          done(null, chunk)
        }
      })
      const input = typeof source === 'string' ? createReadStream(source) : bufferStream(source)
      await pipeline(input, counter, createWriteStream(tmpPath, { flags: 'a' }))
      const written = (await stat(tmpPath)).size
      if (written !== size)
        throw new Error(`short write to ${remotePath}: ${written} of ${size} bytes`)
      return { size, sha256: hash.digest('hex') }
    })
  }

  fetch(remotePath: string, localPath: string): Promise<TransferResult> {
    return this.put(remotePath, localPath)
  }

  async read(remotePath: string): Promise<Buffer | null> {
    try {
      return await readFile(remotePath)
    } catch (error) {
      if (isMissing(error)) return null
      throw error
    }
  }

  async stat(remotePath: string, options: { follow?: boolean } = {}): Promise<RemoteStat> {
    try {
      const info = options.follow ? await stat(remotePath) : await lstat(remotePath)
      const linkTarget = info.isSymbolicLink() ? await readlink(remotePath) : undefined
      return await statFromNode(info, linkTarget)
    } catch (error) {
      if (isMissing(error)) return { exists: false }
      throw error
    }
  }

  async close(): Promise<void> {}
}

function timeoutMessage(timeoutMs: number): string {
  return `command timed out after ${timeoutMs / 1000} seconds; its process group was killed`
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

function bufferStream(data: Buffer): AsyncIterable<Buffer> {
  return (async function* () {
    yield data
  })()
}

/**
 * Write through a temp file in the destination's directory, then rename over the destination:
 * readers see the old file or the new one, never a partial one. The temp file is created 0600
 * (the content may be secret) and gets its final mode just before the rename: the requested
 * mode, else the existing destination's, else what the umask gives a new file.
 */
async function writeAtomically(
  destination: string,
  mode: string | undefined,
  write: (tmpPath: string) => Promise<TransferResult>
): Promise<TransferResult> {
  const dir = path.dirname(destination)
  const tmpPath = path.join(
    dir,
    `.${path.basename(destination)}.${randomBytes(6).toString('hex')}.tmp`
  )
  const existing = await stat(destination).catch(() => undefined)
  const requested = mode === undefined ? undefined : parseOctalMode(mode)
  const createMode = requested === undefined && existing === undefined ? 0o666 : 0o600
  const handle = await open(tmpPath, 'wx', createMode)
  await handle.close()
  try {
    const result = await write(tmpPath)
    const finalMode = requested ?? (existing ? existing.mode & 0o7777 : undefined)
    if (existing && process.getuid?.() === 0) await chown(tmpPath, existing.uid, existing.gid)
    if (finalMode !== undefined) await chmod(tmpPath, finalMode)
    await rename(tmpPath, destination)
    return result
  } catch (error) {
    await rm(tmpPath, { force: true })
    throw error
  }
}
