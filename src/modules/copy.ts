// ansible.builtin.copy: content or a runner-side file/tree (or remote_src) to the host.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { probeTargets, writeRemoteFile, type WriteRequest } from './copy-core.js'
import { applyCommands, pathInfoFields, planAttributes } from './file-attrs.js'
import { fileCommonArgs } from './file.js'
import { notFoundMessage } from './local-files.js'
import { pythonJsonDumps } from './python-json.js'
import {
  basename,
  dirname,
  md5Hex,
  probePaths,
  ProbeScript,
  sha1Hex,
  shellQuote
} from './remote.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'

export const copyArgs = {
  ...fileCommonArgs,
  src: { type: 'path' },
  _original_basename: { type: 'str' },
  content: { type: 'raw', noLog: true },
  dest: { type: 'path' },
  backup: { type: 'bool', default: false },
  force: { type: 'bool', default: true },
  validate: { type: 'str' },
  directory_mode: { type: 'raw' },
  remote_src: { type: 'bool' },
  local_follow: { type: 'bool', default: true },
  checksum: { type: 'str' },
  follow: { type: 'bool', default: false },
  decrypt: { type: 'bool', default: true }
} as const satisfies ModuleDefinition['args']

interface LocalTree {
  files: { full: string; rel: string }[]
  directories: string[]
  symlinks: { target: string; rel: string }[]
}

/**
 * Ansible's _walk_dirs: a trailing slash copies the contents, otherwise the directory itself
 * (whose own entry is implicit: only subdirectories are listed).
 */
async function walkLocal(source: string, localFollow: boolean): Promise<LocalTree> {
  const tree: LocalTree = { files: [], directories: [], symlinks: [] }
  const base = source.endsWith('/') ? source.slice(0, -1) : dirname(source)
  const prefix = (full: string) => path.relative(base, full)
  const visit = async (dir: string) => {
    const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name)
    )
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      if (entry.isSymbolicLink() && !localFollow) {
        tree.symlinks.push({ target: await fs.readlink(full), rel: prefix(full) })
        continue
      }
      const info = await fs.stat(full)
      if (info.isDirectory()) {
        tree.directories.push(prefix(full))
        await visit(full)
      } else tree.files.push({ full, rel: prefix(full) })
    }
  }
  await visit(source.endsWith('/') ? source.slice(0, -1) : source)
  return tree
}

