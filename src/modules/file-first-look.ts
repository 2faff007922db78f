// The file module's first request. It always probes the path; when the task is a common one
// (create a directory or an empty file, remove a path, make a symlink, set an absolute mode or
// an owner) it also does the work in the same exec, guarded by shell tests that hold only
// when the path is in the state that work assumes, and probes the path again. file.ts then
// decides the result from the probe taken before the work, as Ansible would, and re-plans
// the attributes against the probe taken after it, so anything the guarded step did not do
// still gets done (in a second request).
import type { AttributeRequest } from './file-attrs.js'
import { resolveMode } from './mode.js'
import { dirname, ProbeScript, shellQuote, type PathInfo } from './remote.js'
import type { ModuleContext } from './types.js'

export type StepKind = 'absent' | 'directory' | 'touch' | 'link' | 'attributes'

export interface FirstLook {
  /** The path before any step ran. */
  before: PathInfo
  /** Which guarded step the request carried, if any. */
  step?: StepKind
  /** The path after the step (same path as `before`). */
  after?: PathInfo
  /** The path's followed (stat -L) probe after the step: state=link. */
  followed?: PathInfo
  /** What mkdir created (state=directory) or `: >>` made (touch), probed right after. */
  created: PathInfo[]
  /** Exit status of the step's main action (mkdir chain, `: >>`, rm, ln), when it ran. */
  actionRc?: number
  /** Exit status of touch's `touch -c`, when it ran. */
  timesRc?: number
  /** The step applied owner/group/mode itself (the mode, if any, was absolute). */
  attributesApplied: boolean
  /** Setting attributes on a directory mkdir created failed. */
  createdAttributesFailed: boolean
  /**
   * `find | stat` lines of the directory: what the absent step removed (for the diff), or
   * what recurse applies attributes to.
   */
  listing: string[]
  /** Probe of a symlink's source relative to dirname(path) (state=link, force=no). */
  linkSource?: PathInfo
  stderr: string
}

export interface WalkEntry {
  path: string
  rawMode: number
  mode: number
  type: string
  uid: number
  gid: number
  owner: string
  group: string
}

/** The operand `find` walks: a path starting with `-` would be read as an expression. */
export function walkRoot(path: string): string {
  return path.startsWith('-') ? `./${path}` : path
}

/**
 * Lines `%f %u %g %U %G %n`, one per entry under `path` (depth first, as find lists them). A
 * name with a newline cannot be told apart from two lines, so the walk never stats it: find
 * hands each path to the shell as one argument, and a path containing a newline is printed as
 * `!<path with newlines shown as ?>` instead (parseWalk reports it as unsafe).
 */
export function walkScript(path: string, prefix = ''): string {
  const each =
    `nl=$(printf '\\n_'); nl=\${nl%_}; for f; do case $f in *"$nl"*) ` +
    `printf '%s!%s\\n' ${shellQuote(prefix)} "$(printf '%s' "$f" | tr '\\n' '?')";; ` +
    `*) s=$(stat -c '%f %u %g %U %G %n' -- "$f") && printf '%s%s\\n' ${shellQuote(prefix)} "$s";; esac; done`
  return `find ${shellQuote(walkRoot(path))} -mindepth 1 -exec sh -c ${shellQuote(each)} sh {} +`
}

export interface Walk {
  /** Entries strictly inside the tree, in find's order. */
  entries: WalkEntry[]
  /** Names the walk cannot represent (a newline in them), or lines not inside the tree. */
  unsafe: string[]
}

/**
 * The entries of walkScript's lines that lie inside `path`'s tree. Anything else (a name with a
 * newline, a line that is not a stat line of a path under `path/`) is unsafe: no attribute may
 * be applied from it.
 */
export function parseWalk(path: string, lines: string[]): Walk {
  const root = walkRoot(path).replace(/\/+$/, '')
  const walk: Walk = { entries: [], unsafe: [] }
  for (const line of lines) {
    if (line.startsWith('!')) {
      walk.unsafe.push(line.slice(1))
      continue
    }
    const entry = parseWalkLine(line)
    const inside =
      /^[0-9a-f]+ \d+ \d+ /.test(line) &&
      entry.path.startsWith(`${root}/`) &&
      !entry.path
        .slice(root.length + 1)
        .split('/')
        .some(part => part === '..')
    if (inside) walk.entries.push(entry)
    else walk.unsafe.push(entry.path || line)
  }
  return walk
}

