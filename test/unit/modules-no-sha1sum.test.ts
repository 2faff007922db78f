// Hosts without sha1sum (or with only some tools): the modules fall back to hashing on the
// runner and stay idempotent. The host is a LocalConnection whose PATH holds busybox applets
// minus sha1sum.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalConnection } from '../../src/connection/local.js'
import { moduleHarness, type Harness } from './modules-support.js'

const busybox = '/usr/bin/busybox'
let harness: Harness
let bin: string

beforeEach(async () => {
  bin = await mkdtemp(path.join(tmpdir(), 'ka-bin-'))
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
  for (const applet of applets.filter(name => name !== 'sha1sum'))
    await symlink(busybox, path.join(bin, applet))
  harness = await moduleHarness({}, new LocalConnection({ env: { PATH: bin } }))
})
afterEach(async () => {
  await harness.cleanup()
  await rm(bin, { recursive: true, force: true })
})

describe.skipIf(!existsSync(busybox))('modules on a host without sha1sum', () => {
  it('copy is idempotent: the checksum is computed on the runner from a read', async () => {
    const dest = path.join(harness.dir, 'a.txt')
    expect(await harness.run('copy', { content: 'x\n', dest })).toMatchObject({ changed: true })
    harness.reset()
    expect(await harness.run('copy', { content: 'x\n', dest })).toMatchObject({ changed: false })
    expect(harness.calls).toMatchObject({ exec: 1, read: 1 })
  })

  it('copy of a large file hashes the host copy from a fetch to a temp file, not a read', async () => {
    const data = Buffer.alloc(2 << 20, 'big')
    await writeFile(path.join(harness.dir, 'big.bin'), data)
    const dest = path.join(harness.dir, 'big.out')
    expect(await harness.run('copy', { src: 'big.bin', dest })).toMatchObject({ changed: true })
    harness.reset()
    expect(await harness.run('copy', { src: 'big.bin', dest })).toMatchObject({ changed: false })
    expect(harness.calls).toMatchObject({ exec: 1, read: 0, fetch: 1 })
  })

  it('stat still reports the sha1 checksum', async () => {
    const file = path.join(harness.dir, 'b.txt')
    await writeFile(file, 'hello\n')
    const result = await harness.run('stat', { path: file })
    expect(result.stat).toMatchObject({
      exists: true,
      checksum: 'f572d396fae9206628714fb2ce00f72e94f2258f'
    })
  })
})