export const copy: ModuleDefinition = {
  name: 'copy',
  args: copyArgs,
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const source = args.src as string | undefined
    const content = args.content
    let dest = args.dest as string | undefined
    if (!source && content === undefined)
      return { failed: true, changed: false, msg: 'src (or content) is required' }
    if (!dest) return { failed: true, changed: false, msg: 'dest is required' }
    if (source && content !== undefined) {
      return { failed: true, changed: false, msg: 'src and content are mutually exclusive' }
    }
    if (content !== undefined && dest.endsWith('/')) {
      return { failed: true, changed: false, msg: 'can not use content with a dir as dest' }
    }
    if (content !== undefined) {
      const text =
        typeof content === 'object' && content !== null ? pythonJsonDumps(content) : String(content)
      const result = await writeRemoteFile(ctx, {
        source: { data: Buffer.from(text, 'utf8') },
        sourceRel: basename(dest),
        dest,
        afterHeader: `${dest} (content)`,
        isContent: true,
        args
      })
      return result ?? { changed: false, dest }
    }
    if (args.remote_src) return copyRemote(ctx, source!, dest, args)

    const found = ctx.findLocalFile(source!, 'files')
    if (!found) return { failed: true, changed: false, msg: notFoundMessage(source!, 'files', ctx) }
    const localPath = source!.endsWith('/') && !found.endsWith('/') ? `${found}/` : found
    const localInfo = await fs.stat(localPath)
    if (!localInfo.isDirectory()) {
      const result = await writeRemoteFile(ctx, {
        source: { file: localPath, size: localInfo.size },
        sourceRel: basename(localPath),
        dest,
        afterHeader: localPath,
        isContent: false,
        sourceMode: localInfo.mode & 0o7777,
        args
      })
      return result ?? { changed: false, dest, src: localPath }
    }

    const tree = await walkLocal(localPath, args.local_follow as boolean)
    if (!dest.endsWith('/')) dest = `${dest}/`
    let changed = false
    let last: ModuleResult | null = null
    const requests: WriteRequest[] = []
    for (const file of tree.files) {
      const info = await fs.stat(file.full)
      requests.push({
        source: { file: file.full, size: info.size },
        sourceRel: file.rel,
        dest,
        afterHeader: file.full,
        isContent: false,
        sourceMode: info.mode & 0o7777,
        args: { ...args, follow: false }
      })
    }
    const probes = requests.length > 0 ? await probeTargets(ctx, requests) : []
    // The probes predate the writes: a parent one write creates exists for the next ones.
    const made = new Set<string>()
    for (const [index, request] of requests.entries()) {
      const probe = probes[index]
      const infos = probe.infos.map(info =>
        made.has(info.path)
          ? { ...info, exists: true, targetExists: true, targetIsDir: true }
          : info
      )
      const result = await writeRemoteFile(ctx, request, { ...probe, infos })
      if (result === null) continue
      if (result.failed) return result
      if (typeof result.dest === 'string') made.add(dirname(result.dest))
      changed ||= result.changed === true
      last = result
    }
    const directories = await ensureDirectories(ctx, dest, tree.directories, args)
    changed = directories.changed || changed
    changed = (await ensureLinks(ctx, dest, tree.symlinks)) || changed
    // Ansible returns the last module result for a one-file tree: a subdirectory's file-module
    // result when there is one (its own `changed`), else the file's.
    if (tree.files.length === 1 && directories.last) return directories.last
    if (last && tree.files.length === 1) return { ...last, changed }
    return { dest, src: localPath, changed }
  }
}

async function ensureDirectories(
  ctx: ModuleContext,
  dest: string,
  directories: string[],
  args: Record<string, unknown>
): Promise<{ changed: boolean; last?: ModuleResult }> {
  if (directories.length === 0) return { changed: false }
  const infos = await probePaths(
    ctx.connection,
    directories.map(dir => `${dest}${dir}`)
  )
  const commands: string[] = []
  let changed = false
  let last: ModuleResult | undefined
  for (const info of infos) {
    const diff = {
      before: { path: info.path } as Record<string, unknown>,
      after: { path: info.path } as Record<string, unknown>
    }
    if (!info.exists) {
      changed = true
      commands.push(`mkdir -p ${shellQuote(info.path)}`)
      const created = {
        ...info,
        exists: true,
        targetExists: true,
        targetIsDir: true,
        type: 'directory' as const,
        mode: 0o755
      }
      const plan = planAttributes(info.path, created, { mode: args.directory_mode }, false, diff)
      commands.push(...plan.commands)
      last = {
        path: info.path,
        dest: info.path,
        changed: true,
        diff,
        ...pathInfoFields({ ...created, mode: plan.finalMode })
      }
      continue
    }
    const plan = planAttributes(info.path, info, { mode: args.directory_mode }, ctx.check, diff)
    changed ||= plan.changed
    commands.push(...plan.commands)
    last = {
      path: info.path,
      dest: info.path,
      changed: plan.changed,
      diff,
      ...pathInfoFields({ ...info, mode: plan.finalMode })
    }
  }
  if (!ctx.check) await applyCommands(ctx, commands)
  return { changed, last }
}

async function ensureLinks(
  ctx: ModuleContext,
  dest: string,
  links: { target: string; rel: string }[]
): Promise<boolean> {
  if (links.length === 0) return false
  const infos = await probePaths(
    ctx.connection,
    links.map(link => `${dest}${link.rel}`)
  )
  const commands: string[] = []
  links.forEach((link, index) => {
    const info = infos[index]
    if (info.type === 'link' && info.linkTarget === link.target) return
    commands.push(`ln -sfn ${shellQuote(link.target)} ${shellQuote(info.path)}`)
  })
  if (!ctx.check) await applyCommands(ctx, commands)
  return commands.length > 0
}

