// A minimal Connection over local `sh -c`, for module tests until the transport's
// LocalConnection lands. It counts calls per primitive so tests can assert round trips.
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type {
  Connection,
  ExecOptions,
  ExecResult,
  PutOptions,
  RemoteStat,
  TransferResult
} from '../../src/connection/connection.js'

export class ShellConnection implements Connection {
  readonly kind = 'local' as const
  readonly calls = { exec: 0, put: 0, fetch: 0, read: 0, stat: 0 }

  get roundTrips(): number {
    return Object.values(this.calls).reduce((sum, count) => sum + count, 0)
  }

  exec(cmd: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.calls.exec++
    return new Promise((resolve, reject) => {
      const child = spawn(options.executable ?? '/bin/sh', ['-c', cmd], {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe']
      })
      const out: Buffer[] = []
      const err: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
      child.on('error', reject)
      child.on('close', code => {
        const stdoutBytes = Buffer.concat(out)
        resolve({
          rc: code ?? 255,
          stdout: stdoutBytes.toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          stdoutBytes
        })
      })
      child.stdin.end(options.stdin ?? '')
    })
  }

  async put(
    source: string | Buffer,
    remotePath: string,
    options: PutOptions = {}
  ): Promise<TransferResult> {
    this.calls.put++
    const data = typeof source === 'string' ? await fs.readFile(source) : source
    const temp = path.join(path.dirname(remotePath), `.tmp-${randomBytes(6).toString('hex')}`)
    await fs.writeFile(temp, data)
    if (options.mode) await fs.chmod(temp, parseInt(options.mode, 8))
    await fs.rename(temp, remotePath)
    return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') }
  }

  async fetch(remotePath: string, localPath: string): Promise<TransferResult> {
    this.calls.fetch++
    const data = await fs.readFile(remotePath)
    await fs.writeFile(localPath, data)
    return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') }
  }

  async read(remotePath: string): Promise<Buffer | null> {
    this.calls.read++
    return fs.readFile(remotePath).catch(() => null)
  }

  async stat(remotePath: string, options: { follow?: boolean } = {}): Promise<RemoteStat> {
    this.calls.stat++
    const info = await (options.follow ? fs.stat(remotePath) : fs.lstat(remotePath)).catch(
      () => null
    )
    if (!info) return { exists: false }
    const type = info.isFile()
      ? 'file'
      : info.isDirectory()
        ? 'directory'
        : info.isSymbolicLink()
          ? 'link'
          : 'other'
    return {
      exists: true,
      type,
      mode: '0' + (info.mode & 0o7777).toString(8).padStart(3, '0'),
      size: info.size
    }
  }

  async close(): Promise<void> {}
}
