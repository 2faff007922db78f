// ansible.builtin.file: state file/directory/touch/absent/link/hard, mode/owner/group, recurse.
// The common cases take one round trip: the first request probes the path, does what the state
// asks when the path is as expected (file-first-look.ts) and probes it again; the result is then
// decided here from those probes, exactly as if each step had been its own request. Only what
// the shell step could not do (symbolic modes, set times, recurse, links to follow) costs more.
import {
  AttributeError,
  applyCommands,
  pathInfoFields,
  planAttributes,
  stateOf,
  withPathInfo,
  type AttributeRequest,
  type FileDiff
} from './file-attrs.js'
import {
  firstLook,
  parseWalk,
  probedOnly,
  walkRoot,
  walkScript,
  type FirstLook,
  type WalkEntry
} from './file-first-look.js'
import {
  basename,
  dirname,
  probePath,
  probePaths,
  ProbeScript,
  shellQuote,
  type PathInfo
} from './remote.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'

export const fileCommonArgs = {
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
  seuser: { type: 'str' },
  serole: { type: 'str' },
  selevel: { type: 'str' },
  setype: { type: 'str' },
  attributes: { type: 'str', aliases: ['attr'] },
  unsafe_writes: { type: 'bool', default: false }
} as const satisfies ModuleDefinition['args']

class FileModuleError extends Error {
  constructor(readonly result: ModuleResult) {
    super(String(result.msg))
  }
}

function initialDiff(path: string, state: string, prevState: string, walk?: PathContent): FileDiff {
  const diff: FileDiff = { before: { path }, after: { path } }
  if (prevState !== state) {
    diff.before.state = prevState
    diff.after.state = state
    if (walk && state === 'absent' && prevState === 'directory') diff.before.path_content = walk
  }
  return diff
}

interface PathContent {
  directories: string[]
  files: string[]
}

/** os.walk order, top-down: each directory's subdirectories, then its files, then recurse. */
async function walkTree(
  ctx: ModuleContext,
  path: string
): Promise<{ entries: WalkEntry[]; unsafe: string[]; content: PathContent }> {
  const listing = await ctx.connection.exec(walkScript(path), { idempotent: true })
  const walk = parseWalk(path, listing.stdout.split('\n').filter(Boolean))
  return { ...walk, content: pathContent(path, walk.entries) }
}

function pathContent(path: string, entries: WalkEntry[]): PathContent {
  const byParent = new Map<string, WalkEntry[]>()
  for (const entry of entries) {
    const parent = dirname(entry.path)
    byParent.set(parent, [...(byParent.get(parent) ?? []), entry])
  }
  const content: PathContent = { directories: [], files: [] }
  // Entries of a path starting with '-' were walked as './path' (see walkRoot).
  const shown = (entry: WalkEntry) => entry.path.slice(walkRoot(path).length - path.length)
  const visit = (dir: string) => {
    const children = byParent.get(dir) ?? []
    // os.walk lists symlinks to directories under dirs; we count links as files (no follow).
    const dirs = children.filter(child => child.type === 'directory')
    const files = children.filter(child => child.type !== 'directory')
    content.directories.push(...dirs.map(shown))
    content.files.push(...files.map(shown))
    for (const child of dirs) visit(child.path)
  }
  visit(walkRoot(path).replace(/\/+$/, ''))
  return content
}

function attributeRequest(args: Record<string, unknown>) {
  return {
    mode: args.mode,
    owner: args.owner as string | undefined,
    group: args.group as string | undefined
  }
}

function timestampCommand(path: string, which: 'm' | 'a' | 'both', value: string | 'now'): string {
  const flag = which === 'both' ? '' : ` -${which}`
  const time = value === 'now' ? '' : ` -t ${shellQuote(value)}`
  return `touch -c${flag}${time} ${shellQuote(path)}`
}

/** 'preserve' → null, 'now' → 'now', else the touch -t value ([[CC]YY]MMDDhhmm[.ss]). */
function timeSpec(value: unknown, format: unknown, state: string): string | 'now' | null {
  const effective = value ?? (state === 'touch' ? 'now' : 'preserve')
  if (effective === 'preserve') return null
  if (effective === 'now') return 'now'
  if (format !== '%Y%m%d%H%M.%S') {
    throw new FileModuleError({
      msg: `only the default time format %Y%m%d%H%M.%S is supported, got ${String(format)}`
    })
  }
  if (!/^\d{12}\.\d{2}$/.test(String(effective))) {
    throw new FileModuleError({
      msg: `Error while obtaining timestamp for time ${String(effective)} using format ${String(format)}: time data '${String(effective)}' does not match format '${String(format)}'`
    })
  }
  return String(effective)
}

