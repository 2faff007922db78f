// Reads playbooks and task files into validated Play/Block/Task objects. Everything that can
// be checked without running (keywords, actions, imports, handler names) is checked here, so
// a mistake stops the run before any host is touched (exit 4, like ansible-playbook).
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { SourcePosition } from '../executor/events.js'
import { resolveAction, shortActionName } from './action.js'
import { PlaybookError } from './errors.js'
import { blockKeywords, playKeywords, taskKeywords, unsupportedKeywords } from './keywords.js'
import type { BlockNode, Play, PlayItem, RoleInstance, TaskNode } from './objects.js'
import { loadRole, type LoadedRole } from './roles.js'
import { parseYaml, positionOf } from './yaml.js'

let nextNodeId = 0
export function newNodeId(prefix: string): string {
  nextNodeId += 1
  return `${prefix}${nextNodeId}`
}

export interface LoadScope {
  /** File being read, for positions and messages. */
  file: string
  /** Directory relative paths (import_tasks, include_tasks, files) resolve against. */
  baseDir: string
  /** Directory of the playbook: roles are looked up under it. */
  playbookDir: string
  role?: RoleInstance
  /** Roles already on the import path, to refuse cycles. */
  roleChain?: string[]
  /** Where load-time warnings (duplicate YAML keys) go. */
  warn: (message: string) => void
  /** Roles (directory and parameters) the play already runs: a role runs once per play. */
  rolesSeen?: Set<string>
}

export function readYamlFile(
  file: string,
  position: SourcePosition | undefined,
  warn: (message: string) => void
): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new PlaybookError(`Could not find or access '${file}'`, position, 1)
  }
  return parseYaml(text, file, warn)
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkUnsupported(
  data: Record<string, unknown>,
  position: SourcePosition | undefined
): void {
  for (const key of Object.keys(data)) {
    const reason = unsupportedKeywords[key]
    if (reason !== undefined) {
      throw new PlaybookError(
        `the keyword '${key}' is not supported by kubectl-ansible: ${reason}`,
        position
      )
    }
  }
  const loops = Object.keys(data).filter(key => key === 'loop' || key.startsWith('with_'))
  if (loops.length > 1) {
    throw new PlaybookError(
      `duplicate loop in task: ${loops.map(key => key.replace(/^with_/, '')).join(', ')}`,
      position
    )
  }
}

function pickKeywords(
  data: Record<string, unknown>,
  allowed: Set<string>
): Record<string, unknown> {
  const keywords: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(data)) {
    if (allowed.has(key) || key.startsWith('with_')) keywords[key] = value
  }
  return keywords
}

export function loadItems(data: unknown, scope: LoadScope, what = 'tasks'): PlayItem[] {
  if (data === null || data === undefined) return []
  if (!Array.isArray(data)) {
    throw new PlaybookError(
      `A malformed block was found while loading ${what}: expected a list, got ${describeType(data)}`,
      positionOf(data) ?? { file: scope.file, line: 1 }
    )
  }
  const items: PlayItem[] = []
  for (const entry of data) {
    if (!isMapping(entry)) {
      throw new PlaybookError(
        `A malformed block was found while loading ${what}: each entry must be a mapping, got ${describeType(entry)}`,
        positionOf(data)
      )
    }
    items.push(...loadItem(entry, scope))
  }
  return items
}