/** remote_src: copy on the host itself (cp to a temp file next to dest, then mv). */
async function copyRemote(
  ctx: ModuleContext,
  source: string,
  dest: string,
  args: Record<string, unknown>
): Promise<ModuleResult> {
  const [src] = await probePaths(ctx.connection, [source], { checksum: 'sha1', follow: true })
  if (!src.exists) return { failed: true, changed: false, msg: `Source ${source} not found` }
  if (src.type === 'directory') {
    const target =
      dest.endsWith('/') || source.endsWith('/')
        ? dest
        : `${dest.replace(/\/+$/, '')}/${basename(source)}`
    const [before] = await probePaths(ctx.connection, [target])
    if (ctx.check) return { changed: !before.exists, dest, src: source }
    const copied = await ctx.connection.exec(
      `mkdir -p ${shellQuote(target)} && cp -a ${shellQuote(source.replace(/\/+$/, ''))}/. ${shellQuote(target)}`
    )
    if (copied.rc !== 0)
      return {
        failed: true,
        changed: false,
        msg: `failed to copy: ${source} to ${dest}: ${copied.stderr.trim()}`
      }
    return { changed: true, dest, src: source }
  }
  let destFile = dest
  const [destInfo] = await probePaths(ctx.connection, [dest], { checksum: 'sha1', follow: true })
  let info = destInfo
  if (destInfo.targetIsDir) {
    destFile = `${dest.replace(/\/+$/, '')}/${basename(source)}`
    ;[info] = await probePaths(ctx.connection, [destFile], { checksum: 'sha1', follow: true })
  }
  if (info.exists && args.force === false)
    return { changed: false, msg: 'file already exists', src: source, dest: destFile }
  const checksum = src.checksum
  if (checksum !== undefined && checksum === info.checksum) {
    const plan = planAttributes(
      destFile,
      info,
      { mode: args.mode, owner: args.owner as string, group: args.group as string },
      ctx.check
    )
    await applyCommands(ctx, plan.commands)
    return remoteResult(ctx, destFile, source, plan.changed)
  }
  if (ctx.check) return { changed: true, dest: destFile, src: source, checksum }
  const temp = `${dirname(destFile)}/.ansible-tmp-${Date.now()}`
  const steps = [`cp -p ${shellQuote(source)} ${shellQuote(temp)}`]
  const attributes = planAttributes(
    temp,
    { ...src, path: temp },
    { mode: args.mode, owner: args.owner as string, group: args.group as string },
    false
  )
  steps.push(...attributes.commands, `mv -f ${shellQuote(temp)} ${shellQuote(destFile)}`)
  const copied = await ctx.connection.exec(steps.join(' && '))
  if (copied.rc !== 0) {
    return {
      failed: true,
      changed: false,
      msg: `failed to copy: ${source} to ${destFile}: ${copied.stderr.trim()}`
    }
  }
  return remoteResult(ctx, destFile, source, true)
}

/**
 * The copy module's result for remote_src: sums of the file now in place, computed in the pod
 * (the file may be far larger than our memory), plus path info. Hosts without md5sum/sha1sum
 * send the content to hash here.
 */
async function remoteResult(
  ctx: ModuleContext,
  destFile: string,
  source: string,
  changed: boolean
): Promise<ModuleResult> {
  const script = new ProbeScript()
  const sha1 = script.probe(destFile, { checksum: 'sha1' })
  const md5 = script.probe(destFile, { checksum: 'md5' })
  const { infos } = await script.run(ctx.connection, { idempotent: true })
  let sums = { sha1: infos[sha1].checksum, md5: infos[md5].checksum }
  if (sums.sha1 === undefined || sums.md5 === undefined) {
    const data = (await ctx.connection.read(destFile)) ?? Buffer.alloc(0)
    sums = { sha1: sha1Hex(data), md5: md5Hex(data) }
  }
  return {
    changed,
    dest: destFile,
    src: source,
    md5sum: sums.md5,
    checksum: sums.sha1,
    ...pathInfoFields(infos[sha1])
  }
}
