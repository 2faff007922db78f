// Which action a task runs and with which arguments, in every form Ansible accepts:
// `copy: {src: a}`, `copy: src=a dest=b`, `action: copy src=a`, `local_action: ...`,
// `ansible.builtin.copy`, plus `args:` as defaults (lib/ansible/parsing/mod_args.py).
import { getModule } from '../modules/index.js'
import { PlaybookError } from './errors.js'
import { taskKeywords } from './keywords.js'
import { parseKeyValue, splitArgs } from './splitter.js'
import type { SourcePosition } from '../executor/events.js'

/** Actions the executor implements itself rather than a module. */
export const executorActions = new Set([
  'meta',
  'include_tasks',
  'import_tasks',
  'include_role',
  'import_role',
  'import_playbook'
])

const collectionPrefixes = ['ansible.builtin.', 'ansible.legacy.']

/** `ansible.builtin.copy` → `copy`; other collections keep their full name. */
export function shortActionName(action: string): string {
  for (const prefix of collectionPrefixes) {
    if (action.startsWith(prefix)) return action.slice(prefix.length)
  }
  return action
}

export function isKnownAction(action: string): boolean {
  const name = shortActionName(action)
  return executorActions.has(name) || getModule(name) !== undefined
}

// Modules whose string form keeps free text in `_raw_params` (Ansible's FREEFORM_ACTIONS).
const freeFormModules = new Set(['command', 'shell', 'raw', 'script', 'win_command', 'win_shell'])
const rawParamModules = new Set([
  ...freeFormModules,
  'include_vars',
  'include_tasks',
  'include_role',
  'import_tasks',
  'import_role',
  'add_host',
  'group_by',
  'set_fact',
  'meta',
  'include'
])

// Ansible prints its set of modules allowing free-form text in this (hash) order.
const rawParamModulesText =
  'win_shell, import_role, meta, win_command, ansible.legacy.group_by, ansible.legacy.set_fact, ansible.legacy.import_tasks, ansible.builtin.group_by, ansible.legacy.shell, ansible.legacy.include_vars, ansible.builtin.meta, ansible.builtin.include_tasks, ansible.legacy.add_host, ansible.legacy.include, ansible.legacy.include_role, ansible.windows.win_command, ansible.legacy.include_tasks, script, command, ansible.builtin.include_vars, include_tasks, include, set_fact, include_vars, ansible.legacy.win_shell, ansible.legacy.win_command, include_role, ansible.builtin.win_shell, ansible.builtin.shell, shell, ansible.builtin.script, ansible.builtin.import_tasks, ansible.builtin.win_command, raw, ansible.windows.win_shell, ansible.legacy.import_role, ansible.legacy.command, add_host, ansible.builtin.import_role, ansible.builtin.command, ansible.legacy.raw, ansible.legacy.meta, import_tasks, group_by, ansible.builtin.set_fact, ansible.builtin.include, ansible.legacy.script, ansible.builtin.raw, ansible.builtin.add_host, ansible.builtin.include_role'

export interface ResolvedAction {
  action: string
  args: Record<string, unknown>
  delegateTo?: unknown
}

