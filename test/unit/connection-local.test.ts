import { mkdtemp, readFile, rm, stat, symlink, writeFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalConnection } from '../../src/connection/local.js'
import { RemoteTimeoutError } from '../../src/connection/connection.js'

let dir: string

/** Alive and not a zombie waiting for its reaper (a killed orphan may linger as one). */
async function isRunning(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const status = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    if (status === '' || status.slice(status.lastIndexOf(')') + 2).startsWith('Z')) return false
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return true
}
const connection = new LocalConnection()

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'conn-local-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('LocalConnection.exec', () => {
  it('gives rc, stdout and stderr exactly as sh -c does', async () => {
    const result = await connection.exec('echo before; echo err >&2; exit 3')
    expect(result).toMatchObject({ rc: 3, stdout: 'before\n', stderr: 'err\n' })
  })

  it('runs the executable as $0, like Ansible (shell_executable case)', async () => {
    expect((await connection.exec('echo $0', { executable: '/bin/sh' })).stdout).toBe('/bin/sh\n')
  })

  it('feeds stdin, env and cwd to this command only', async () => {
    const result = await connection.exec('cat; echo "$GREETING"; pwd', {
      stdin: 'in\n',
      env: { GREETING: 'hi there' },
      cwd: dir
    })
    expect(result.stdout).toBe(`in\nhi there\n${dir}\n`)
    expect((await connection.exec('echo "${GREETING-unset}"')).stdout).toBe('unset\n')
  })

  it('keeps binary stdout byte for byte', async () => {
    const bytes = randomBytes(1 << 20)
    const file = path.join(dir, 'random.bin')
    await writeFile(file, bytes)
    const result = await connection.exec(`cat '${file}'`)
    expect(result.stdoutBytes.equals(bytes)).toBe(true)
  })

  it('reports a signal death as a negative rc, as Python does', async () => {
    expect((await connection.exec('kill -9 $$')).rc).toBe(-9)
  })

  it('kills the whole process group on timeout', async () => {
    const pidFile = path.join(dir, 'bg.pid')
    await expect(
      connection.exec(`sleep 30 & echo $! > '${pidFile}'; wait`, { timeoutMs: 300 })
    ).rejects.toBeInstanceOf(RemoteTimeoutError)
    const pid = Number(await readFile(pidFile, 'utf8'))
    expect(await isRunning(pid)).toBe(false)
  })
})

describe('LocalConnection files', () => {
  it('puts a Buffer atomically with the requested mode and verifies it', async () => {
    const dest = path.join(dir, 'put.txt')
    const result = await connection.put(Buffer.from('hello'), dest, { mode: '0640' })
    expect(result).toEqual({ size: 5, sha256: createHash('sha256').update('hello').digest('hex') })
    expect(await readFile(dest, 'utf8')).toBe('hello')
    expect((await stat(dest)).mode & 0o7777).toBe(0o640)
  })

  it('keeps the existing mode when none is asked, and leaves no temp file', async () => {
    const dest = path.join(dir, 'keep.txt')
    await writeFile(dest, 'old', { mode: 0o600 })
    await connection.put(Buffer.from('new'), dest)
    expect((await stat(dest)).mode & 0o7777).toBe(0o600)
    expect((await readdir(dir)).filter(name => name.endsWith('.tmp'))).toEqual([])
  })

  it('gives a new file the umask default', async () => {
    const dest = path.join(dir, 'fresh.txt')
    await connection.put(Buffer.from('x'), dest)
    expect((await stat(dest)).mode & 0o777).toBe(0o666 & ~process.umask())
  })

  it('fetches, reads and stats', async () => {
    const src = path.join(dir, 'src.txt')
    await writeFile(src, 'data')
    const out = path.join(dir, 'out.txt')
    expect((await connection.fetch(src, out)).size).toBe(4)
    expect(await readFile(out, 'utf8')).toBe('data')
    expect((await connection.read(src))?.toString()).toBe('data')
    expect(await connection.read(path.join(dir, 'missing'))).toBeNull()
    await symlink('src.txt', path.join(dir, 'link'))
    expect(await connection.stat(path.join(dir, 'link'))).toMatchObject({
      exists: true,
      type: 'link',
      linkTarget: 'src.txt'
    })
    expect(await connection.stat(path.join(dir, 'link'), { follow: true })).toMatchObject({
      type: 'file',
      size: 4,
      owner: 'root'
    })
    expect(await connection.stat(path.join(dir, 'nope', 'x'))).toEqual({ exists: false })
  })

  it('fails a fetch of a missing file without leaving a partial destination', async () => {
    const out = path.join(dir, 'never.txt')
    await expect(connection.fetch(path.join(dir, 'missing'), out)).rejects.toThrow(/ENOENT/)
    expect((await readdir(dir)).filter(name => name.startsWith('.never'))).toEqual([])
  })
})
