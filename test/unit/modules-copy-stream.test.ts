// copy streams a runner-side source: the connection gets the file's path (never its bytes in
// a Buffer), the sums come from a read stream, and the diff reads the source only below
// Ansible's size limit. Counted on a real LocalConnection.
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { LocalConnection } from '../../src/connection/local.js'
import { moduleHarness, type Harness } from './modules-support.js'

let harness: Harness
const sources: (string | Buffer)[] = []

/** A LocalConnection that records what each put was given. */
function recordingPuts(): Connection {
  const inner = new LocalConnection()
  return Object.assign(Object.create(inner) as Connection, {
    put: (source: string | Buffer, remotePath: string, options?: { mode?: string }) => {
      sources.push(source)
      return inner.put(source, remotePath, options)
    }
  })
}

beforeEach(async () => {
  sources.length = 0
  harness = await moduleHarness({}, recordingPuts())
  await mkdir(path.join(harness.dir, 'files'))
})
afterEach(async () => harness.cleanup())

const sha1 = (data: Buffer | string) => createHash('sha1').update(data).digest('hex')
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex')

describe('copy from a runner-side file', () => {
  it('hands put the path and reports the sums of the bytes', async () => {
    const data = Buffer.alloc(3 << 20, 'ab')
    await writeFile(path.join(harness.dir, 'files', 'big.bin'), data)
    const dest = path.join(harness.dir, 'big.out')
    const result = await harness.run('copy', { src: 'big.bin', dest })
    expect(result).toMatchObject({
      changed: true,
      checksum: sha1(data),
      md5sum: md5(data),
      size: data.length
    })
    expect(sources).toEqual([path.join(harness.dir, 'files', 'big.bin')])
    expect(sha1(await readFile(dest))).toBe(sha1(data))
    const again = await harness.run('copy', { src: 'big.bin', dest })
    expect(again).toMatchObject({ changed: false, checksum: sha1(data) })
    expect(sources).toHaveLength(1)
    // Same size, other bytes: only the sums tell them apart.
    const other = Buffer.alloc(data.length, 'ba')
    await writeFile(path.join(harness.dir, 'files', 'big.bin'), other)
    const replaced = await harness.run('copy', { src: 'big.bin', dest })
    expect(replaced).toMatchObject({ changed: true, checksum: sha1(other), md5sum: md5(other) })
    expect(sha1(await readFile(dest))).toBe(sha1(other))
  })

  it('a directory source streams each file, its files probed in one request', async () => {
    await mkdir(path.join(harness.dir, 'files', 'tree', 'sub'), { recursive: true })
    await writeFile(path.join(harness.dir, 'files', 'tree', 'a'), 'A\n')
    await writeFile(path.join(harness.dir, 'files', 'tree', 'sub', 'b'), 'B\n')
    await writeFile(path.join(harness.dir, 'files', 'tree', 'sub', 'c'), 'C\n')
    const dest = path.join(harness.dir, 'out')
    await mkdir(dest)
    harness.reset()
    expect(await harness.run('copy', { src: 'tree/', dest })).toMatchObject({ changed: true })
    // One probe of the three files, mkdir of sub/ before its first file, the directories' probe.
    expect(harness.calls).toMatchObject({ exec: 3, put: 3 })
    expect(sources.every(source => typeof source === 'string')).toBe(true)
    expect(await readFile(path.join(dest, 'sub', 'b'), 'utf8')).toBe('B\n')
    harness.reset()
    expect(await harness.run('copy', { src: 'tree/', dest })).toMatchObject({ changed: false })
    expect(harness.calls).toMatchObject({ exec: 2, put: 0 })
  })

  it('diff: text below the limit is shown, a larger source is only marked', async () => {
    const small = path.join(harness.dir, 'files', 'small.txt')
    await writeFile(small, 'new\n')
    const dest = path.join(harness.dir, 'd.txt')
    await writeFile(dest, 'old\n')
    const shown = await harness.run('copy', { src: 'small.txt', dest }, { diff: true })
    expect(shown.diff).toEqual([
      { before: 'old\n', before_header: dest, after: 'new\n', after_header: small }
    ])
    await writeFile(path.join(harness.dir, 'files', 'large.txt'), 'x'.repeat(104449))
    const marked = await harness.run('copy', { src: 'large.txt', dest }, { diff: true })
    expect(marked.diff).toEqual([{ before: 'new\n', before_header: dest, src_larger: 104448 }])
    await writeFile(path.join(harness.dir, 'files', 'binary.bin'), Buffer.from([1, 0, 2]))
    const binary = await harness.run(
      'copy',
      { src: 'binary.bin', dest: path.join(harness.dir, 'new.bin') },
      { diff: true }
    )
    expect(binary.diff).toEqual([{ before: '', src_binary: 1 }])
  })

  it('remote_src: the host computes the sums (no read of the file), unchanged next time', async () => {
    const data = Buffer.alloc(1 << 20, 'remote')
    const source = path.join(harness.dir, 'on-host.bin')
    await writeFile(source, data)
    const dest = path.join(harness.dir, 'copied.bin')
    harness.reset()
    const result = await harness.run('copy', { src: source, dest, remote_src: true, mode: '0600' })
    expect(result).toMatchObject({
      changed: true,
      checksum: sha1(data),
      md5sum: md5(data),
      mode: '0600',
      size: data.length
    })
    expect(harness.calls.read).toBe(0)
    expect(sha1(await readFile(dest))).toBe(sha1(data))
    const again = await harness.run('copy', { src: source, dest, remote_src: true, mode: '0600' })
    expect(again).toMatchObject({ changed: false, checksum: sha1(data), md5sum: md5(data) })
  })
})

describe('the destination probe', () => {
  it('hashes an existing destination only when its size equals the source', async () => {
    const bin = path.join(harness.dir, 'bin')
    const log = path.join(harness.dir, 'sha1sum.log')
    await mkdir(bin)
    await writeFile(
      path.join(bin, 'sha1sum'),
      `#!/bin/sh\necho run >> '${log}'\nexec /usr/bin/sha1sum "$@"\n`,
      { mode: 0o755 }
    )
    const logged = await moduleHarness(
      {},
      new LocalConnection({ env: { PATH: `${bin}:${process.env.PATH}` } })
    )
    try {
      const runs = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').length - 1
      const dest = path.join(logged.dir, 'dest.txt')
      await writeFile(dest, 'four')
      expect(await logged.run('copy', { content: 'other size', dest })).toMatchObject({
        changed: true
      })
      expect(await runs()).toBe(0)
      expect(await logged.run('copy', { content: 'same size!', dest })).toMatchObject({
        changed: true
      })
      expect(await runs()).toBe(1)
    } finally {
      await logged.cleanup()
    }
  })
})