/** A handler's result, the attribute/time commands still to run, and the path's known state. */
interface Outcome {
  result: ModuleResult
  /** Shell lines still to run; batched with the final probe of the result's path. */
  commands?: string[]
  /** The result's path as it is once `commands` are done, when no probe is needed to know. */
  finalInfo?: PathInfo
}

async function ensureAbsent(ctx: ModuleContext, path: string, look: FirstLook): Promise<Outcome> {
  const info = look.before
  const prevState = stateOf(info)
  if (prevState === 'absent')
    return { result: { path, changed: false, state: 'absent' }, finalInfo: info }
  let walk: PathContent | undefined
  let removalRc = look.actionRc
  if (look.step === 'absent') {
    walk =
      prevState === 'directory'
        ? pathContent(path, parseWalk(path, look.listing).entries)
        : undefined
  } else {
    walk = prevState === 'directory' ? (await walkTree(ctx, path)).content : undefined
    if (!ctx.check) removalRc = (await ctx.connection.exec(`rm -rf -- ${shellQuote(path)}`)).rc
  }
  const diff = initialDiff(path, 'absent', prevState, walk)
  if (!ctx.check && removalRc !== 0) {
    const verb = prevState === 'directory' ? 'rmtree failed' : 'unlinking failed'
    const stderr = look.step === 'absent' ? look.stderr : ''
    throw new FileModuleError({ msg: `${verb}: ${stderr.trim()}`, path })
  }
  return {
    result: { path, changed: true, diff, state: 'absent' },
    finalInfo: ctx.check ? info : { path, exists: false }
  }
}

export const file: ModuleDefinition = {
  name: 'file',
  args: {
    ...fileCommonArgs,
    state: { type: 'str', choices: ['absent', 'directory', 'file', 'hard', 'link', 'touch'] },
    path: { type: 'path', required: true, aliases: ['dest', 'name'] },
    _original_basename: { type: 'str' },
    recurse: { type: 'bool', default: false },
    force: { type: 'bool', default: false },
    follow: { type: 'bool', default: true },
    _diff_peek: { type: 'bool' },
    src: { type: 'path' },
    modification_time: { type: 'str' },
    modification_time_format: { type: 'str', default: '%Y%m%d%H%M.%S' },
    access_time: { type: 'str' },
    access_time_format: { type: 'str', default: '%Y%m%d%H%M.%S' }
  },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    try {
      return await finish(ctx, await runFile(args, ctx))
    } catch (error) {
      if (error instanceof FileModuleError || error instanceof AttributeError) {
        return withPathInfo(ctx, { changed: false, failed: true, ...error.result })
      }
      throw error
    }
  }
}

/**
 * Run what is left and add the path info Ansible's exit_json adds, in one request (none when
 * nothing is left and the path's state is known).
 */
async function finish(ctx: ModuleContext, outcome: Outcome): Promise<ModuleResult> {
  const { result } = outcome
  const commands = outcome.commands ?? []
  const path = (result.path ?? result.dest) as string | undefined
  if (typeof path !== 'string') {
    await applyCommands(ctx, commands)
    return result
  }
  if (commands.length === 0) {
    if (outcome.finalInfo) return { ...result, ...pathInfoFields(outcome.finalInfo) }
    return withPathInfo(ctx, result)
  }
  const script = new ProbeScript().line(`{ ${commands.join(' && ')}\n} >&2`).mark(0, '$?')
  const index = script.probe(path)
  const ran = await script.run(ctx.connection)
  if (ran.marks.get(0) !== '0') {
    return { changed: false, failed: true, msg: `chown/chmod failed: ${ran.stderr.trim()}` }
  }
  return { ...result, ...pathInfoFields(ran.infos[index]) }
}

/**
 * Attribute commands still needed once the first look's step ran: re-planned against the path
 * as the step left it (nothing, when the step did it all), else `planned` as they are.
 */
function remainingAttributes(
  ctx: ModuleContext,
  path: string,
  look: FirstLook,
  request: AttributeRequest,
  planned: string[]
): string[] {
  if (!look.attributesApplied || look.after?.path !== path) return planned
  return planAttributes(path, look.after, request, ctx.check).commands
}

/** The path's info after the first look, when nothing since has changed it. */
function lookedAfter(look: FirstLook, path: string): PathInfo | undefined {
  return look.after?.path === path ? look.after : undefined
}