export function parseWalkLine(line: string): WalkEntry {
  const [rawHex, uid, gid, owner, group, ...nameParts] = line.split(' ')
  const rawMode = parseInt(rawHex, 16)
  const format = rawMode & 0o170000
  const type = format === 0o040000 ? 'directory' : format === 0o120000 ? 'link' : 'file'
  return {
    path: nameParts.join(' '),
    rawMode,
    mode: rawMode & 0o7777,
    type,
    uid: +uid,
    gid: +gid,
    owner,
    group
  }
}

/** A mode that does not depend on the path's current one (octal), else undefined. */
function absoluteMode(mode: unknown): number | undefined {
  try {
    const modes = [
      resolveMode(mode, 0, false),
      resolveMode(mode, 0o7777, false),
      resolveMode(mode, 0, true),
      resolveMode(mode, 0o7777, true)
    ]
    return modes.every(value => value === modes[0]) ? modes[0] : undefined
  } catch {
    return undefined
  }
}

function isId(value: string): boolean {
  return /^\d+$/.test(value)
}

/**
 * Shell lines that give `path` the requested owner, group and mode where they differ (the
 * comparisons planAttributes makes), or null when the mode is not absolute.
 */
function attributeLines(path: string, request: AttributeRequest): string[] | null {
  const p = shellQuote(path)
  const lines: string[] = []
  const differs = (format: string, wanted: string) =>
    `[ "$(stat -c ${format} ${p})" = ${shellQuote(wanted)} ]`
  if (request.owner !== undefined && request.owner !== null) {
    const owner = request.owner
    lines.push(
      `${differs(isId(owner) ? '%u' : '%U', owner)} || chown -h ${shellQuote(owner)} ${p} >&2`
    )
  }
  if (request.group !== undefined && request.group !== null) {
    const group = request.group
    lines.push(
      `${differs(isId(group) ? '%g' : '%G', group)} || chgrp -h ${shellQuote(group)} ${p} >&2`
    )
  }
  if (request.mode !== undefined && request.mode !== null) {
    const mode = absoluteMode(request.mode)
    if (mode === undefined) return null
    lines.push(`${differs('%a', mode.toString(8))} || chmod ${mode.toString(8)} ${p} >&2`)
  }
  return lines
}

function stepKind(args: Record<string, unknown>): StepKind | undefined {
  if (args._original_basename !== undefined) return undefined
  if (args.modification_time !== undefined || args.access_time !== undefined) return undefined
  const state = args.state as string | undefined
  if (args.recurse) return state === 'directory' && args.src === undefined ? state : undefined
  if (state === 'link') return args.src === undefined ? undefined : 'link'
  if (args.src !== undefined) return undefined
  if (state === 'absent' || state === 'directory' || state === 'touch') return state
  if (state === 'file' || state === undefined) return 'attributes'
  return undefined
}

/** The directories `mkdir` of each level would create, outermost first ('/' excluded). */
function ancestry(path: string): string[] {
  const parts = path.replace(/\/+$/, '').split('/')
  const chain: string[] = []
  for (let index = 1; index <= parts.length; index++) {
    const prefix = parts.slice(0, index).join('/')
    if (prefix !== '') chain.push(prefix)
  }
  return chain
}

