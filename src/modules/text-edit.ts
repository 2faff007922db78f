// Read-modify-write of a remote text file for lineinfile, blockinfile and replace:
//   1 exec: stat (through symlinks) + content + our uid/gid
//   1 put:  the new content, atomically, with the file's mode (or the requested one)
//   +1 exec only for backup, validate, a missing parent, or owner/group changes.
// The probe also looks at the parent, so creating a file in an existing directory needs no mkdir.
import { randomBytes } from 'node:crypto'
import { AttributeError, applyCommands, planAttributes, type FileDiff } from './file-attrs.js'
import { dirname, ProbeScript, shellQuote, type HostIdentity, type PathInfo } from './remote.js'
import type { ModuleContext, ModuleResult } from './types.js'

const NEW_FILE_MODE = 0o644

export interface EditTarget {
  path: string
  /** The file itself (through symlinks); `exists` false when missing. */
  info: PathInfo
  content: Buffer | null
  identity?: HostIdentity
  /** Where the new content goes: the symlink's target, like Ansible's realpath(dest). */
  writePath: string
  /** The path's directory exists (a new file needs no mkdir). */
  parentExists: boolean
  /** The path is a symlink whose target's directory is missing (Ansible fails the write). */
  targetDirMissing?: boolean
}

export async function readForEdit(ctx: ModuleContext, path: string): Promise<EditTarget> {
  const script = new ProbeScript().line('echo "I0 $(id -u) $(id -g)"')
  const parent = script.probe(dirname(path), { follow: true })
  // A dangling symlink: where its target would be (realpath(dest)), when the target's directory
  // exists. `readlink -f` cannot tell: it prints nothing when that directory is missing, and
  // busybox resolves a relative target against the cwd instead of the link's directory.
  const p = shellQuote(path)
  script.line(
    `if [ -L ${p} ] && [ ! -e ${p} ]; then t=$(readlink -- ${p}); ` +
      `case $t in /*) ;; *) t=${shellQuote(dirname(path).replace(/\/+$/, ''))}/$t;; esac; ` +
      `d=$(dirname -- "$t"); b=$(basename -- "$t"); ` +
      `if [ -d "$d" ]; then d=$(cd -- "$d" && pwd -P) && echo "S1 \${d%/}/$b"; fi; fi`
  )
  // Last: the content runs to the end of the output.
  const file = script.probe(path, { follow: true, content: true })
  const { infos, identity, marks } = await script.run(ctx.connection, { idempotent: true })
  const info = infos[file]
  const content = info.exists && info.type === 'file' ? (info.content ?? Buffer.alloc(0)) : null
  const dangling = info.linkTarget !== undefined && info.targetExists !== true
  const danglingTarget = marks.get(1)
  if (dangling) {
    // Ansible makes dirname(dest) (the link's own, existing directory) and moves the content
    // to realpath(dest); a missing target directory is not created: the move fails.
    return {
      path,
      info,
      content,
      identity,
      writePath: danglingTarget || linkTargetPath(path, info.linkTarget!),
      parentExists: Boolean(danglingTarget),
      targetDirMissing: !danglingTarget
    }
  }
  return {
    path,
    info,
    content,
    identity,
    writePath: info.realPath || path,
    parentExists: infos[parent].targetIsDir === true
  }
}

/** Where the symlink `path` -> `target` points (a relative target is relative to its directory). */
function linkTargetPath(path: string, target: string): string {
  return target.startsWith('/') ? target : `${dirname(path).replace(/\/+$/, '')}/${target}`
}

/** Python's readlines() on bytes: lines keep their '\n'. */
export function splitKeepEnds(text: string): string[] {
  const lines = text.split(/(?<=\n)/)
  return lines.length === 1 && lines[0] === '' ? [] : lines
}

