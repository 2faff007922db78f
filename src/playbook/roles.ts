// Roles: a directory with tasks/, handlers/, defaults/, vars/, meta/ (dependencies), files/
// and templates/, found under the playbook's roles/ directory (or next to the playbook).
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { SourcePosition } from '../executor/events.js'
import { PlaybookError } from './errors.js'
import {
  loadHandlers,
  loadItems,
  readYamlFile,
  roleBlock,
  roleSpec,
  type LoadScope
} from './loader.js'
import type { PlayItem, RoleInstance, TaskNode } from './objects.js'

export interface RoleRequest {
  name: string
  params: Record<string, unknown>
  /** import_role/include_role run their role again (their allow_duplicates defaults to yes). */
  allowDuplicates?: boolean
  tasksFrom?: string
  position?: SourcePosition
}

export interface LoadedRole {
  role: RoleInstance
  /** Roles this one depends on (meta/main.yml), already expanded, in run order. */
  dependencies: RoleInstance[]
  tasks: PlayItem[]
  handlers: TaskNode[]
}

function findRoleDir(name: string, scope: LoadScope): string | undefined {
  if (path.isAbsolute(name)) return existsSync(name) ? name : undefined
  const candidates = [
    path.join(scope.playbookDir, 'roles', name),
    scope.role ? path.join(path.dirname(scope.role.path), name) : undefined,
    path.join(scope.playbookDir, name)
  ]
  return candidates.find(candidate => candidate !== undefined && existsSync(candidate))
}

function mainFile(dir: string, base = 'main'): string | undefined {
  return ['.yml', '.yaml', ''].map(ext => path.join(dir, base + ext)).find(file => existsSync(file))
}

function mapping(
  file: string | undefined,
  warn: (message: string) => void
): Record<string, unknown> {
  if (!file) return {}
  const data = readYamlFile(file, undefined, warn)
  if (data === null) return {}
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new PlaybookError(`${file} must hold a mapping of variables`, { file, line: 1 })
  }
  return data as Record<string, unknown>
}

export function loadRole(request: RoleRequest, scope: LoadScope): LoadedRole {
  const dir = findRoleDir(request.name, scope)
  if (!dir) {
    throw new PlaybookError(
      `the role '${request.name}' was not found in ${path.join(scope.playbookDir, 'roles')}:${scope.playbookDir}`,
      request.position
    )
  }
  const chain = scope.roleChain ?? []
  if (chain.includes(dir)) {
    throw new PlaybookError(
      `role '${request.name}' depends on itself (${[...chain, dir].join(' -> ')})`,
      request.position
    )
  }
  const meta = mapping(mainFile(path.join(dir, 'meta')), scope.warn)
  // Like Ansible's role cache and has_run: the same role with the same parameters runs once in
  // a play (a dependency shared by two roles, a role listed twice) unless it allows duplicates.
  const identity = `${dir}\n${stableJson(request.params)}`
  if (scope.rolesSeen && !request.allowDuplicates && meta.allow_duplicates !== true) {
    if (scope.rolesSeen.has(identity)) {
      const role: RoleInstance = { name: path.basename(dir), path: dir, defaults: {}, vars: {} }
      return { role, dependencies: [], tasks: [], handlers: [] }
    }
  }
  scope.rolesSeen?.add(identity)
  const role: RoleInstance = {
    name: path.basename(dir),
    path: dir,
    defaults: mapping(mainFile(path.join(dir, 'defaults')), scope.warn),
    vars: { ...mapping(mainFile(path.join(dir, 'vars')), scope.warn), ...request.params }
  }
  const roleScope: LoadScope = {
    file: dir,
    baseDir: dir,
    playbookDir: scope.playbookDir,
    role,
    roleChain: [...chain, dir],
    warn: scope.warn,
    rolesSeen: scope.rolesSeen
  }
  const dependencies: RoleInstance[] = []
  const tasks: PlayItem[] = []
  const handlers: TaskNode[] = []
  for (const dependency of Array.isArray(meta.dependencies) ? meta.dependencies : []) {
    // Written like a play's role entry: `vars:` are the role's parameters, `when`/`tags`
    // apply to its tasks.
    const spec = roleSpec(dependency, request.position)
    const loaded = loadRole(spec, roleScope)
    dependencies.push(...loaded.dependencies, loaded.role)
    if (Object.keys(spec.keywords).length === 0) tasks.push(...loaded.tasks)
    else tasks.push(roleBlock(loaded, spec))
    handlers.push(...loaded.handlers)
  }
  const taskFile = mainFile(
    path.join(dir, 'tasks'),
    request.tasksFrom?.replace(/\.ya?ml$/, '') ?? 'main'
  )
  if (request.tasksFrom && !taskFile) {
    throw new PlaybookError(
      `Could not find specified file in role: tasks/${request.tasksFrom}`,
      request.position
    )
  }
  if (taskFile) {
    tasks.push(
      ...loadItems(readYamlFile(taskFile, undefined, scope.warn), {
        ...roleScope,
        file: taskFile,
        baseDir: path.join(dir, 'tasks')
      })
    )
  }
  const handlerFile = mainFile(path.join(dir, 'handlers'))
  if (handlerFile) {
    handlers.push(
      ...loadHandlers(readYamlFile(handlerFile, undefined, scope.warn), {
        ...roleScope,
        file: handlerFile,
        baseDir: path.join(dir, 'handlers')
      })
    )
  }
  return { role, dependencies, tasks, handlers }
}

/** JSON with sorted keys: parameters written in another order are the same parameters. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry !== null && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : entry
  )
}