export async function firstLook(
  ctx: ModuleContext,
  path: string,
  args: Record<string, unknown>,
  request: AttributeRequest
): Promise<FirstLook> {
  const step = stepKind(args)
  const script = new ProbeScript()
  const before = script.probe(path)
  const p = shellQuote(path)
  const act = !ctx.check
  const attributes = act ? attributeLines(path, request) : null
  let after: number | undefined
  let followed: number | undefined
  let linkSource: number | undefined
  const created: number[] = []
  switch (step) {
    case 'absent':
      script.line(`if [ -e ${p} ] || [ -L ${p} ]; then`)
      script.line(`if [ -d ${p} ] && [ ! -L ${p} ]; then ${walkScript(path, 'W ')}; fi`)
      if (act) script.line(`rm -rf -- ${p} >&2`).mark(1, '$?')
      script.line('fi')
      break
    case 'directory':
      if (act) {
        script.line(`if [ ! -e ${p} ] && [ ! -L ${p} ]; then rc=0`)
        for (const dir of ancestry(path)) {
          const q = shellQuote(dir)
          script.line(`if [ $rc = 0 ] && [ ! -e ${q} ]; then if mkdir -- ${q} >&2; then`)
          created.push(script.probe(dir))
          for (const line of attributes ? attributeLines(dir, request)! : [])
            script.line(`{ ${line}; } || echo "S3 1"`)
          script.line('else rc=1; fi; fi')
        }
        script.mark(1, '$rc')
        if (attributes?.length)
          script.line(`elif [ -d ${p} ] && [ ! -L ${p} ]; then ${attributes.join('; ')}`)
        script.line('fi')
      }
      if (args.recurse)
        script.line(`if [ -d ${p} ] && [ ! -L ${p} ]; then ${walkScript(path, 'W ')}; fi`)
      after = script.probe(path)
      break
    case 'touch':
      if (act) {
        script.line(`if [ ! -e ${p} ] && [ ! -L ${p} ]; then ( : >> ${p} ); echo "S1 $?"`)
        created.push(script.probe(path))
        script.line('fi')
        script.line(`if [ -e ${p} ] && [ ! -L ${p} ]; then`)
        for (const line of attributes ?? []) script.line(line)
        script.line(`touch -c ${p} >&2`).mark(2, '$?')
        script.line('fi')
      }
      after = script.probe(path)
      break
    case 'link': {
      const src = args.src as string
      const absrc = src.startsWith('/') ? src : `${dirname(path).replace(/\/+$/, '')}/${src}`
      const force = args.force === true
      if (!force) linkSource = script.probe(absrc)
      if (act) {
        const sourceTest = force ? '' : ` && [ -e ${shellQuote(absrc)} ]`
        script.line(
          `if [ ! -e ${p} ] && [ ! -L ${p} ]${sourceTest}; then ln -s -- ${shellQuote(src)} ${p} >&2; echo "S1 $?"; fi`
        )
      }
      after = script.probe(path)
      followed = script.probe(path, { follow: true })
      break
    }
    case 'attributes':
      if (attributes?.length) {
        const guard = args.state === 'file' ? `[ -f ${p} ]` : `[ -e ${p} ]`
        script.line(`if ${guard} && [ ! -L ${p} ]; then ${attributes.join('; ')}; fi`)
      }
      after = script.probe(path)
      break
  }
  // A request that only looked may be resent after a dropped session; one that acted may not.
  const acted = act && step !== undefined && (step !== 'attributes' || Boolean(attributes?.length))
  const ran = await script.run(ctx.connection, { idempotent: !acted })
  const status = (n: number) => (ran.marks.has(n) ? Number(ran.marks.get(n)) : undefined)
  return {
    before: ran.infos[before],
    step,
    after: after === undefined ? undefined : ran.infos[after],
    followed: followed === undefined ? undefined : ran.infos[followed],
    created: created.map(index => ran.infos[index]).filter(info => info.exists),
    actionRc: status(1),
    timesRc: status(2),
    attributesApplied:
      attributes !== null && (step === 'directory' || step === 'touch' || step === 'attributes'),
    createdAttributesFailed: ran.marks.has(3),
    listing: ran.listing,
    linkSource: linkSource === undefined ? undefined : ran.infos[linkSource],
    stderr: ran.stderr
  }
}

/** A look that only probed (a path found after the first request, e.g. dest/<name>). */
export function probedOnly(before: PathInfo): FirstLook {
  return {
    before,
    created: [],
    attributesApplied: false,
    createdAttributesFailed: false,
    listing: [],
    stderr: ''
  }
}
