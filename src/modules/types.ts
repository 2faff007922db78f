// What a module is: an argument spec declared as data (validated in one shared place) and a
// run() that returns Ansible's result shape. Modules run on the runner and reach the host only
// through `ctx.connection`.
import type { Connection } from '../connection/connection.js'

export type ArgType =
  | 'str'
  | 'bool'
  | 'int'
  | 'float'
  | 'list'
  | 'dict'
  | 'path'
  | 'raw'
  | 'mode'

export interface ArgSpec {
  type: ArgType
  required?: boolean
  default?: unknown
  aliases?: string[]
  choices?: unknown[]
  /** For type 'list': element type. */
  elements?: ArgType
  /** Value is secret: never echoed in results or errors. */
  noLog?: boolean
}

/** Ansible's task result: free-form, with the well-known keys typed. */
export interface ModuleResult {
  changed?: boolean
  failed?: boolean
  skipped?: boolean
  msg?: string
  rc?: number
  stdout?: string
  stderr?: string
  diff?: unknown
  [key: string]: unknown
}

export interface ModuleContext {
  connection: Connection
  /** inventory_hostname */
  host: string
  check: boolean
  diff: boolean
  /** Fully templated variables visible to the task (hostvars of this host, play vars, …). */
  vars: Record<string, unknown>
  /** Render a template string (used by `template`) with the task's variables. */
  render(template: string, options?: { trimBlocks?: boolean; lstripBlocks?: boolean }): string
  /**
   * Find a local file the way Ansible's action plugins do (role files/templates dirs, then the
   * playbook dir). `kind` is 'files' or 'templates'. Returns an absolute path or null.
   */
  findLocalFile(name: string, kind: 'files' | 'templates'): string | null
  /** Directory of the playbook (playbook_dir). */
  playbookDir: string
  /** Task timeout in milliseconds, if any. */
  timeoutMs?: number
  /** Verbosity (-v count). */
  verbosity: number
}

export interface ModuleDefinition {
  /** Short name, e.g. 'copy'. `ansible.builtin.<name>` resolves to it. */
  name: string
  /** Other accepted names (e.g. 'ansible.legacy.copy' is handled by the resolver). */
  aliases?: string[]
  /** Accepts a free-form string (command/shell/raw/script: `_raw_params`). */
  freeForm?: boolean
  args: Record<string, ArgSpec>
  /** Arguments that may not be given together. */
  mutuallyExclusive?: string[][]
  /** At least one of each set is required. */
  requiredOneOf?: string[][]
  /** True when the module supports check mode (otherwise skipped in --check). */
  checkMode: boolean
  run(args: Record<string, unknown>, ctx: ModuleContext): Promise<ModuleResult>
}