async function runFile(args: Record<string, unknown>, ctx: ModuleContext): Promise<Outcome> {
  let path = args.path as string
  const src = args.src as string | undefined
  let state = args.state as string | undefined
  let look = await firstLook(ctx, path, args, attributeRequest(args))
  let info = look.before
  if (state !== 'link' && state !== 'absent' && info.targetIsDir) {
    const name =
      (args._original_basename as string | undefined) ?? (src ? basename(src) : undefined)
    if (name) {
      path = `${path.replace(/\/+$/, '')}/${name}`
      info = await probePath(ctx.connection, path)
      look = probedOnly(info)
    }
  }
  const prevState = stateOf(info)
  if (state === undefined)
    state = prevState !== 'absent' ? prevState : args.recurse ? 'directory' : 'file'
  if (args.recurse && state !== 'directory') {
    throw new FileModuleError({ msg: "recurse option requires state to be 'directory'", path })
  }
  if (src && state !== 'link' && state !== 'hard') {
    throw new FileModuleError({ msg: "src option requires state to be 'link' or 'hard'", path })
  }
  const mtime = timeSpec(args.modification_time, args.modification_time_format, state)
  const atime = timeSpec(args.access_time, args.access_time_format, state)
  const follow = args.follow as boolean

  switch (state) {
    case 'absent':
      return ensureAbsent(ctx, path, look)
    case 'file':
      return ensureFile(ctx, path, look, args, follow, mtime, atime)
    case 'directory':
      return ensureDirectory(ctx, path, look, args, follow, mtime, atime)
    case 'touch':
      return touch(ctx, path, look, args, mtime, atime)
    case 'link':
      return ensureLink(ctx, path, look, args, follow, mtime, atime)
    default:
      return ensureHard(ctx, path, info, args, mtime, atime)
  }
}

/** Timestamp changes for a path: commands and whether anything changes, with Ansible's diff. */
async function planTimes(
  ctx: ModuleContext,
  path: string,
  info: PathInfo,
  mtime: string | 'now' | null,
  atime: string | 'now' | null,
  diff?: FileDiff
): Promise<{ changed: boolean; commands: string[] }> {
  if (mtime === null && atime === null) return { changed: false, commands: [] }
  const now = Date.now() / 1000
  const commands: string[] = []
  if (mtime === 'now' && atime === 'now') {
    commands.push(timestampCommand(path, 'both', 'now'))
    if (diff) {
      diff.before.mtime = info.mtime
      diff.after.mtime = now
      diff.before.atime = info.atime
      diff.after.atime = now
    }
    return { changed: true, commands: ctx.check ? [] : commands }
  }
  let changed = false
  for (const [which, spec, previous] of [
    ['m', mtime, info.mtime],
    ['a', atime, info.atime]
  ] as const) {
    if (spec === null) continue
    const target = spec === 'now' ? now : touchTimeToEpoch(spec)
    if (target === previous) continue
    changed = true
    commands.push(timestampCommand(path, which, spec))
    if (diff) {
      diff.before[`${which}time`] = previous
      diff.after[`${which}time`] = target
    }
  }
  return { changed, commands: ctx.check ? [] : commands }
}

function touchTimeToEpoch(spec: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{2})$/.exec(spec)!
  const [, year, month, day, hour, minute, second] = match.map(Number)
  return new Date(year, month - 1, day, hour, minute, second).getTime() / 1000
}

async function resolveFollow(ctx: ModuleContext, path: string, info: PathInfo, follow: boolean) {
  if (!follow || info.type !== 'link') return { path, info }
  const resolved = await ctx.connection.exec(`readlink -f ${shellQuote(path)}`, {
    idempotent: true
  })
  const target = resolved.stdout.trim()
  if (resolved.rc !== 0 || target === '') return { path, info }
  return { path: target, info: await probePath(ctx.connection, target) }
}

async function ensureFile(
  ctx: ModuleContext,
  path: string,
  look: FirstLook,
  args: Record<string, unknown>,
  follow: boolean,
  mtime: string | 'now' | null,
  atime: string | 'now' | null
): Promise<Outcome> {
  let info = look.before
  let prevState = stateOf(info)
  if (prevState !== 'file' && follow && prevState === 'link') {
    ;({ path, info } = await resolveFollow(ctx, path, info, follow))
    prevState = stateOf(info)
  }
  if (prevState !== 'file' && prevState !== 'hard') {
    throw new FileModuleError({
      msg: `file (${path}) is ${prevState}, cannot continue`,
      path,
      state: prevState
    })
  }
  const diff = initialDiff(path, 'file', prevState)
  const request = attributeRequest(args)
  const plan = planAttributes(path, info, request, ctx.check, diff)
  const times = await planTimes(ctx, path, info, mtime, atime, diff)
  return {
    result: { path, changed: plan.changed || times.changed, diff },
    commands: [...remainingAttributes(ctx, path, look, request, plan.commands), ...times.commands],
    finalInfo: lookedAfter(look, path)
  }
}

