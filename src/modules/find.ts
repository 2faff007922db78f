// ansible.builtin.find: one exec lists and stats the tree; filtering (patterns, age, size,
// type, hidden, depth) happens on the runner with Ansible's rules and os.walk order.
import { fileTypeFlags, formatMode } from './mode.js'
import { PyRegexError, pyRegex } from './pyregex.js'
import { dirname, shellQuote } from './remote.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'

interface Entry {
  path: string
  name: string
  rawMode: number
  size: number
  uid: number
  gid: number
  atime: number
  mtime: number
  ctime: number
  inode: number
  dev: number
  nlink: number
  owner: string
  group: string
}

/** Python's fnmatch.fnmatch on POSIX (case-sensitive). */
function fnmatch(name: string, pattern: string): boolean {
  let source = ''
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]
    if (char === '*') source += '.*'
    else if (char === '?') source += '.'
    else if (char === '[') {
      const close = pattern.indexOf(']', index + 2)
      if (close < 0) source += '\\['
      else {
        let body = pattern.slice(index + 1, close).replace(/\\/g, '\\\\')
        if (body.startsWith('!')) body = `^${body.slice(1)}`
        source += `[${body}]`
        index = close
      }
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 's').test(name)
}

function patternFilter(
  name: string,
  patterns: string[],
  excludes: string[] | undefined,
  useRegex: boolean
): boolean {
  if (patterns.length === 0 && !excludes?.length) return true
  const matches = (pattern: string) =>
    useRegex ? pyRegex(`(?:${pattern})`).exec(name)?.index === 0 : fnmatch(name, pattern)
  if (patterns.length > 0 && !excludes?.length) return patterns.some(matches)
  if (patterns.length > 0 && excludes?.length)
    return patterns.some(matches) && !excludes.some(matches)
  return false
}

function parseAmount(value: string, units: Record<string, number>, unitRe: string): number | null {
  const match = new RegExp(`^(-?\\d+)(${unitRe})?$`).exec(value.toLowerCase())
  return match ? Number(match[1]) * (units[match[2] ?? ''] ?? 1) : null
}

function statinfo(entry: Entry): Record<string, unknown> {
  const mode = entry.rawMode & 0o7777
  return {
    mode: formatMode(mode),
    ...fileTypeFlags(entry.rawMode),
    uid: entry.uid,
    gid: entry.gid,
    size: entry.size,
    inode: entry.inode,
    dev: entry.dev,
    nlink: entry.nlink,
    atime: entry.atime,
    mtime: entry.mtime,
    ctime: entry.ctime,
    gr_name: entry.group === 'UNKNOWN' ? '' : entry.group,
    pw_name: entry.owner === 'UNKNOWN' ? '' : entry.owner,
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
    isgid: Boolean(mode & 0o2000)
  }
}

async function listTree(
  ctx: ModuleContext,
  root: string,
  follow: boolean,
  maxDepth?: number
): Promise<Entry[] | string> {
  const quoted = shellQuote(root)
  const depth = maxDepth !== undefined ? ` -maxdepth ${maxDepth}` : ''
  const statFlag = follow ? '-L -c' : '-c'
  const script =
    `[ -d ${quoted} ] || { echo "'${root.replace(/'/g, "'\\''")}' is not a directory" >&2; exit 3; }\n` +
    `find ${follow ? '-L ' : ''}${quoted} -mindepth 1${depth} | while IFS= read -r f; do ` +
    `stat ${statFlag} '%f %s %u %g %X %Y %Z %i %d %h %U %G %n' "$f" 2>/dev/null; done`
  const listing = await ctx.connection.exec(script, { idempotent: true })
  if (listing.rc === 3) return listing.stderr.trim()
  return listing.stdout
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const parts = line.split(' ')
      const path = parts.slice(12).join(' ')
      return {
        path,
        name: path.slice(path.lastIndexOf('/') + 1),
        rawMode: parseInt(parts[0], 16),
        size: Number(parts[1]),
        uid: Number(parts[2]),
        gid: Number(parts[3]),
        atime: Number(parts[4]),
        mtime: Number(parts[5]),
        ctime: Number(parts[6]),
        inode: Number(parts[7]),
        dev: Number(parts[8]),
        nlink: Number(parts[9]),
        owner: parts[10],
        group: parts[11]
      }
    })
}

/** os.walk order: per directory its files, then its subdirectories, then descend. */
function walkOrder(
  root: string,
  entries: Entry[]
): { entries: Entry[]; perDirectory: Map<string, Entry[]> } {
  const perDirectory = new Map<string, Entry[]>()
  for (const entry of entries) {
    const parent = dirname(entry.path)
    perDirectory.set(parent, [...(perDirectory.get(parent) ?? []), entry])
  }
  const ordered: Entry[] = []
  const isDir = (entry: Entry) => (entry.rawMode & 0o170000) === 0o040000
  const visit = (dir: string) => {
    const children = perDirectory.get(dir) ?? []
    ordered.push(...children.filter(child => !isDir(child)), ...children.filter(isDir))
    for (const child of children.filter(isDir)) visit(child.path)
  }
  visit(root.replace(/\/+$/, '') || '/')
  return { entries: ordered, perDirectory }
}