function isTemplate(text: string): boolean {
  return /\{\{|\{%/.test(text)
}

function normalizeArgs(
  value: unknown,
  action: string,
  position: SourcePosition | undefined
): Record<string, unknown> {
  if (value === null || value === undefined) return {}
  if (typeof value === 'string') {
    return parseKeyValue(value, freeFormModules.has(shortActionName(action)))
  }
  if (typeof value === 'object' && !Array.isArray(value)) return { ...(value as object) }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return parseKeyValue(String(value), freeFormModules.has(shortActionName(action)))
  }
  throw new PlaybookError(`unexpected parameter type in action: ${typeName(value)}`, position)
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "<class 'list'>"
  return `<class '${typeof value}'>`
}

/** `copy src=a dest=b` → action `copy`, args string `src=a dest=b`. */
function splitModuleString(text: string): [string, string] {
  const tokens = splitArgs(text)
  const moduleToken = tokens.findIndex(token => token.startsWith('module='))
  if (moduleToken >= 0) {
    const action = tokens[moduleToken].slice('module='.length).trim()
    tokens.splice(moduleToken, 1)
    return [action, tokens.join(' ')]
  }
  return [(tokens[0] ?? '').trim(), tokens.slice(1).join(' ')]
}

function oldStyle(
  value: unknown,
  position: SourcePosition | undefined
): [string, Record<string, unknown>] {
  if (typeof value === 'string') {
    const [action, rest] = splitModuleString(value)
    return [action, parseKeyValue(rest, freeFormModules.has(shortActionName(action)))]
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const copy = { ...(value as Record<string, unknown>) }
    if (typeof copy.module !== 'string') {
      throw new PlaybookError('no module/action detected in task.', position)
    }
    const [action, rest] = splitModuleString(copy.module)
    delete copy.module
    let args: Record<string, unknown> = {
      ...copy,
      ...parseKeyValue(rest, freeFormModules.has(shortActionName(action)))
    }
    if ('args' in args) {
      const nested = args.args
      delete args.args
      args = {
        ...args,
        ...(typeof nested === 'string' ? parseKeyValue(nested) : (nested as object))
      }
    }
    return [action, args]
  }
  throw new PlaybookError(`unexpected parameter type in action: ${typeName(value)}`, position)
}

function withDefaults(
  additional: unknown,
  args: Record<string, unknown>,
  position: SourcePosition | undefined
): Record<string, unknown> {
  if (additional === undefined || additional === null) return args
  if (typeof additional === 'string') {
    if (!isTemplate(additional)) {
      throw new PlaybookError(
        "Complex args containing variables cannot use bare variables (without Jinja2 delimiters), and must use the full variable style ('{{var_name}}')",
        position
      )
    }
    return { _variable_params: additional, ...args }
  }
  if (typeof additional === 'object' && !Array.isArray(additional))
    return { ...additional, ...args }
  throw new PlaybookError(
    'Complex args must be a dictionary or variable string ("{{var}}").',
    position
  )
}

/** Resolve a task mapping's action; throws PlaybookError with Ansible's wording. */
export function resolveAction(
  taskData: Record<string, unknown>,
  position: SourcePosition | undefined
): ResolvedAction {
  let action: string | undefined
  let args: Record<string, unknown> = {}
  let delegateTo: unknown = taskData.delegate_to
  const additional = taskData.args
  if ('action' in taskData) {
    ;[action, args] = oldStyle(taskData.action, position)
  }
  if ('local_action' in taskData) {
    if (action !== undefined) {
      throw new PlaybookError('action and local_action are mutually exclusive', position)
    }
    ;[action, args] = oldStyle(taskData.local_action, position)
    delegateTo = 'localhost'
  }
  const candidates = Object.keys(taskData).filter(
    key => !taskKeywords.has(key) && !key.startsWith('with_')
  )
  for (const key of candidates) {
    if (action !== undefined) {
      throw new PlaybookError(`conflicting action statements: ${action}, ${key}`, position)
    }
    action = key
    args = normalizeArgs(taskData[key], key, position)
  }
  if (action === undefined) {
    throw new PlaybookError('no module/action detected in task.', position)
  }
  if (!isKnownAction(action)) {
    throw new PlaybookError(
      `couldn't resolve module/action '${action}'. This often indicates a misspelling, missing collection, or incorrect module path.`,
      position
    )
  }
  args = withDefaults(additional, args, position)
  const short = shortActionName(action)
  if (
    typeof args._raw_params === 'string' &&
    args._raw_params !== '' &&
    !rawParamModules.has(short)
  ) {
    throw new PlaybookError(
      `this task '${action}' has extra params, which is only allowed in the following modules: ${rawParamModulesText}`,
      position
    )
  }
  return { action, args, delegateTo }
}