export function backupName(path: string): string {
  const now = new Date()
  const pad = (value: number) => String(value).padStart(2, '0')
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}@${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`
  return `${path}.${process.pid}.${stamp}~`
}

export interface AttributeArgs {
  mode?: unknown
  owner?: string
  group?: string
}

export interface WriteOutcome {
  backupFile: string
  /** Attribute changes (the lineinfile "ownership, perms or SE linux context changed" part). */
  attributesChanged: boolean
}

/** Thrown for failures the module reports as a failed result. */
export class EditFailure extends Error {
  constructor(readonly result: ModuleResult) {
    super(String(result.msg))
    this.name = 'EditFailure'
  }
}

/**
 * Write `data` (when `changed`), apply mode/owner/group either way, honour check mode.
 * `attrDiff` receives Ansible's before/after for attribute changes.
 */
export async function writeEdited(
  ctx: ModuleContext,
  target: EditTarget,
  data: Buffer | null,
  options: { backup?: boolean; validate?: string; attributes: AttributeArgs; attrDiff?: FileDiff }
): Promise<WriteOutcome> {
  const base: PathInfo = target.info.exists
    ? target.info
    : {
        path: target.writePath,
        exists: true,
        type: 'file',
        mode: NEW_FILE_MODE,
        uid: target.identity?.uid,
        gid: target.identity?.gid
      }
  let plan
  try {
    plan = planAttributes(target.writePath, base, options.attributes, ctx.check, options.attrDiff)
  } catch (error) {
    if (error instanceof AttributeError)
      throw new EditFailure({ changed: false, failed: true, ...error.result })
    throw error
  }
  if (ctx.check) return { backupFile: '', attributesChanged: plan.changed }
  if (data === null) {
    await applyCommands(ctx, plan.commands)
    return { backupFile: '', attributesChanged: plan.changed }
  }
  if (target.targetDirMissing) {
    // Ansible makes dirname(dest), which the link's own directory already is, then
    // atomic_move to realpath(dest) fails: the target's directory is not created.
    throw new EditFailure({
      changed: false,
      failed: true,
      msg: `Could not replace file: ${target.path} to ${target.writePath}: [Errno 2] No such file or directory: ${dirname(target.writePath)}`
    })
  }
  const pre: string[] = []
  if (!target.info.exists && !target.parentExists)
    pre.push(`mkdir -p -- ${shellQuote(dirname(target.writePath))}`)
  let backupFile = ''
  if (options.backup && target.info.exists) {
    backupFile = backupName(target.path)
    pre.push(`cp -p -- ${shellQuote(target.writePath)} ${shellQuote(backupFile)}`)
  }
  await applyCommands(ctx, pre)
  const mode = (plan.finalMode ?? base.mode ?? NEW_FILE_MODE).toString(8).padStart(4, '0')
  const validate = options.validate
  const putPath = validate
    ? `${dirname(target.writePath)}/.ansible-tmp-${randomBytes(6).toString('hex')}`
    : target.writePath
  await ctx.connection.put(data, putPath, { mode })
  const post: string[] = []
  if (validate) {
    if (!validate.includes('%s')) {
      await ctx.connection.exec(`rm -f -- ${shellQuote(putPath)}`)
      throw new EditFailure({
        changed: false,
        failed: true,
        msg: `validate must contain %s: ${validate}`
      })
    }
    const checked = await ctx.connection.exec(validate.split('%s').join(shellQuote(putPath)))
    if (checked.rc !== 0) {
      await ctx.connection.exec(`rm -f -- ${shellQuote(putPath)}`)
      throw new EditFailure({
        changed: false,
        failed: true,
        msg: `failed to validate: rc:${checked.rc} error:${checked.stderr}`
      })
    }
    post.push(`mv -f -- ${shellQuote(putPath)} ${shellQuote(target.writePath)}`)
  }
  post.push(...plan.commands.filter(command => !command.startsWith('chmod ')))
  // atomic_move keeps the previous owner; our put created the file as the exec user.
  const info = target.info
  if (info.exists && options.attributes.owner === undefined && info.uid !== target.identity?.uid) {
    post.push(`chown -- ${info.uid} ${shellQuote(target.writePath)}`)
  }
  if (info.exists && options.attributes.group === undefined && info.gid !== target.identity?.gid) {
    post.push(`chgrp -- ${info.gid} ${shellQuote(target.writePath)}`)
  }
  await applyCommands(ctx, post)
  return { backupFile, attributesChanged: plan.changed }
}
