// ansible.builtin.fetch: a remote file to the runner, under dest/<host>/<path> unless flat.
// One probe (exists + sha1), then a verified fetch only when the local copy differs.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { probePath } from './remote.js'
import type { ModuleDefinition, ModuleResult } from './types.js'
import { fileDigests, type Digests } from './write-source.js'

/** Sums of the local copy, streamed (fetched files can be far larger than memory); null if none. */
async function localChecksum(file: string): Promise<Digests | null> {
  return fileDigests(file).catch(() => null)
}

export const fetch: ModuleDefinition = {
  name: 'fetch',
  args: {
    src: { type: 'str', required: true },
    dest: { type: 'str', required: true },
    fail_on_missing: { type: 'bool', default: true },
    validate_checksum: { type: 'bool', default: true },
    flat: { type: 'bool', default: false }
  },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    if (ctx.check)
      return {
        changed: false,
        skipped: true,
        msg: 'check mode not (yet) supported for this module'
      }
    const source = args.src as string
    const originalDest = args.dest as string
    const failOnMissing = args.fail_on_missing as boolean
    const info = await probePath(ctx.connection, source, { follow: true, checksum: 'sha1' })
    if (info.exists && info.type === 'directory') {
      const msg = 'remote file is a directory, fetch cannot work on directories'
      return failOnMissing
        ? { changed: false, failed: true, msg }
        : { msg: `${msg}, not transferring, ignored` }
    }
    if (!info.exists) {
      const msg = 'the remote file does not exist, not transferring, ignored'
      return failOnMissing
        ? { changed: false, failed: true, msg }
        : { changed: false, file: source, msg }
    }
    const remoteChecksum = info.checksum
    let dest: string
    if (args.flat) {
      const destDir = path.resolve(ctx.playbookDir, originalDest)
      const isDir = await fs
        .stat(destDir)
        .then(stat => stat.isDirectory())
        .catch(() => false)
      if (isDir && !originalDest.endsWith('/')) {
        return {
          changed: false,
          failed: true,
          msg: 'dest is an existing directory, use a trailing slash if you want to fetch src into that directory'
        }
      }
      dest = originalDest.endsWith('/')
        ? path.join(originalDest, path.basename(source))
        : originalDest
      dest = path.resolve(ctx.playbookDir, dest)
    } else {
      dest = path.normalize(`${path.resolve(ctx.playbookDir, originalDest)}/${ctx.host}/${source}`)
    }
    if (
      !path
        .resolve(dest)
        .startsWith(path.resolve(ctx.playbookDir, originalDest).replace(/\/+$/, ''))
    ) {
      return {
        changed: false,
        failed: true,
        msg: `Detected directory traversal, expected to be contained in '${originalDest}' but got '${dest}'`
      }
    }
    const local = await localChecksum(dest)
    if (local && local.sha1 === remoteChecksum) {
      return { changed: false, md5sum: local.md5, file: source, dest, checksum: local.sha1 }
    }
    await fs.mkdir(path.dirname(dest), { recursive: true })
    await ctx.connection.fetch(source, dest)
    const fetched = await localChecksum(dest)
    const newChecksum = fetched?.sha1
    if (args.validate_checksum && remoteChecksum !== undefined && newChecksum !== remoteChecksum) {
      return {
        changed: false,
        failed: true,
        md5sum: fetched?.md5,
        msg: 'checksum mismatch',
        file: source,
        dest,
        remote_md5sum: null,
        checksum: newChecksum,
        remote_checksum: remoteChecksum
      }
    }
    return {
      changed: true,
      md5sum: fetched?.md5,
      dest,
      remote_md5sum: null,
      checksum: newChecksum,
      remote_checksum: remoteChecksum ?? newChecksum
    }
  }
}