async function ensureDirectory(
  ctx: ModuleContext,
  path: string,
  look: FirstLook,
  args: Record<string, unknown>,
  follow: boolean,
  mtime: string | 'now' | null,
  atime: string | 'now' | null
): Promise<Outcome> {
  let info = look.before
  ;({ path, info } = await resolveFollow(ctx, path, info, follow))
  const prevState = stateOf(info)
  const diff = initialDiff(path, 'directory', prevState)
  const request = attributeRequest(args)
  if (prevState === 'absent') {
    if (ctx.check) return { result: { path, changed: true, diff }, finalInfo: info }
    const made =
      look.step === 'directory'
        ? { rc: look.actionRc, stderr: look.stderr }
        : await ctx.connection.exec(`mkdir -p -- ${shellQuote(path)}`)
    if (made.rc !== 0) {
      throw new FileModuleError({
        msg: `There was an issue creating ${path} as requested: ${made.stderr.trim()}`,
        path
      })
    }
    if (look.createdAttributesFailed)
      throw new AttributeError({ msg: `chown/chmod failed: ${look.stderr.trim()}` })
    const commands: string[] = []
    if (request.mode !== undefined || request.owner !== undefined || request.group !== undefined) {
      const created = look.step === 'directory' ? look.created : await createdAncestors(ctx, path)
      for (const dir of created) {
        // The diff records each created directory's change, as Ansible's loop over them does.
        const plan = planAttributes(dir.path, dir, request, false, diff)
        if (!look.attributesApplied) commands.push(...plan.commands)
      }
    }
    return { result: { path, changed: true, diff }, commands, finalInfo: lookedAfter(look, path) }
  }
  if (prevState !== 'directory')
    throw new FileModuleError({ msg: `${path} already exists as a ${prevState}`, path })
  const plan = planAttributes(path, info, request, ctx.check, diff)
  const times = await planTimes(ctx, path, info, mtime, atime, diff)
  const commands = [
    ...remainingAttributes(ctx, path, look, request, plan.commands),
    ...times.commands
  ]
  let changed = plan.changed || times.changed
  if (args.recurse) {
    const { entries, unsafe } =
      look.step === 'directory' && lookedAfter(look, path)
        ? parseWalk(path, look.listing)
        : await walkTree(ctx, path)
    // A name with a newline would read as several paths, some maybe outside the tree: refuse
    // the whole walk rather than apply attributes to any of them.
    if (unsafe.length > 0) {
      throw new FileModuleError({
        msg: `Cannot apply attributes recursively under ${path}: ${unsafe[0]} (newlines shown as ?) has a name this module cannot handle safely`,
        path
      })
    }
    for (const entry of entries) {
      if (entry.type === 'link') continue
      const entryInfo: PathInfo = {
        ...entry,
        path: entry.path,
        exists: true,
        type: entry.type as PathInfo['type']
      }
      const entryPlan = planAttributes(entry.path, entryInfo, request, ctx.check)
      changed ||= entryPlan.changed
      commands.push(...entryPlan.commands)
    }
  }
  return { result: { path, changed, diff }, commands, finalInfo: lookedAfter(look, path) }
}

/** The directories `mkdir -p` just made are the ones with our path prefix: probe them all. */
async function createdAncestors(ctx: ModuleContext, path: string): Promise<PathInfo[]> {
  const parts = path.replace(/\/+$/, '').split('/')
  const chain: string[] = []
  for (let index = parts.length; index > 1; index--) chain.unshift(parts.slice(0, index).join('/'))
  const infos = await probePaths(ctx.connection, chain)
  // Ansible sets attributes only on directories it created; the nearest existing ancestor is
  // unknown after the fact, so we take the deepest suffix that has the default new-dir mode.
  return infos.filter(
    (info, index) => index === infos.length - 1 || info.mode === infos[infos.length - 1].mode
  )
}

