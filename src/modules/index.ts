// The module registry: name resolution (`X`, `ansible.builtin.X`, `ansible.legacy.X`), the
// shared argument validation and check-mode handling in one `runModule` call for the executor.
//
// Decision (issue 9): modules that need Python on the target (apt, pip, service, user, git,
// get_url, …) ARE registered, so a playbook using them loads; running one fails the task with
// a message that suggests command/shell (see python-only.ts). `meta`, `include_tasks`,
// `import_*` and `include_role` are the executor's and are not registered here.
import { addHost } from './add-host.js'
import { assertModule } from './assert.js'
import { blockinfile } from './blockinfile.js'
import { command } from './command.js'
import { copy } from './copy.js'
import { debug } from './debug.js'
import { fail } from './fail.js'
import { fetch } from './fetch.js'
import { file } from './file.js'
import { find } from './find.js'
import { groupBy } from './group-by.js'
import { includeVars } from './include-vars.js'
import { lineinfile } from './lineinfile.js'
import { pause } from './pause.js'
import { ping } from './ping.js'
import { pythonOnlyModules } from './python-only.js'
import { raw } from './raw.js'
import { replace } from './replace.js'
import { script } from './script.js'
import { setFact } from './set-fact.js'
import { shell } from './shell.js'
import { slurp } from './slurp.js'
import { stat } from './stat.js'
import { template } from './template.js'
import { unarchive } from './unarchive.js'
import { waitFor } from './wait-for.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'
import { ModuleArgsError, validateModuleArgs } from './validate.js'

export { ModuleArgsError, validateModuleArgs }
export type { ModuleContext, ModuleDefinition, ModuleResult }

const builtins: ModuleDefinition[] = [
  addHost,
  assertModule,
  blockinfile,
  command,
  copy,
  debug,
  fail,
  fetch,
  file,
  find,
  groupBy,
  includeVars,
  lineinfile,
  pause,
  ping,
  raw,
  replace,
  script,
  setFact,
  shell,
  slurp,
  stat,
  template,
  unarchive,
  waitFor,
  ...pythonOnlyModules
]

const registry = new Map<string, ModuleDefinition>()
for (const def of builtins) {
  registry.set(def.name, def)
  for (const alias of def.aliases ?? []) registry.set(alias, def)
}

const PREFIXES = ['ansible.builtin.', 'ansible.legacy.']

/** The module for `name` as written in a task, or undefined when we have none. */
export function getModule(name: string): ModuleDefinition | undefined {
  for (const prefix of PREFIXES) {
    if (name.startsWith(prefix)) return registry.get(name.slice(prefix.length))
  }
  return registry.get(name)
}

/** Short names of every registered module, sorted. */
export function listModules(): string[] {
  return [...new Set(builtins.map(def => def.name))].sort()
}

/** The name Ansible prints in module messages: `copy:` runs as `ansible.legacy.copy`. */
export function displayName(action: string): string {
  return PREFIXES.some(prefix => action.startsWith(prefix)) ? action : `ansible.legacy.${action}`
}

/**
 * Validate `rawArgs` (already templated by the executor) and run the module. Bad arguments
 * come back as a failed result with Ansible's message, never as an exception; exceptions are
 * transport failures (UnreachableError, RemoteTimeoutError) or bugs.
 */
export async function runModule(
  action: string,
  rawArgs: Record<string, unknown>,
  ctx: ModuleContext
): Promise<ModuleResult> {
  const def = getModule(action)
  if (!def)
    return { failed: true, changed: false, msg: `couldn't resolve module/action '${action}'` }
  let args: Record<string, unknown>
  try {
    args = validateModuleArgs(def, rawArgs, displayName(action)).args
  } catch (error) {
    if (error instanceof ModuleArgsError)
      return { failed: true, changed: false, msg: error.message }
    throw error
  }
  if (ctx.check && !def.checkMode) {
    return {
      changed: false,
      skipped: true,
      msg: `remote module (${displayName(action)}) does not support check mode`
    }
  }
  return def.run(args, ctx)
}
