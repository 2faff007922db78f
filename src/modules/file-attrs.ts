// Ansible's set_fs_attributes_if_different (owner, group, mode) and add_path_info, computed
// on the runner from one probe, applied with one batched shell command.
import { ModeError, formatMode, resolveMode } from './mode.js'
import { probePath, shellQuote, type PathInfo } from './remote.js'
import type { ModuleContext, ModuleResult } from './types.js'

export interface FileDiff {
  before: Record<string, unknown>
  after: Record<string, unknown>
}

export interface AttributeRequest {
  mode?: unknown
  owner?: string
  group?: string
}

export interface AttributePlan {
  changed: boolean
  /** Shell lines that apply the change (empty when nothing changes or in check mode). */
  commands: string[]
  /** The permission bits the path will have. */
  finalMode?: number
}

/** Thrown for Ansible's fail_json cases (bad mode); the module returns `result` as failed. */
export class AttributeError extends Error {
  constructor(readonly result: ModuleResult) {
    super(String(result.msg))
    this.name = 'AttributeError'
  }
}

function isId(value: string): boolean {
  return /^\d+$/.test(value)
}

/**
 * Decide what owner/group/mode changes `path` (described by `info`) needs and record them in
 * `diff` like Ansible. In check mode nothing is returned to run.
 */
export function planAttributes(
  path: string,
  info: PathInfo,
  request: AttributeRequest,
  check: boolean,
  diff?: FileDiff
): AttributePlan {
  const plan: AttributePlan = { changed: false, commands: [], finalMode: info.mode }
  const quoted = shellQuote(path)
  if (request.owner !== undefined && request.owner !== null) {
    const differs = isId(request.owner)
      ? String(info.uid) !== request.owner
      : info.owner !== request.owner
    if (differs) {
      if (diff) {
        diff.before.owner = info.uid
        diff.after.owner = request.owner
      }
      plan.changed = true
      plan.commands.push(`chown -h ${shellQuote(request.owner)} ${quoted}`)
    }
  }
  if (request.group !== undefined && request.group !== null) {
    const differs = isId(request.group)
      ? String(info.gid) !== request.group
      : info.group !== request.group
    if (differs) {
      if (diff) {
        diff.before.group = info.gid
        diff.after.group = request.group
      }
      plan.changed = true
      plan.commands.push(`chgrp -h ${shellQuote(request.group)} ${quoted}`)
    }
  }
  if (request.mode !== undefined && request.mode !== null) {
    let mode: number
    try {
      mode = resolveMode(request.mode, info.mode ?? 0, info.type === 'directory')
    } catch (error) {
      if (error instanceof ModeError)
        throw new AttributeError({ path, msg: error.message, details: error.details })
      throw error
    }
    if (mode !== info.mode) {
      if (diff) {
        diff.before.mode = formatMode(info.mode ?? 0)
        diff.after.mode = formatMode(mode)
      }
      plan.changed = true
      plan.finalMode = mode
      // chmod on a symlink would change its target; Ansible leaves links alone on Linux.
      if (info.type !== 'link') plan.commands.push(`chmod ${mode.toString(8)} ${quoted}`)
    }
  }
  if (check) plan.commands = []
  return plan
}

/** Run the shell lines of one or more plans in one exec; throws with stderr on failure. */
export async function applyCommands(ctx: ModuleContext, commands: string[]): Promise<void> {
  if (commands.length === 0) return
  const result = await ctx.connection.exec(commands.join(' && '))
  if (result.rc !== 0) {
    throw new AttributeError({
      msg: `chown/chmod failed: ${result.stderr.trim() || result.stdout.trim()}`
    })
  }
}

/** The state name Ansible's get_state() gives a probed path. */
export function stateOf(info: PathInfo): 'absent' | 'link' | 'directory' | 'hard' | 'file' {
  if (!info.exists) return 'absent'
  if (info.type === 'link') return 'link'
  if (info.type === 'directory') return 'directory'
  if ((info.nlink ?? 1) > 1) return 'hard'
  return 'file'
}

/** Ansible's add_path_info: what exit_json/fail_json add for a result with `path` or `dest`. */
export function pathInfoFields(info: PathInfo): Record<string, unknown> {
  if (!info.targetExists) return {}
  let state: string
  if (info.type === 'link') state = 'link'
  else if (info.targetIsDir) state = 'directory'
  else if ((info.nlink ?? 1) > 1) state = 'hard'
  else state = 'file'
  return {
    uid: info.uid,
    gid: info.gid,
    owner: info.owner,
    group: info.group,
    mode: formatMode(info.mode ?? 0),
    state,
    size: info.size
  }
}

/** Add path info to a result, probing the path (result.path ?? result.dest) again. */
export async function withPathInfo(
  ctx: ModuleContext,
  result: ModuleResult
): Promise<ModuleResult> {
  const path = (result.path ?? result.dest) as string | undefined
  if (typeof path !== 'string') return result
  const info = await probePath(ctx.connection, path)
  return { ...result, ...pathInfoFields(info) }
}