async function touch(
  ctx: ModuleContext,
  path: string,
  look: FirstLook,
  args: Record<string, unknown>,
  mtime: string | 'now' | null,
  atime: string | 'now' | null
): Promise<Outcome> {
  let info = look.before
  const prevState = stateOf(info)
  if (prevState === 'absent') {
    if (ctx.check) return { result: { dest: path, changed: true }, finalInfo: info }
    const made =
      look.step === 'touch'
        ? { rc: look.actionRc, stderr: look.stderr }
        : await ctx.connection.exec(`: >> ${shellQuote(path)}`)
    if (made.rc !== 0) {
      throw new FileModuleError({
        msg: `Error, could not touch target: ${made.stderr.trim()}`,
        path
      })
    }
    info = look.step === 'touch' ? look.created[0] : await probePath(ctx.connection, path)
  }
  const diff = initialDiff(path, 'touch', prevState)
  const request = attributeRequest(args)
  const plan = planAttributes(path, info, request, ctx.check, diff)
  const times = await planTimes(ctx, path, info, mtime, atime, diff)
  return {
    result: { dest: path, changed: prevState === 'absent' || plan.changed || times.changed, diff },
    commands: [
      ...remainingAttributes(ctx, path, look, request, plan.commands),
      ...(look.timesRc === 0 ? [] : times.commands)
    ],
    finalInfo: lookedAfter(look, path)
  }
}

/** resolveFollow from the first look's probes, when it took them (state=link). */
async function resolveLooked(
  ctx: ModuleContext,
  path: string,
  after: PathInfo,
  look: FirstLook | undefined,
  follow: boolean
) {
  if (follow && after.type === 'link' && look?.followed && look.after === after) {
    const target = after.realPath
    if (target) {
      const { linkTarget: _link, realPath: _real, ...followed } = look.followed
      return { path: target, info: { ...followed, path: target } }
    }
  }
  return resolveFollow(ctx, path, after, follow)
}

async function ensureLink(
  ctx: ModuleContext,
  path: string,
  look: FirstLook,
  args: Record<string, unknown>,
  follow: boolean,
  mtime: string | 'now' | null,
  atime: string | 'now' | null
): Promise<Outcome> {
  const info = look.before
  let src = args.src as string | undefined
  const force = args.force as boolean
  const prevState = stateOf(info)
  if (src === undefined && follow && info.targetExists && info.linkTarget !== undefined)
    src = info.linkTarget
  const relpath = info.type === 'directory' ? path : dirname(path)
  const absrc =
    src === undefined
      ? undefined
      : src.startsWith('/')
        ? src
        : `${relpath.replace(/\/+$/, '')}/${src}`
  if (!force && absrc !== undefined) {
    const srcInfo =
      look.linkSource?.path === absrc
        ? look.linkSource
        : (await probePaths(ctx.connection, [absrc]))[0]
    if (!srcInfo.targetExists) {
      throw new FileModuleError({
        msg: `src file does not exist, use "force=yes" if you really want to create the link: ${absrc}`,
        path,
        src
      })
    }
  }
  if (prevState === 'directory') {
    if (!force)
      throw new FileModuleError({
        msg: `refusing to convert from directory to symlink for ${path}`,
        path
      })
    const listing = await ctx.connection.exec(`ls -A ${shellQuote(path)}`, { idempotent: true })
    if (listing.stdout.trim() !== '') {
      throw new FileModuleError({
        msg: `the directory ${path} is not empty, refusing to convert it`,
        path
      })
    }
  } else if ((prevState === 'file' || prevState === 'hard') && !force) {
    throw new FileModuleError({
      msg: `refusing to convert from ${prevState} to symlink for ${path}`,
      path
    })
  }
  const diff = initialDiff(path, 'link', prevState)
  let changed = false
  if (prevState !== 'link') {
    if (src === undefined)
      throw new FileModuleError({ msg: 'src is required for creating new symlinks' })
    changed = true
  } else if (src !== undefined && info.linkTarget !== src) {
    diff.before.src = info.linkTarget
    diff.after.src = src
    changed = true
  }
  // The first look already made a missing link; anything else is linked here.
  const linkedByLook = look.actionRc !== undefined && prevState === 'absent'
  if (changed && !ctx.check) {
    const quotedPath = shellQuote(path)
    const temp = shellQuote(`${dirname(path)}/.ansible-link-${Date.now()}.tmp`)
    const script =
      prevState === 'absent'
        ? `ln -s -- ${shellQuote(src!)} ${quotedPath}`
        : `${prevState === 'directory' ? `rmdir ${quotedPath} && ` : ''}ln -s -- ${shellQuote(src!)} ${temp} && mv -f ${temp} ${quotedPath}`
    const linked = linkedByLook
      ? { rc: look.actionRc, stderr: look.stderr }
      : await ctx.connection.exec(script)
    if (linked.rc !== 0) {
      const verb = prevState === 'absent' ? 'Error while linking' : 'Error while replacing'
      throw new FileModuleError({ msg: `${verb}: ${linked.stderr.trim()}`, path })
    }
  }
  const unchangedSinceLook = look.after !== undefined && (!changed || ctx.check || linkedByLook)
  const after = unchangedSinceLook ? look.after! : await probePath(ctx.connection, path)
  const result: ModuleResult = { dest: path, src, changed, diff }
  if (ctx.check && !after.targetExists) return { result, finalInfo: after }
  if (follow && after.type === 'link' && !after.targetExists) {
    result.warnings = [
      'Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.'
    ]
    return { result, finalInfo: after }
  }
  const resolved = await resolveLooked(ctx, path, after, look, follow)
  const plan = planAttributes(resolved.path, resolved.info, attributeRequest(args), ctx.check, diff)
  const times = await planTimes(ctx, resolved.path, resolved.info, mtime, atime, diff)
  result.changed = changed || plan.changed || times.changed
  return { result, commands: [...plan.commands, ...times.commands], finalInfo: after }
}

