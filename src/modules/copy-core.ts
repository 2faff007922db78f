// The heart of copy and template: put one runner-side file at a remote destination the way
// Ansible's copy action + module do, in as few round trips as possible:
//   unchanged: 1 probe exec (stat + sha1 of dest, dest/<name> and the parent, plus `id`)
//   changed:   the probe + 1 atomic put (+1 exec only for backup, validate or owner/group).
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  AttributeError,
  applyCommands,
  pathInfoFields,
  planAttributes,
  type AttributeRequest
} from './file-attrs.js'
import { formatMode, resolveMode, ModeError } from './mode.js'
import {
  dirname,
  ProbeScript,
  sha1Hex,
  shellQuote,
  splitLines,
  type HostIdentity,
  type PathInfo,
  type ProbeOptions
} from './remote.js'
import type { ModuleContext, ModuleResult } from './types.js'
import {
  fileDigests,
  putInput,
  sourceBytes,
  sourceDigests,
  sourceSize,
  type Digests,
  type WriteSource
} from './write-source.js'

/** Ansible's C.MAX_FILE_SIZE_FOR_DIFF. */
const MAX_DIFF_SIZE = 104448
const NEW_FILE_MODE = 0o644

export interface WriteRequest {
  source: WriteSource
  /** Path relative to a directory destination (basename for single files). */
  sourceRel: string
  /** Destination as given (a trailing / means "directory"). */
  dest: string
  /** The diff's after_header: the runner-side source. */
  afterHeader: string
  /** copy content= (a directory dest is an error then). */
  isContent: boolean
  /** Permission bits of the local source, for mode=preserve. */
  sourceMode?: number
  args: Record<string, unknown>
}

export type WriteResult = ModuleResult | null

