// Requests per file-module task, counted on a real LocalConnection: the common states take
// one request (probe, guarded step and probe again in one exec), and the results are what the
// step-by-step flow gave (the conformance corpus checks them against Ansible; here the files).
import { lstat, mkdir, readlink, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { moduleHarness, type Harness } from './modules-support.js'

let harness: Harness
beforeEach(async () => {
  harness = await moduleHarness()
})
afterEach(async () => harness.cleanup())

async function requests(args: Record<string, unknown>, check = false) {
  harness.reset()
  const result = await harness.run('file', args, { check })
  return { result, requests: harness.total() }
}

const modeOf = async (file: string) => (await stat(file)).mode & 0o7777

describe('file: one request for the common states', () => {
  it('directory: a new nested one with a mode, then unchanged, then a mode change', async () => {
    const dir = path.join(harness.dir, 'a/b/c')
    const created = await requests({ path: dir, state: 'directory', mode: '0750' })
    expect(created).toMatchObject({
      requests: 1,
      result: { changed: true, mode: '0750', state: 'directory', path: dir }
    })
    expect(created.result.diff).toEqual({
      before: { path: dir, state: 'absent', mode: '0755' },
      after: { path: dir, state: 'directory', mode: '0750' }
    })
    // Every directory mkdir made gets the mode, as Ansible's loop over the created ones does.
    for (const level of ['a', 'a/b', 'a/b/c'])
      expect(await modeOf(path.join(harness.dir, level))).toBe(0o750)
    const again = await requests({ path: dir, state: 'directory', mode: '0750' })
    expect(again).toMatchObject({ requests: 1, result: { changed: false, mode: '0750' } })
    const narrowed = await requests({ path: dir, state: 'directory', mode: '0700' })
    expect(narrowed).toMatchObject({ requests: 1, result: { changed: true, mode: '0700' } })
    expect(narrowed.result.diff).toEqual({
      before: { path: dir, mode: '0750' },
      after: { path: dir, mode: '0700' }
    })
    expect(await modeOf(dir)).toBe(0o700)
  })

  it('directory in check mode: one probe, nothing made', async () => {
    const dir = path.join(harness.dir, 'never')
    const result = await requests({ path: dir, state: 'directory' }, true)
    expect(result).toMatchObject({ requests: 1, result: { changed: true } })
    await expect(stat(dir)).rejects.toThrow()
  })

  it('touch: a new file with a mode, then an existing one', async () => {
    const file = path.join(harness.dir, 't')
    const created = await requests({ path: file, state: 'touch', mode: '0600' })
    expect(created).toMatchObject({
      requests: 1,
      result: { changed: true, dest: file, mode: '0600', state: 'file', size: 0 }
    })
    expect(await modeOf(file)).toBe(0o600)
    const before = (await stat(file)).mtimeMs
    await new Promise(resolve => setTimeout(resolve, 20))
    const touched = await requests({ path: file, state: 'touch' })
    expect(touched).toMatchObject({ requests: 1, result: { changed: true, mode: '0600' } })
    expect((await stat(file)).mtimeMs).toBeGreaterThan(before)
  })

  it('file with an absolute mode or owner: one request; a symbolic mode: two', async () => {
    const file = path.join(harness.dir, 'f')
    await writeFile(file, 'x', { mode: 0o644 })
    expect(await requests({ path: file, state: 'file', mode: '0600' })).toMatchObject({
      requests: 1,
      result: { changed: true, mode: '0600' }
    })
    expect(await requests({ path: file, mode: '0600' })).toMatchObject({
      requests: 1,
      result: { changed: false, mode: '0600', state: 'file' }
    })
    const owner = (await stat(file)).uid
    expect(await requests({ path: file, owner: String(owner) })).toMatchObject({
      requests: 1,
      result: { changed: false, uid: owner }
    })
    expect(await requests({ path: file, mode: 'u+x' })).toMatchObject({
      requests: 2,
      result: { changed: true, mode: '0700' }
    })
    expect(await modeOf(file)).toBe(0o700)
  })

  it('link: new, then unchanged; attributes go to the target', async () => {
    const target = path.join(harness.dir, 'target')
    const link = path.join(harness.dir, 'link')
    await writeFile(target, 'x', { mode: 0o644 })
    const created = await requests({ path: link, state: 'link', src: target })
    expect(created).toMatchObject({
      requests: 1,
      result: { changed: true, dest: link, src: target, state: 'link' }
    })
    expect(await readlink(link)).toBe(target)
    expect(await requests({ path: link, state: 'link', src: target })).toMatchObject({
      requests: 1,
      result: { changed: false, state: 'link' }
    })
    const moded = await requests({ path: link, state: 'link', src: target, mode: '0600' })
    expect(moded.result).toMatchObject({ changed: true })
    expect(await modeOf(target)).toBe(0o600)
    expect((await lstat(link)).isSymbolicLink()).toBe(true)
  })

  it('a missing link source without force fails before anything is made', async () => {
    const link = path.join(harness.dir, 'dangling')
    const result = await requests({ path: link, state: 'link', src: 'nowhere' })
    expect(result.result).toMatchObject({
      failed: true,
      msg: `src file does not exist, use "force=yes" if you really want to create the link: ${harness.dir}/nowhere`
    })
    await expect(lstat(link)).rejects.toThrow()
  })

  it('absent: a tree (listed in the diff), a file, then nothing', async () => {
    const tree = path.join(harness.dir, 'tree')
    await mkdir(path.join(tree, 'sub'), { recursive: true })
    await writeFile(path.join(tree, 'sub', 'f'), 'x')
    const removed = await requests({ path: tree, state: 'absent' })
    expect(removed).toMatchObject({ requests: 1, result: { changed: true, state: 'absent' } })
    expect(removed.result.diff).toEqual({
      before: {
        path: tree,
        state: 'directory',
        path_content: { directories: [`${tree}/sub`], files: [`${tree}/sub/f`] }
      },
      after: { path: tree, state: 'absent' }
    })
    await expect(stat(tree)).rejects.toThrow()
    expect(await requests({ path: tree, state: 'absent' })).toMatchObject({
      requests: 1,
      result: { changed: false }
    })
  })

  it('directory recurse: the tree is listed by the first request; changes cost one more', async () => {
    const tree = path.join(harness.dir, 'tree')
    await mkdir(path.join(tree, 'sub'), { recursive: true })
    await writeFile(path.join(tree, 'sub', 'f'), 'x', { mode: 0o644 })
    const changed = await requests({ path: tree, state: 'directory', recurse: true, mode: '0700' })
    expect(changed).toMatchObject({ requests: 2, result: { changed: true, mode: '0700' } })
    expect(await modeOf(path.join(tree, 'sub', 'f'))).toBe(0o700)
    expect(
      await requests({ path: tree, state: 'directory', recurse: true, mode: '0700' })
    ).toMatchObject({ requests: 1, result: { changed: false } })
  })

  it('what the guarded step must not do: recurse with absent fails and removes nothing', async () => {
    const dir = path.join(harness.dir, 'keep')
    await mkdir(dir)
    const result = await requests({ path: dir, state: 'absent', recurse: true })
    expect(result.result).toMatchObject({
      failed: true,
      msg: "recurse option requires state to be 'directory'"
    })
    expect((await stat(dir)).isDirectory()).toBe(true)
  })
})