function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`
}

function loadItem(data: Record<string, unknown>, scope: LoadScope): PlayItem[] {
  const position = positionOf(data)
  if ('block' in data || 'rescue' in data || 'always' in data) return [loadBlock(data, scope)]
  checkUnsupported(data, position)
  const resolved = resolveAction(data, position)
  const module = shortActionName(resolved.action)
  const keywords = pickKeywords(data, taskKeywords)
  if (resolved.delegateTo !== undefined) keywords.delegate_to = resolved.delegateTo
  const task: TaskNode = {
    kind: 'task',
    id: newNodeId('t'),
    action: resolved.action,
    module,
    args: resolved.args,
    keywords,
    position,
    role: scope.role,
    baseDir: scope.baseDir
  }
  if (module === 'import_tasks') return [importTasks(task, scope)]
  if (module === 'import_role') return [importRole(task, scope)]
  if (module === 'import_playbook') {
    throw new PlaybookError(
      "'import_playbook' is not a valid attribute for a Task: import it at the play level",
      position
    )
  }
  return [task]
}

function loadBlock(data: Record<string, unknown>, scope: LoadScope): BlockNode {
  const position = positionOf(data)
  for (const key of Object.keys(data)) {
    if (!blockKeywords.has(key)) {
      throw new PlaybookError(`'${key}' is not a valid attribute for a Block`, position)
    }
  }
  checkUnsupported(data, position)
  const block: BlockNode = {
    kind: 'block',
    id: newNodeId('b'),
    block: loadItems(data.block, scope),
    rescue: loadItems(data.rescue, scope),
    always: loadItems(data.always, scope),
    keywords: pickKeywords(data, blockKeywords),
    position,
    role: scope.role
  }
  delete block.keywords.block
  delete block.keywords.rescue
  delete block.keywords.always
  adopt(block)
  return block
}

/** Link children to their block so keywords (when, tags, vars, ...) are inherited. */
export function adopt(block: BlockNode): void {
  for (const item of [...block.block, ...block.rescue, ...block.always]) item.parent = block
}

/** The file an import/include names: `import_tasks: f.yml` or `import_tasks: {file: f.yml}`. */
export function includeFileArg(task: TaskNode): unknown {
  return task.args.file ?? task.args._raw_params
}

function importTasks(task: TaskNode, scope: LoadScope): BlockNode {
  const fileArg = includeFileArg(task)
  if (typeof fileArg !== 'string' || fileArg === '') {
    throw new PlaybookError('No file specified for import_tasks', task.position)
  }
  if (/\{\{|\{%/.test(fileArg)) {
    throw new PlaybookError(
      `import_tasks is resolved before the play runs, so its file name cannot use variables ('${fileArg}'); use include_tasks`,
      task.position
    )
  }
  const file = resolveTaskFile(fileArg, scope)
  if (!existsSync(file)) {
    throw new PlaybookError(
      `Could not find or access '${file}' on the Ansible Controller.`,
      task.position,
      1
    )
  }
  const items = loadItems(readYamlFile(file, task.position, scope.warn), {
    ...scope,
    file,
    baseDir: path.dirname(file)
  })
  const keywords = { ...task.keywords }
  delete keywords.name
  const block: BlockNode = {
    kind: 'block',
    id: newNodeId('b'),
    block: items,
    rescue: [],
    always: [],
    keywords,
    position: task.position,
    role: scope.role
  }
  adopt(block)
  return block
}

function importRole(task: TaskNode, scope: LoadScope): BlockNode {
  const name = task.args.name ?? task.args._raw_params
  if (typeof name !== 'string' || name === '') {
    throw new PlaybookError('import_role needs a role name (name: ...)', task.position)
  }
  const loaded = loadRole(
    {
      name,
      params: {},
      tasksFrom: stringArg(task.args.tasks_from),
      position: task.position,
      allowDuplicates: task.args.allow_duplicates !== false
    },
    scope
  )
  const keywords = { ...task.keywords }
  delete keywords.name
  importedRoleHandlers.push(...loaded.handlers)
  return roleBlock(loaded, { keywords, position: task.position })
}

function stringArg(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

// Handlers of roles brought in by import_role while a play is being loaded.
let importedRoleHandlers: TaskNode[] = []

/** A task file named relative to the including file, the role's tasks/, or the playbook. */
export function resolveTaskFile(
  name: string,
  scope: { baseDir: string; role?: RoleInstance }
): string {
  if (path.isAbsolute(name)) return name
  const candidates = [
    scope.role ? path.join(scope.role.path, 'tasks', name) : undefined,
    path.join(scope.baseDir, name),
    path.join(scope.baseDir, 'tasks', name)
  ].filter((candidate): candidate is string => candidate !== undefined)
  return candidates.find(candidate => existsSync(candidate)) ?? path.join(scope.baseDir, name)
}

export function loadHandlers(data: unknown, scope: LoadScope): TaskNode[] {
  const items = loadItems(data, scope, 'handlers')
  const handlers: TaskNode[] = []
  const collect = (item: PlayItem): void => {
    if (item.kind === 'block') {
      for (const child of [...item.block, ...item.rescue, ...item.always]) collect(child)
      return
    }
    const names = [item.keywords.name, ...listOf(item.keywords.listen)].filter(
      (name): name is string => typeof name === 'string'
    )
    item.handlerNames = names
    handlers.push(item)
  }
  items.forEach(collect)
  return handlers
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : [value]
}

function playVars(value: unknown, position: SourcePosition | undefined): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (isMapping(value)) return value
  if (Array.isArray(value) && value.every(isMapping)) return Object.assign({}, ...value)
  throw new PlaybookError(
    'Vars in a Play must be specified as a dictionary, or a list of dictionaries',
    position
  )
}

function loadPlay(
  data: Record<string, unknown>,
  file: string,
  warn: (message: string) => void
): Play {
  const position = positionOf(data)
  for (const key of Object.keys(data)) {
    if (!playKeywords.has(key)) {
      throw new PlaybookError(`'${key}' is not a valid attribute for a Play`, position)
    }
  }
  checkUnsupported(data, position)
  if (
    data.strategy !== undefined &&
    !['linear', 'free', 'ansible.builtin.linear', 'ansible.builtin.free'].includes(
      String(data.strategy)
    )
  ) {
    throw new PlaybookError(
      `the strategy '${String(data.strategy)}' is not supported by kubectl-ansible (linear, free)`,
      position
    )
  }
  if (data.hosts === undefined || data.hosts === null || data.hosts === '') {
    throw new PlaybookError("the field 'hosts' is required but was not set", position)
  }
  const hosts = Array.isArray(data.hosts) ? data.hosts.map(String).join(',') : String(data.hosts)
  const baseDir = path.dirname(file)
  const scope: LoadScope = { file, baseDir, playbookDir: baseDir, warn, rolesSeen: new Set() }
  importedRoleHandlers = []
  const roles: RoleInstance[] = []
  const roleTasks: PlayItem[] = []
  const roleHandlers: TaskNode[] = []
  for (const entry of listOf(data.roles)) {
    const spec = roleSpec(entry, position)
    const loaded = loadRole(spec, scope)
    roles.push(...loaded.dependencies, loaded.role)
    roleTasks.push(roleBlock(loaded, spec))
    roleHandlers.push(...loaded.handlers)
  }
  const preTasks = loadItems(data.pre_tasks, scope)
  const tasks = loadItems(data.tasks, scope)
  const postTasks = loadItems(data.post_tasks, scope)
  const handlers = [...roleHandlers, ...importedRoleHandlers, ...loadHandlers(data.handlers, scope)]
  const keywords = { ...data }
  for (const key of [
    'roles',
    'pre_tasks',
    'tasks',
    'post_tasks',
    'handlers',
    'vars',
    'vars_files'
  ]) {
    delete keywords[key]
  }
  const play: Play = {
    name: typeof data.name === 'string' && data.name !== '' ? data.name : hosts,
    hosts,
    keywords,
    position,
    vars: playVars(data.vars, position),
    varsFiles: listOf(data.vars_files),
    roles,
    preTasks,
    tasks: [...roleTasks, ...tasks],
    postTasks,
    handlers,
    baseDir,
    rolesSeen: scope.rolesSeen
  }
  validateNotify(play)
  inheritPlayKeywords(play)
  return play
}

// Keywords a play passes down to its tasks (tags, environment, no_log, check_mode, ...).
const inheritedPlayKeywords = [
  'tags',
  'environment',
  'no_log',
  'check_mode',
  'diff',
  'ignore_errors',
  'ignore_unreachable',
  'any_errors_fatal',
  'become',
  'become_user',
  'become_method',
  'become_flags',
  'become_exe',
  'timeout',
  'throttle',
  'connection',
  'run_once'
]

/** Hang every top-level task and handler under one block holding the play's keywords. */
function inheritPlayKeywords(play: Play): void {
  const keywords: Record<string, unknown> = {}
  for (const key of inheritedPlayKeywords) {
    if (play.keywords[key] !== undefined) keywords[key] = play.keywords[key]
  }
  if (Object.keys(keywords).length > 0) wrapPlayItems(play, keywords, play.position)
}

/**
 * Puts every item of the play (through its topmost block) under one empty block holding
 * `keywords`, so that they apply to all of them, as the play's own keywords do.
 */
function wrapPlayItems(
  play: Play,
  keywords: Record<string, unknown>,
  position: SourcePosition | undefined
): void {
  const root: BlockNode = {
    kind: 'block',
    id: newNodeId('b'),
    block: [],
    rescue: [],
    always: [],
    keywords,
    position
  }
  for (const item of [...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers]) {
    let top: PlayItem = item
    while (top.parent) top = top.parent
    if (top !== root) top.parent = root
  }
}

interface RoleSpec {
  name: string
  params: Record<string, unknown>
  tasksFrom?: string
  keywords?: Record<string, unknown>
  position?: SourcePosition
}

const roleEntryKeywords = new Set([
  'role',
  'name',
  'tags',
  'when',
  'vars',
  'become',
  'become_user',
  'environment'
])

/** The block a role's tasks run in: the role entry's keywords (`when`, `tags`, ...) apply to them. */
export function roleBlock(
  loaded: LoadedRole,
  spec: { keywords: Record<string, unknown>; position?: SourcePosition }
): BlockNode {
  const block: BlockNode = {
    kind: 'block',
    id: newNodeId('b'),
    block: loaded.tasks,
    rescue: [],
    always: [],
    keywords: spec.keywords,
    position: spec.position,
    role: loaded.role
  }
  adopt(block)
  return block
}

/** A role entry of a play's `roles:` or a role's meta `dependencies:`. */
export function roleSpec(
  entry: unknown,
  playPosition: SourcePosition | undefined
): RoleSpec & { keywords: Record<string, unknown> } {
  if (typeof entry === 'string')
    return { name: entry, params: {}, keywords: {}, position: playPosition }
  if (!isMapping(entry))
    throw new PlaybookError('role entries must be a name or a mapping', playPosition)
  const name = entry.role ?? entry.name
  if (typeof name !== 'string') {
    throw new PlaybookError(
      "role definitions must contain a role name ('role: NAME')",
      positionOf(entry)
    )
  }
  const params: Record<string, unknown> = {}
  const keywords: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'role' || key === 'name') continue
    if (key === 'vars' && isMapping(value)) Object.assign(params, value)
    else if (roleEntryKeywords.has(key)) keywords[key] = value
    else params[key] = value
  }
  return { name, params, keywords, position: positionOf(entry) ?? playPosition }
}

// Ansible refuses a notify naming no handler before the play starts (exit 1).
function validateNotify(play: Play): void {
  const known = new Set(play.handlers.flatMap(handler => handler.handlerNames ?? []))
  const visit = (item: PlayItem): void => {
    if (item.kind === 'block') {
      ;[...item.block, ...item.rescue, ...item.always].forEach(visit)
    }
    for (const name of listOf(item.keywords.notify)) {
      if (typeof name === 'string' && !/\{\{|\{%/.test(name) && !known.has(name)) {
        throw new PlaybookError(
          `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`,
          undefined,
          1
        )
      }
    }
  }
  ;[...play.preTasks, ...play.tasks, ...play.postTasks].forEach(visit)
}

const importPlaybookKeys = new Set([
  'import_playbook',
  'ansible.builtin.import_playbook',
  'name',
  'vars',
  'tags'
])

/** `import_playbook` with `vars:` (play vars of every imported play) and `tags:` (inherited). */
function importedPlays(entry: Record<string, unknown>, plays: Play[]): Play[] {
  for (const key of Object.keys(entry)) {
    if (!importPlaybookKeys.has(key)) {
      throw new PlaybookError(
        `'${key}' is not supported on import_playbook by kubectl-ansible (name, vars, tags are)`,
        positionOf(entry)
      )
    }
  }
  const vars = playVars(entry.vars, positionOf(entry))
  const tags = listOf(entry.tags)
  return plays.map(play => {
    play.vars = { ...vars, ...play.vars }
    if (tags.length > 0) wrapPlayItems(play, { tags }, positionOf(entry))
    return play
  })
}

/** Load a playbook file (and the playbooks it imports) into plays; `warn` hears load warnings. */
export function loadPlaybook(file: string, warn: (message: string) => void): Play[] {
  const data = readYamlFile(file, undefined, warn)
  if (data === null) return []
  if (!Array.isArray(data)) {
    throw new PlaybookError(
      'A playbook must be a list of plays, got a mapping instead',
      positionOf(data) ?? { file, line: 1, column: 1 }
    )
  }
  const plays: Play[] = []
  for (const entry of data) {
    if (!isMapping(entry)) {
      throw new PlaybookError(
        `A playbook must be a list of plays, got ${describeType(entry)} instead`,
        positionOf(data)
      )
    }
    const imported = entry.import_playbook ?? entry['ansible.builtin.import_playbook']
    if (imported !== undefined) {
      if (typeof imported !== 'string') {
        throw new PlaybookError('import_playbook needs a file name', positionOf(entry))
      }
      const target = path.resolve(path.dirname(file), imported)
      if (!existsSync(target)) {
        throw new PlaybookError(
          `Unable to retrieve file contents\nCould not find or access '${target}'`,
          positionOf(entry),
          1
        )
      }
      plays.push(...importedPlays(entry, loadPlaybook(target, warn)))
      continue
    }
    plays.push(loadPlay(entry, file, warn))
  }
  return plays
}

/** Load a task file for include_tasks at run time. */
export function loadTaskFile(file: string, scope: Omit<LoadScope, 'file' | 'baseDir'>): PlayItem[] {
  return loadItems(readYamlFile(file, undefined, scope.warn), {
    ...scope,
    file,
    baseDir: path.dirname(file)
  })
}