function backupName(path: string): string {
  const now = new Date()
  const pad = (value: number) => String(value).padStart(2, '0')
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}@${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`
  return `${path}.${process.pid}.${stamp}~`
}

function looksBinary(data: Buffer): boolean {
  return data.subarray(0, 8192).includes(0)
}

/** Ansible's copy action reads the source for the diff only below the size limit. */
async function sourceDiff(request: WriteRequest): Promise<Record<string, unknown>> {
  if (sourceSize(request.source) > MAX_DIFF_SIZE) return { src_larger: MAX_DIFF_SIZE }
  const data = await sourceBytes(request.source)
  if (data.includes(0)) return { src_binary: 1 }
  return { after_header: request.afterHeader, after: data.toString('utf8') }
}

async function diffEntry(
  ctx: ModuleContext,
  destFile: string,
  info: PathInfo,
  request: WriteRequest
) {
  const diff: Record<string, unknown> = {}
  if (!info.exists) diff.before = ''
  else if ((info.size ?? 0) > MAX_DIFF_SIZE) diff.dst_larger = MAX_DIFF_SIZE
  else {
    const before = (await ctx.connection.read(destFile)) ?? Buffer.alloc(0)
    if (looksBinary(before)) diff.dst_binary = 1
    else {
      diff.before_header = destFile
      diff.before = before.toString('utf8')
    }
  }
  return { ...diff, ...(await sourceDiff(request)) }
}

/** Remote files up to this size are read into memory to hash them; larger ones are streamed. */
const READ_TO_HASH_LIMIT = 1 << 20

/** sha1 of a remote file computed here: small ones read, others fetched to a temp file. */
async function sha1OnRunner(
  ctx: ModuleContext,
  remotePath: string,
  size: number
): Promise<string | undefined> {
  if (size <= READ_TO_HASH_LIMIT) {
    const data = await ctx.connection.read(remotePath)
    return data ? sha1Hex(data) : undefined
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'kubectl-ansible-hash-'))
  try {
    const copy = path.join(dir, 'copy')
    await ctx.connection.fetch(remotePath, copy)
    return (await fileDigests(copy)).sha1
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function requestedMode(request: WriteRequest): unknown {
  const mode = request.args.mode
  if (mode === 'preserve')
    return request.sourceMode === undefined ? undefined : formatMode(request.sourceMode)
  return mode
}

/** What one probe found at a request's destination: see targetPaths. */
export interface TargetProbe {
  infos: PathInfo[]
  identity?: HostIdentity
}

/** dest (or dest/<name>), dest/<name> for a directory dest, and both parents. */
function targetPaths(request: WriteRequest): string[] {
  const destFile = request.dest.endsWith('/') ? `${request.dest}${request.sourceRel}` : request.dest
  const nested = `${destFile.replace(/\/+$/, '')}/${request.sourceRel}`
  return [destFile, nested, dirname(destFile), dirname(nested)]
}

/**
 * Probe the destinations of several writes in one request (a directory source's files). The
 * writes may then create parents a later probe saw missing: `mkdir -p` does not mind.
 */
export async function probeTargets(
  ctx: ModuleContext,
  requests: WriteRequest[]
): Promise<TargetProbe[]> {
  const follow = requests[0]?.args.follow === true
  if (requests.some(request => (request.args.follow === true) !== follow))
    throw new Error('probeTargets: all writes must agree on follow')
  const script = new ProbeScript().line('echo "I0 $(id -u) $(id -g)"')
  for (const request of requests) {
    const options: ProbeOptions = {
      checksum: 'sha1',
      checksumOnlyOfSize: sourceSize(request.source),
      follow
    }
    const [destFile, nested, ...parents] = targetPaths(request)
    script.probe(destFile, options)
    script.probe(nested, options)
    for (const parent of parents) script.probe(parent, { follow })
  }
  const { infos, identity } = await script.run(ctx.connection, { idempotent: true })
  return requests.map((_, index) => ({ infos: infos.slice(4 * index, 4 * index + 4), identity }))
}

/**
 * Write the request's source to its destination. Returns null when force=no left an existing
 * file alone (Ansible's action then reports `{dest, src, changed: false}`). `probed` is the
 * destination's probe when the caller took it together with others.
 */
export async function writeRemoteFile(
  ctx: ModuleContext,
  request: WriteRequest,
  probed?: TargetProbe
): Promise<WriteResult> {
  const { args } = request
  const force = args.force !== false
  const follow = args.follow === true
  const [initialDest, nested] = targetPaths(request)
  let destFile = initialDest
  const { infos, identity } = probed ?? (await probeTargets(ctx, [request]))[0]
  let [info, , parent] = infos
  if (info.exists && info.targetIsDir) {
    if (request.isContent)
      return {
        failed: true,
        changed: false,
        diff: [],
        msg: 'can not use content with a dir as dest'
      }
    destFile = nested
    info = infos[1]
    parent = infos[3]
  }
  if (info.exists && !force) return null

  const size = sourceSize(request.source)
  const mode = requestedMode(request)
  // Only a file of the same size can hold the same bytes: otherwise the source is hashed while
  // it is sent instead of in a pass of its own before.
  let digests: Digests | undefined
  const sourceSums = async () => (digests ??= await sourceDigests(request.source))
  if (info.type === 'file' && info.size === size) {
    const localChecksum = (await sourceSums()).sha1
    // No sha1sum on the host: hash its copy here (one extra transfer, only on such images).
    if (info.checksumUnavailable) info.checksum = await sha1OnRunner(ctx, destFile, size)
    if (localChecksum === info.checksum) {
      const attributes = {
        mode,
        owner: args.owner as string | undefined,
        group: args.group as string | undefined
      }
      return keepExisting(ctx, destFile, info, attributes, localChecksum)
    }
  }

  const diffs = ctx.diff ? [await diffEntry(ctx, destFile, info, request)] : []
  if (ctx.check) return { changed: true, diff: diffs }

  const pre: string[] = []
  if (!info.exists && !parent.exists) {
    if (!request.dest.endsWith('/')) {
      return {
        failed: true,
        changed: false,
        diff: diffs,
        checksum: (await sourceSums()).sha1,
        msg: `Destination directory ${dirname(destFile)} does not exist`
      }
    }
    if (args.directory_mode === undefined) pre.push(`mkdir -p ${shellQuote(dirname(destFile))}`)
    else {
      // directory_mode applies to every directory this copy creates (Ansible's
      // adjust_recursive_directory_permissions), not to ones that already existed.
      const mode = resolveDirectoryMode(args.directory_mode)
      const parts = dirname(destFile).split('/')
      const chain = parts
        .map((_, index) => parts.slice(0, index + 1).join('/'))
        .filter(part => part !== '')
      pre.push(
        `for d in ${chain.map(shellQuote).join(' ')}; do [ -d "$d" ] || { mkdir "$d" && chmod ${mode} "$d"; } || exit 1; done`
      )
    }
  }
  let backupFile: string | undefined
  if (args.backup && info.exists) {
    backupFile = backupName(destFile)
    pre.push(`cp -p ${shellQuote(destFile)} ${shellQuote(backupFile)}`)
  }
  if (info.type === 'link' && !follow) pre.push(`rm -f ${shellQuote(destFile)}`)

  let finalMode: number
  try {
    finalMode =
      mode === undefined
        ? ((info.type === 'file' ? info.mode : undefined) ?? NEW_FILE_MODE)
        : resolveMode(
            mode,
            info.type === 'file' ? (info.mode ?? NEW_FILE_MODE) : NEW_FILE_MODE,
            false
          )
  } catch (error) {
    if (error instanceof ModeError) {
      return {
        failed: true,
        changed: false,
        path: destFile,
        msg: error.message,
        details: error.details
      }
    }
    throw error
  }
  await applyCommands(ctx, pre)

  const validate = args.validate as string | undefined
  const target = validate
    ? `${dirname(destFile)}/.ansible-tmp-${randomBytes(6).toString('hex')}`
    : destFile
  const [sums] = await Promise.all([
    sourceSums(),
    ctx.connection.put(putInput(request.source), target, { mode: formatMode(finalMode) })
  ])
  const post: string[] = []
  if (validate) {
    if (!validate.includes('%s')) {
      await ctx.connection.exec(`rm -f ${shellQuote(target)}`)
      return { failed: true, changed: false, msg: `validate must contain %s: ${validate}` }
    }
    const checked = await ctx.connection.exec(validate.split('%s').join(shellQuote(target)))
    if (checked.rc !== 0) {
      await ctx.connection.exec(`rm -f ${shellQuote(target)}`)
      return {
        failed: true,
        changed: false,
        msg: 'failed to validate',
        exit_status: checked.rc,
        stdout: checked.stdout,
        stdout_lines: splitLines(checked.stdout),
        stderr: checked.stderr,
        stderr_lines: splitLines(checked.stderr),
        checksum: sums.sha1,
        diff: diffs
      }
    }
    post.push(`mv -f ${shellQuote(target)} ${shellQuote(destFile)}`)
  }
  post.push(...ownershipCommands(destFile, info, identity, args))
  await applyCommands(ctx, post)

  const finalInfo: PathInfo = {
    path: destFile,
    exists: true,
    targetExists: true,
    type: 'file',
    mode: finalMode,
    size,
    nlink: 1,
    uid: info.exists ? info.uid : identity?.uid,
    gid: info.exists ? info.gid : identity?.gid,
    owner: info.exists ? info.owner : undefined,
    group: info.exists ? info.group : undefined
  }
  const fields = pathInfoFields(finalInfo)
  return {
    dest: destFile,
    md5sum: sums.md5,
    checksum: sums.sha1,
    changed: true,
    ...(backupFile ? { backup_file: backupFile } : {}),
    ...stripUnknown(fields),
    diff: diffs
  }
}

function stripUnknown(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined))
}

function resolveDirectoryMode(mode: unknown): string {
  return resolveMode(mode, 0o755, true).toString(8)
}

/** Owner/group: requested ones, else the previous file's (atomic_move keeps them). */
function ownershipCommands(
  path: string,
  info: PathInfo,
  identity: HostIdentity | undefined,
  args: Record<string, unknown>
): string[] {
  const owner =
    (args.owner as string | undefined) ??
    (info.exists && info.uid !== identity?.uid ? String(info.uid) : undefined)
  const group =
    (args.group as string | undefined) ??
    (info.exists && info.gid !== identity?.gid ? String(info.gid) : undefined)
  const commands: string[] = []
  if (owner !== undefined) commands.push(`chown ${shellQuote(owner)} ${shellQuote(path)}`)
  if (group !== undefined) commands.push(`chgrp ${shellQuote(group)} ${shellQuote(path)}`)
  return commands
}

/** Content already matches: Ansible runs the file module (state=file) for the attributes. */
async function keepExisting(
  ctx: ModuleContext,
  destFile: string,
  info: PathInfo,
  attributes: AttributeRequest,
  checksum: string
): Promise<ModuleResult> {
  const diff = {
    before: { path: destFile } as Record<string, unknown>,
    after: { path: destFile } as Record<string, unknown>
  }
  try {
    const plan = planAttributes(destFile, info, attributes, ctx.check, diff)
    await applyCommands(ctx, plan.commands)
    const fields = pathInfoFields({ ...info, mode: plan.finalMode })
    return {
      path: destFile,
      dest: destFile,
      changed: plan.changed,
      diff,
      checksum,
      ...stripUnknown(fields)
    }
  } catch (error) {
    if (error instanceof AttributeError)
      return { changed: false, failed: true, checksum, ...error.result }
    throw error
  }
}
