// What a module is: an argument spec declared as data (validated in one shared place) and a
// run() that returns Ansible's result shape. Modules run on the runner and reach the host only
// through `ctx.connection`.
import type { Connection } from '../connection/connection.js'

export type ArgType = 'str' | 'bool' | 'int' | 'float' | 'list' | 'dict' | 'path' | 'raw' | 'mode'

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
  /** Usually a string; debug/assert/fail may return a list or any value given as `msg`. */
  msg?: unknown
  /** null when the command never ran (Ansible's None), e.g. a failed chdir. */
  rc?: number | null
  stdout?: string
  stderr?: string
  diff?: unknown
  [key: string]: unknown
}

export interface RenderOptions {
  trimBlocks?: boolean
  lstripBlocks?: boolean
  /**
   * Variables added for this render only, above the task's variables (the template module's
   * `template_path`, `template_fullpath`, `template_host`, `template_uid`, `template_run_date`,
   * `template_destpath`, `ansible_managed`).
   */
  extraVars?: Record<string, unknown>
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
  render(template: string, options?: RenderOptions): string
  /**
   * Template one value with the task's variables the way Ansible's action plugins do
   * (`debug var=`: a bare name is looked up like `{{ name }}`). Throws an Error whose `name`
   * contains 'Undefined' when a variable is undefined, so `debug` can say
   * "VARIABLE IS NOT DEFINED!".
   */
  template(value: unknown): unknown
  /** Evaluate one `when:`-style condition (used by `assert that=`) with the task's variables. */
  evaluateConditional(condition: unknown): boolean
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
  /** Environment for commands of this task (the task's `environment:` keyword). */
  environment?: Record<string, string>
  /** Remote temporary directory (ansible_remote_tmp), default `/tmp`. */
  remoteTmp?: string
  /** ansible_shell_executable, default `/bin/sh`. */
  shellExecutable?: string
  /**
   * Candidate local paths Ansible searches for `name` (role dirs, task dir, playbook dir, each
   * with and without `kind/`), in order — used to say where a missing file was looked for.
   */
  localSearchPaths?(name: string, kind: 'files' | 'templates'): string[]
}

export interface ModuleDefinition {
  /** Short name, e.g. 'copy'. `ansible.builtin.<name>` resolves to it. */
  name: string
  /** Other accepted names (e.g. 'ansible.legacy.copy' is handled by the resolver). */
  aliases?: string[]
  /** Accepts a free-form string (command/shell/raw/script: `_raw_params`). */
  freeForm?: boolean
  /**
   * Takes arbitrary keys (set_fact, add_host): `args` lists the known ones, any other key is
   * passed through unvalidated instead of being an "Unsupported parameters" error.
   */
  openArgs?: boolean
  args: Record<string, ArgSpec>
  /** Arguments that may not be given together. */
  mutuallyExclusive?: string[][]
  /** At least one of each set is required. */
  requiredOneOf?: string[][]
  /** If any of a set is given, all of it must be. */
  requiredTogether?: string[][]
  /** `[key, value, requirements]`: when args[key] === value, all requirements are required. */
  requiredIf?: [string, unknown, string[]][]
  /** True when the module supports check mode (otherwise skipped in --check). */
  checkMode: boolean
  run(args: Record<string, unknown>, ctx: ModuleContext): Promise<ModuleResult>
}