async function ensureHard(
  ctx: ModuleContext,
  path: string,
  info: PathInfo,
  args: Record<string, unknown>,
  mtime: string | 'now' | null,
  atime: string | 'now' | null
): Promise<Outcome> {
  const src = args.src as string | undefined
  const force = args.force as boolean
  const prevState = stateOf(info)
  if (prevState !== 'hard' && src === undefined) {
    throw new FileModuleError({ msg: 'src is required for creating new hardlinks' })
  }
  const srcInfo =
    src === undefined ? undefined : await probePath(ctx.connection, src, { follow: true })
  if (srcInfo && !srcInfo.exists)
    throw new FileModuleError({ msg: 'src does not exist', dest: path, src })
  const diff = initialDiff(path, 'hard', prevState)
  let changed = false
  const sameInode =
    srcInfo !== undefined && info.inode === srcInfo.inode && info.dev === srcInfo.dev
  if (prevState === 'absent') changed = true
  else if (prevState === 'link') {
    if (info.linkTarget !== src) {
      diff.before.src = info.linkTarget
      diff.after.src = src
      changed = true
    }
  } else if (prevState === 'hard') {
    if (srcInfo && !sameInode) {
      changed = true
      if (!force) {
        throw new FileModuleError({
          msg: 'Cannot link, different hard link exists at destination',
          dest: path,
          src
        })
      }
    }
  } else if (prevState === 'file') {
    changed = true
    if (!force)
      throw new FileModuleError({
        msg: `Cannot link, ${prevState} exists at destination`,
        dest: path,
        src
      })
  } else if (prevState === 'directory') {
    changed = true
    if (sameInode) return { result: { path, changed: false } }
    if (!force) {
      throw new FileModuleError({
        msg: 'Cannot link: different hard link exists at destination',
        dest: path,
        src
      })
    }
  }
  if (changed && !ctx.check) {
    const quotedPath = shellQuote(path)
    const temp = shellQuote(`${dirname(path)}/.ansible-hard-${Date.now()}.tmp`)
    const script =
      prevState === 'absent'
        ? `ln -- ${shellQuote(src!)} ${quotedPath}`
        : `${prevState === 'directory' ? `rmdir ${quotedPath} && ` : ''}ln -- ${shellQuote(src!)} ${temp} && mv -f ${temp} ${quotedPath}`
    const linked = await ctx.connection.exec(script)
    if (linked.rc !== 0) {
      const verb = prevState === 'absent' ? 'Error while linking' : 'Error while replacing'
      throw new FileModuleError({ msg: `${verb}: ${linked.stderr.trim()}`, path })
    }
  }
  if (ctx.check && prevState === 'absent')
    return { result: { dest: path, src, changed, diff }, finalInfo: info }
  const after = changed && !ctx.check ? await probePath(ctx.connection, path) : info
  const plan = planAttributes(path, after, attributeRequest(args), ctx.check, diff)
  const times = await planTimes(ctx, path, after, mtime, atime, diff)
  return {
    result: { dest: path, src, changed: changed || plan.changed || times.changed, diff },
    commands: [...plan.commands, ...times.commands],
    finalInfo: after
  }
}