export const find: ModuleDefinition = {
  name: 'find',
  args: {
    paths: { type: 'list', elements: 'str', required: true, aliases: ['name', 'path'] },
    patterns: { type: 'list', elements: 'str', default: [], aliases: ['pattern'] },
    excludes: { type: 'list', elements: 'str', aliases: ['exclude'] },
    contains: { type: 'str' },
    read_whole_file: { type: 'bool', default: false },
    file_type: { type: 'str', default: 'file', choices: ['any', 'directory', 'file', 'link'] },
    age: { type: 'str' },
    age_stamp: { type: 'str', default: 'mtime', choices: ['atime', 'ctime', 'mtime'] },
    size: { type: 'str' },
    recurse: { type: 'bool', default: false },
    hidden: { type: 'bool', default: false },
    follow: { type: 'bool', default: false },
    get_checksum: { type: 'bool', default: false },
    use_regex: { type: 'bool', default: false },
    depth: { type: 'int' }
  },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const useRegex = args.use_regex as boolean
    let patterns = args.patterns as string[]
    if (patterns.length === 0) patterns = [useRegex ? '.*' : '*']
    const excludes = args.excludes as string[] | undefined
    let age: number | null = null
    if (args.age !== undefined) {
      age = parseAmount(
        args.age as string,
        { s: 1, m: 60, h: 3600, d: 86400, w: 604800 },
        's|m|h|d|w'
      )
      if (age === null)
        return { changed: false, failed: true, age: args.age, msg: 'failed to process age' }
    }
    let size: number | null = null
    if (args.size !== undefined) {
      size = parseAmount(
        args.size as string,
        { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 },
        'b|k|m|g|t'
      )
      if (size === null)
        return { changed: false, failed: true, size: args.size, msg: 'failed to process size' }
    }
    const depthLimit = args.depth as number | undefined
    const contains = args.contains as string | undefined
    const now = Date.now() / 1000
    const stampKey = args.age_stamp as 'atime' | 'mtime' | 'ctime'
    const files: Record<string, unknown>[] = []
    const skipped: Record<string, string> = {}
    const warnings: string[] = []
    let looked = 0
    try {
      for (const root of args.paths as string[]) {
        const maxDepth = !args.recurse ? 1 : depthLimit ? depthLimit + 1 : undefined
        const listed = await listTree(ctx, root, args.follow as boolean, maxDepth)
        if (typeof listed === 'string') {
          skipped[root] = listed
          warnings.push(`Skipped '${root}' path due to this access issue: ${listed}\n`)
          continue
        }
        const { entries } = walkOrder(root, listed)
        looked += entries.length
        const rootDepth = root.replace(/\/+$/, '').split('/').length
        for (const entry of entries) {
          if (depthLimit && entry.path.split('/').length - rootDepth > depthLimit) continue
          if (entry.name.startsWith('.') && !args.hidden) continue
          const format = entry.rawMode & 0o170000
          const stamp = entry[stampKey]
          const ageOk =
            age === null || (age >= 0 ? now - stamp >= Math.abs(age) : now - stamp <= Math.abs(age))
          const sizeOk =
            size === null ||
            (size >= 0 ? entry.size >= Math.abs(size) : entry.size <= Math.abs(size))
          const nameOk = () => patternFilter(entry.name, patterns, excludes, useRegex)
          const fileType = args.file_type
          let keep = false
          if (fileType === 'any') keep = nameOk() && ageOk && (format !== 0o100000 || sizeOk)
          else if (fileType === 'directory') keep = format === 0o040000 && nameOk() && ageOk
          else if (fileType === 'file')
            keep =
              format === 0o100000 &&
              nameOk() &&
              ageOk &&
              sizeOk &&
              (await containsOk(ctx, entry.path, contains, args.read_whole_file as boolean))
          else keep = format === 0o120000 && nameOk() && ageOk
          if (keep) files.push({ path: entry.path, ...statinfo(entry) })
        }
      }
    } catch (error) {
      if (error instanceof PyRegexError) return { changed: false, failed: true, msg: error.message }
      throw error
    }
    if (args.get_checksum) await addChecksums(ctx, files)
    const result: ModuleResult = {
      files,
      changed: false,
      msg:
        warnings.length > 0
          ? 'Not all paths examined, check warnings for details'
          : 'All paths examined',
      matched: files.length,
      examined: looked,
      skipped_paths: skipped
    }
    return warnings.length > 0 ? { ...result, warnings } : result
  }
}

async function containsOk(
  ctx: ModuleContext,
  path: string,
  pattern: string | undefined,
  wholeFile: boolean
): Promise<boolean> {
  if (pattern === undefined) return true
  const data = await ctx.connection.read(path)
  if (data === null) return false
  const text = data.toString('utf8')
  if (wholeFile) return pyRegex(pattern).test(text)
  const regex = pyRegex(`(?:${pattern})`)
  return text.split(/(?<=\n)/).some(line => regex.exec(line)?.index === 0)
}

async function addChecksums(ctx: ModuleContext, files: Record<string, unknown>[]): Promise<void> {
  const regular = files.filter(file => file.isreg)
  if (regular.length === 0) return
  const script = regular
    .map(file => `sha1sum < ${shellQuote(file.path as string)} | cut -d' ' -f1`)
    .join('\n')
  const sums = (await ctx.connection.exec(script, { idempotent: true })).stdout.split('\n')
  regular.forEach((file, index) => {
    if (/^[0-9a-f]{40}$/.test(sums[index] ?? '')) file.checksum = sums[index]
  })
}
