// Round trips per task (issue 9 goal: at most 3 when unchanged, 4 when changed) for copy,
// template and lineinfile, counted on a real LocalConnection.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { moduleHarness, type Harness } from './modules-support.js'

let harness: Harness
beforeEach(async () => {
  harness = await moduleHarness({ app: 'demo' })
})
afterEach(async () => harness.cleanup())

async function measure(action: string, args: Record<string, unknown>) {
  harness.reset()
  const result = await harness.run(action, args)
  return { result, trips: harness.total(), calls: { ...harness.calls } }
}

describe('round trips', () => {
  it('copy: 2 when changed (probe + put), 1 when unchanged', async () => {
    const dest = path.join(harness.dir, 'a.txt')
    const first = await measure('copy', { content: 'hello\n', dest })
    expect(first.result).toMatchObject({
      changed: true,
      mode: '0644',
      size: 6,
      checksum: 'f572d396fae9206628714fb2ce00f72e94f2258f'
    })
    expect(first.calls).toMatchObject({ exec: 1, put: 1 })
    const second = await measure('copy', { content: 'hello\n', dest })
    expect(second.result.changed).toBe(false)
    expect(second.trips).toBe(1)
    expect(await readFile(dest, 'utf8')).toBe('hello\n')
  })

  it('copy over a file owned by us keeps its mode without an extra exec', async () => {
    const dest = path.join(harness.dir, 'b.txt')
    await writeFile(dest, 'old\n', { mode: 0o600 })
    const changed = await measure('copy', { content: 'new\n', dest })
    expect(changed.trips).toBe(2)
    expect(changed.result.mode).toBe('0600')
    expect((await stat(dest)).mode & 0o777).toBe(0o600)
  })

  it('template: 2 when changed, 1 when unchanged', async () => {
    await mkdir(path.join(harness.dir, 'templates'))
    await writeFile(path.join(harness.dir, 'templates', 't.j2'), 'name={{ app }}\n')
    const dest = path.join(harness.dir, 'app.conf')
    const first = await measure('template', { src: 't.j2', dest })
    expect(first.result.changed).toBe(true)
    expect(first.trips).toBe(2)
    const second = await measure('template', { src: 't.j2', dest })
    expect(second.result.changed).toBe(false)
    expect(second.trips).toBe(1)
    expect(await readFile(dest, 'utf8')).toBe('name=demo\n')
  })

  it('lineinfile: 2 when changed (probe with content + put), 1 when unchanged', async () => {
    const file = path.join(harness.dir, 'cfg')
    await writeFile(file, '#Port 22\n')
    const first = await measure('lineinfile', { path: file, regexp: '^#?Port ', line: 'Port 2222' })
    expect(first.result).toMatchObject({ changed: true, msg: 'line replaced' })
    expect(first.trips).toBe(2)
    const second = await measure('lineinfile', {
      path: file,
      regexp: '^#?Port ',
      line: 'Port 2222'
    })
    expect(second.result.changed).toBe(false)
    expect(second.trips).toBe(1)
    expect(await readFile(file, 'utf8')).toBe('Port 2222\n')
  })

  it('lineinfile create: 2 in an existing directory, 3 when mkdir must make one', async () => {
    const file = path.join(harness.dir, 'new.conf')
    const created = await measure('lineinfile', { path: file, line: 'a=1', create: true })
    expect(created.result).toMatchObject({ changed: true, msg: 'line added' })
    expect(created.calls).toMatchObject({ exec: 1, put: 1 })
    const nested = path.join(harness.dir, 'sub', 'dir', 'new.conf')
    const deeper = await measure('lineinfile', { path: nested, line: 'a=1', create: true })
    expect(deeper.calls).toMatchObject({ exec: 2, put: 1 })
    expect(await readFile(nested, 'utf8')).toBe('a=1\n')
  })

  it('check mode never writes and costs one probe', async () => {
    const dest = path.join(harness.dir, 'never.txt')
    harness.reset()
    const result = await harness.run('copy', { content: 'x', dest }, { check: true })
    expect(result).toMatchObject({ changed: true })
    expect(harness.total()).toBe(1)
    await expect(stat(dest)).rejects.toThrow()
  })
})
