// ansible.builtin.stat: everything Ansible reports about a path, from one probe exec.
import { fileTypeFlags, formatMode } from './mode.js'
import { probePath, type ChecksumAlgorithm } from './remote.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

// e2fsprogs lsattr letters → the names Ansible's get_file_attributes reports.
const ATTRIBUTE_NAMES: Record<string, string> = {
  A: 'noatime',
  a: 'append',
  c: 'compressed',
  C: 'nocow',
  d: 'nodump',
  D: 'dirsync',
  e: 'extents',
  E: 'encrypted',
  h: 'blocksize',
  i: 'immutable',
  I: 'indexed',
  j: 'journalled',
  N: 'inline',
  s: 'zero',
  S: 'synchronous',
  t: 'notail',
  T: 'blockroot',
  u: 'undelete',
  X: 'compressedraw',
  Z: 'compresseddirty'
}

export const stat: ModuleDefinition = {
  name: 'stat',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'] },
    follow: { type: 'bool', default: false },
    get_md5: { type: 'bool', default: false },
    get_checksum: { type: 'bool', default: true },
    get_mime: { type: 'bool', default: true, aliases: ['mime', 'mime_type', 'mime-type'] },
    get_attributes: { type: 'bool', default: true, aliases: ['attr', 'attributes'] },
    checksum_algorithm: {
      type: 'str',
      default: 'sha1',
      choices: ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'],
      aliases: ['checksum', 'checksum_algo']
    }
  },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const path = args.path as string
    const info = await probePath(ctx.connection, path, {
      follow: args.follow as boolean,
      access: true,
      checksum: args.get_checksum ? (args.checksum_algorithm as ChecksumAlgorithm) : false
    })
    if (!info.exists) return { changed: false, stat: { exists: false } }
    const raw = info.rawMode ?? 0
    const mode = info.mode ?? 0
    const output: Record<string, unknown> = {
      exists: true,
      path,
      mode: formatMode(mode),
      ...fileTypeFlags(raw),
      uid: info.uid,
      gid: info.gid,
      size: info.size,
      inode: info.inode,
      dev: info.dev,
      nlink: info.nlink,
      atime: info.atime,
      mtime: info.mtime,
      ctime: info.ctime,
      wusr: Boolean(mode & 0o200),
      rusr: Boolean(mode & 0o400),
      xusr: Boolean(mode & 0o100),
      wgrp: Boolean(mode & 0o020),
      rgrp: Boolean(mode & 0o040),
      xgrp: Boolean(mode & 0o010),
      woth: Boolean(mode & 0o002),
      roth: Boolean(mode & 0o004),
      xoth: Boolean(mode & 0o001),
      isuid: Boolean(mode & 0o4000),
      isgid: Boolean(mode & 0o2000),
      readable: info.readable,
      writeable: info.writeable,
      executable: info.executable
    }
    if (output.islnk) {
      output.lnk_source = info.realPath ?? path
      output.lnk_target = info.linkTarget
    }
    if (info.owner !== undefined && info.owner !== 'UNKNOWN') output.pw_name = info.owner
    if (info.group !== undefined && info.group !== 'UNKNOWN') output.gr_name = info.group
    if (output.isreg && output.readable) {
      if (args.get_md5)
        output.md5 = (
          await probePath(ctx.connection, path, { follow: true, checksum: 'md5' })
        ).checksum
      if (args.get_checksum) output.checksum = info.checksum
    }
    if (args.get_mime) {
      output.mimetype = 'unknown'
      output.charset = 'unknown'
    }
    if (args.get_attributes) {
      const flags = info.attrFlags ?? ''
      output.version = null
      output.attributes = [...flags].map(flag => ATTRIBUTE_NAMES[flag]).filter(Boolean)
      output.attr_flags = flags
    }
    return { changed: false, stat: output }
  }
}
