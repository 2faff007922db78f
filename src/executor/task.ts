// Running one task on one host, as Ansible's TaskExecutor does: loop items, `when`, templated
// arguments, the module (or an executor action), `until` retries, changed_when/failed_when,
// and the result shape callbacks and `register` see.
import { UnreachableError } from '../connection/connection.js'
import { displayName, getModule } from '../modules/index.js'
import { validateModuleArgs } from '../modules/validate.js'
import type { ModuleContext, ModuleResult } from '../modules/types.js'
import { positionDetails } from '../playbook/errors.js'
import type { PlayItem, TaskNode } from '../playbook/objects.js'
import { OMIT_TOKEN, dropOmitted } from '../template/omit.js'
import { TemplateError, UndefinedVariableError } from '../template/errors.js'
import { inheritedList, inheritedValue } from './inherit.js'
import { itemVars, loopControl, loopItems, loopKeyword, type LoopSpec } from './loops.js'
import { loopResult, type Result } from './results.js'
import type { RunContext } from './run-context.js'
import { TaskFailure } from './task-failure.js'
import { findLocalFile, localSearchPaths } from './local-files.js'

export interface TaskHostRun {
  run: RunContext
  task: TaskNode
  host: string
  vars: Record<string, unknown>
  /** Extra `when` conditions of the include that brought this task in, already checked. */
  check: boolean
  diff: boolean
  /** Told before each `until` retry, with the number of attempts still left. */
  onRetry?(retriesLeft: number): void
}

export interface HostOutcome {
  result: Result
  /** Where the action ran when delegated. */
  delegatedTo?: string
}

const skippedResult = (): Result => ({
  changed: false,
  skip_reason: 'Conditional result was False',
  skipped: true
})

/**
 * Ansible's AnsibleUndefinedVariable text: the Jinja message, then `. ` and the original
 * exception, which is the same message again ('x' is undefined. 'x' is undefined).
 */
function undefinedText(error: UndefinedVariableError): string {
  return `${error.message}. ${error.message}`
}

/** Prefix Ansible gives the message of a task whose templating failed. */
function templateFailureMessage(error: Error, task: TaskNode, what: string): string {
  const details = task.position ? `\n\n${positionDetails(task.position)}` : ''
  if (error instanceof UndefinedVariableError) {
    return `The ${what} includes an option with an undefined variable. The error was: ${undefinedText(error)}${details}`
  }
  return `${error.message}${details}`
}

/** An undefined loop source fails with the bare message (TaskExecutor._get_loop_items). */
function loopFailureMessage(error: Error, task: TaskNode): string {
  return error instanceof UndefinedVariableError
    ? undefinedText(error)
    : templateFailureMessage(error, task, 'task')
}

/** Evaluate the task's inherited `when` conditions; throws TaskFailure with Ansible's wording. */
export function evaluateWhen(
  run: RunContext,
  item: PlayItem,
  vars: Record<string, unknown>
): boolean {
  for (const condition of inheritedList(item, 'when')) {
    let value: boolean
    try {
      value = run.templar.evaluateConditional(condition, vars)
    } catch (error) {
      if (!(error instanceof Error)) throw error
      throw new TaskFailure(conditionalMessage(condition, error, item))
    }
    if (!value) return false
  }
  return true
}

function conditionalMessage(condition: unknown, error: Error, item: PlayItem): string {
  const details = item.position ? `\n\n${positionDetails(item.position)}` : ''
  const text = error.message.startsWith('The conditional check')
    ? error.message
    : `The conditional check '${String(condition)}' failed. The error was: ${error.message}`
  return `${text}${details}`
}

function checkCondition(
  run: RunContext,
  condition: unknown,
  vars: Record<string, unknown>,
  task: TaskNode
): boolean {
  try {
    return run.templar.evaluateConditional(condition, vars)
  } catch (error) {
    if (!(error instanceof Error)) throw error
    throw new TaskFailure(conditionalMessage(condition, error, task))
  }
}

function asConditions(value: unknown): unknown[] {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : [value]
}

/** Run the task for one host, loop included. Never throws for task-level problems. */
export async function runTaskOnHost(context: TaskHostRun): Promise<HostOutcome> {
  const { run, task } = context
  let spec: LoopSpec | undefined
  let loopError: Error | undefined
  if (loopKeyword(task) !== undefined) {
    try {
      spec = {
        items: loopItems(task, run.templar, context.vars),
        ...loopControl(task, run.templar, context.vars)
      }
    } catch (error) {
      if (!(error instanceof Error)) throw error
      loopError = error
    }
  }
  try {
    if (loopError) {
      if (!evaluateWhen(run, task, context.vars)) return { result: skippedResult() }
      throw loopError instanceof TaskFailure
        ? loopError
        : new TaskFailure(loopFailureMessage(loopError, task))
    }
    if (!spec) {
      // TaskExecutor.run: a task result always says `changed`; loop items (includes) need not.
      const outcome = await runOnce(context, context.vars)
      if (!('changed' in outcome.result)) outcome.result.changed = false
      return outcome
    }
    if (spec.items.length === 0) {
      return {
        result: {
          changed: false,
          skipped: true,
          skipped_reason: 'No items in the list',
          results: []
        }
      }
    }
    const items: Result[] = []
    let delegatedTo: string | undefined
    for (let index = 0; index < spec.items.length; index++) {
      if (index > 0 && spec.pauseSeconds > 0) await sleep(spec.pauseSeconds * 1000)
      const vars = { ...context.vars, ...itemVars(spec, index) }
      const outcome = await runOnce(context, vars)
      delegatedTo = outcome.delegatedTo
      const item = outcome.result
      item[spec.loopVar] = spec.items[index]
      item.ansible_loop_var = spec.loopVar
      if (spec.indexVar) {
        item[spec.indexVar] = index
        item.ansible_index_var = spec.indexVar
      }
      if (spec.extended) item.ansible_loop = vars.ansible_loop
      item._ansible_item_label =
        spec.label === undefined ? spec.items[index] : run.templar.template(spec.label, vars)
      items.push(item)
    }
    return { result: loopResult(items), delegatedTo }
  } catch (error) {
    return { result: failureResult(error, task) }
  }
}

function failureResult(error: unknown, task: TaskNode): Result {
  if (error instanceof UnreachableError) {
    return { unreachable: true, changed: false, msg: error.message }
  }
  if (error instanceof TaskFailure) return { failed: true, msg: error.message, ...error.extra }
  if (error instanceof TemplateError) {
    return { failed: true, msg: templateFailureMessage(error, task, 'task') }
  }
  if (error instanceof Error) return { failed: true, msg: error.message }
  return { failed: true, msg: String(error) }
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** One execution (one loop item): when → action → until → changed_when/failed_when. */
async function runOnce(context: TaskHostRun, vars: Record<string, unknown>): Promise<HostOutcome> {
  const { run, task } = context
  if (!evaluateWhen(run, task, vars)) return { result: skippedResult() }
  if (task.module === 'include_tasks' || task.module === 'include_role') {
    return { result: includeResult(context, vars) }
  }
  const register = typeof task.keywords.register === 'string' ? task.keywords.register : undefined
  const retries = untilRetries(context, vars)
  const delay = Number(run.templar.template(task.keywords.delay ?? 5, vars))
  let attempt = 0
  let result: Result
  let delegatedTo: string | undefined
  for (;;) {
    attempt += 1
    const outcome = await executeAction(context, vars)
    result = outcome.result
    delegatedTo = outcome.delegatedTo
    if (result.unreachable === true || result.skipped === true) return outcome
    normaliseFlags(result)
    const evaluationVars = register ? { ...vars, [register]: result } : vars
    applyChangedFailedWhen(context, result, evaluationVars)
    if (retries === undefined) break
    result.attempts = attempt
    // retries <= 0: one attempt, and Ansible does not look at `until` at all.
    if (retries === 0) break
    const done = asConditions(task.keywords.until).every(condition =>
      checkCondition(run, condition, { ...vars, ...(register ? { [register]: result } : {}) }, task)
    )
    if (done) break
    // Ansible 2.14 makes retries + 1 attempts and then reports attempts == retries.
    if (attempt > retries) {
      result.attempts = retries
      result.failed = true
      break
    }
    context.onRetry?.(retries + 1 - attempt)
    if (delay > 0) await sleep(delay * 1000)
  }
  return { result, delegatedTo }
}

function untilRetries(context: TaskHostRun, vars: Record<string, unknown>): number | undefined {
  if (context.task.keywords.until === undefined) return undefined
  const retries = Number(context.run.templar.template(context.task.keywords.retries ?? 3, vars))
  return Number.isFinite(retries) && retries >= 1 ? retries : 0
}

function normaliseFlags(result: Result): void {
  if (result.failed === undefined) {
    result.failed = result.rc !== undefined && result.rc !== 0 && result.rc !== '0'
  }
  if (result.changed === undefined) result.changed = false
}

function applyChangedFailedWhen(
  context: TaskHostRun,
  result: Result,
  vars: Record<string, unknown>
): void {
  const { run, task } = context
  if (task.keywords.changed_when !== undefined) {
    result.changed = asConditions(task.keywords.changed_when).every(condition =>
      checkCondition(run, condition, vars, task)
    )
  }
  if (task.keywords.failed_when !== undefined) {
    const failed = asConditions(task.keywords.failed_when).every(condition =>
      checkCondition(run, condition, vars, task)
    )
    result.failed_when_result = failed
    result.failed = failed
  }
}

function includeResult(context: TaskHostRun, vars: Record<string, unknown>): Result {
  const { run, task } = context
  const args = run.templar.template(task.args, vars) as Record<string, unknown>
  const file = args.file ?? args._raw_params ?? args.name
  if (typeof file !== 'string' || file === '') {
    throw new TaskFailure(`No file specified for ${task.module}`)
  }
  const includeArgs: Record<string, unknown> = { ...args }
  for (const key of ['file', '_raw_params', 'apply']) delete includeArgs[key]
  const result: Result = { include: file, include_args: includeArgs }
  if (task.module === 'include_role') result.include_role = args
  return result
}

async function executeAction(
  context: TaskHostRun,
  vars: Record<string, unknown>
): Promise<HostOutcome> {
  const { run, task, host } = context
  const definition = getModule(task.module)
  if (!definition) throw new TaskFailure(`The module ${task.action} was not found`)
  let args: Record<string, unknown>
  try {
    args = dropOmitted(templateArgs(context, vars))
  } catch (error) {
    if (error instanceof TemplateError) {
      throw new TaskFailure(templateFailureMessage(error, task, 'task'))
    }
    throw error
  }
  const check = Boolean(
    inheritedValue(task, 'check_mode', v => run.templar.template(v, vars)) ?? context.check
  )
  const diff = Boolean(
    inheritedValue(task, 'diff', v => run.templar.template(v, vars)) ?? context.diff
  )
  if (check && !definition.checkMode) {
    return {
      result: {
        changed: false,
        skipped: true,
        msg: `remote module (${definition.name}) does not support check mode`
      }
    }
  }
  let validated: Record<string, unknown>
  try {
    validated = validateModuleArgs(definition, args, displayName(task.action)).args
  } catch (error) {
    if (error instanceof Error) throw new TaskFailure(error.message)
    throw error
  }
  const delegate = delegateHost(context, vars)
  const connectionHost = delegate ?? host
  checkBecome(context, vars)
  const connectionKeyword = inheritedValue(task, 'connection', value =>
    run.templar.template(value, vars)
  )
  const connectionVars = delegate
    ? delegateVars(run, delegate, vars)
    : connectionKeyword !== undefined
      ? { ...vars, ansible_connection: connectionKeyword }
      : vars
  const connection = await run.connections.get(
    connectionHost,
    templatedConnectionVars(run, connectionVars)
  )
  const environment = templatedEnvironment(context, vars)
  const timeout = inheritedValue(task, 'timeout', v => run.templar.template(v, vars))
  const timeoutSec = timeout !== undefined ? Number(timeout) : run.options.timeoutSec
  const moduleContext: ModuleContext = {
    connection,
    host,
    check,
    diff,
    vars,
    playbookDir: run.playbookDir,
    verbosity: run.options.verbosity,
    timeoutMs: timeoutSec > 0 ? timeoutSec * 1000 : undefined,
    environment,
    remoteTmp:
      typeof connectionVars.ansible_remote_tmp === 'string'
        ? connectionVars.ansible_remote_tmp
        : undefined,
    shellExecutable:
      typeof connectionVars.ansible_shell_executable === 'string'
        ? connectionVars.ansible_shell_executable
        : undefined,
    render: (text, options) =>
      run.templar.renderTemplateFile(
        text,
        { ...vars, ...(options?.extraVars ?? {}) },
        options ?? {}
      ),
    template: value => run.templar.template(value, vars),
    evaluateConditional: condition => run.templar.evaluateConditional(condition, vars),
    findLocalFile: (name, kind) => findLocalFile(task, run.playbookDir, name, kind),
    localSearchPaths: (name, kind) => localSearchPaths(task, run.playbookDir, name, kind)
  }
  let result: ModuleResult
  try {
    result = await definition.run(validated, moduleContext)
  } catch (error) {
    if (error instanceof UnreachableError) throw error
    if (error instanceof TemplateError)
      throw new TaskFailure(templateFailureMessage(error, task, 'task'))
    if (error instanceof Error)
      return { result: { failed: true, msg: error.message }, delegatedTo: delegate }
    throw error
  }
  return { result: { ...result }, delegatedTo: delegate }
}

function templateArgs(
  context: TaskHostRun,
  vars: Record<string, unknown>
): Record<string, unknown> {
  const { run, task } = context
  const raw = { ...task.args }
  let variableParams: Record<string, unknown> = {}
  if (typeof raw._variable_params === 'string') {
    const value = run.templar.template(raw._variable_params, vars)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TaskFailure('Complex args must be a dictionary or variable string ("{{var}}").')
    }
    variableParams = value as Record<string, unknown>
    delete raw._variable_params
  }
  // The debug module templates `var` itself (a bare name is a variable reference).
  const untemplated: Record<string, unknown> = {}
  if (task.module === 'debug' && 'var' in raw) {
    untemplated.var = raw.var
    delete raw.var
  }
  // set_fact stores what it gets: a value that read unsafe data (a pod's output) stays unsafe,
  // so it is never rendered when read later (ansible-core 2.14.12+, CVE-2023-5764).
  const templated = run.templar.template(raw, vars, {
    keepUnsafe: task.module === 'set_fact'
  }) as Record<string, unknown>
  return { ...variableParams, ...templated, ...untemplated }
}

function templatedEnvironment(
  context: TaskHostRun,
  vars: Record<string, unknown>
): Record<string, string> | undefined {
  const { run, task } = context
  const layers = inheritedList(task, 'environment')
  if (layers.length === 0) return undefined
  const environment: Record<string, string> = {}
  for (const layer of layers) {
    const value = run.templar.template(layer, vars)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TaskFailure(`environment must be a dictionary, got ${JSON.stringify(value)}`)
    }
    for (const [key, entry] of Object.entries(value)) {
      if (entry === OMIT_TOKEN) continue
      environment[key] = typeof entry === 'string' ? entry : JSON.stringify(entry)
    }
  }
  return environment
}

function delegateHost(context: TaskHostRun, vars: Record<string, unknown>): string | undefined {
  const raw = inheritedValue(context.task, 'delegate_to', value =>
    context.run.templar.template(value, vars)
  )
  if (raw === undefined || raw === null || raw === '') return undefined
  return String(raw)
}

const localNames = new Set(['localhost', '127.0.0.1', '::1'])

/** Connection variables of a delegated host: its inventory vars, or the implicit localhost. */
function delegateVars(
  run: RunContext,
  delegate: string,
  taskVars: Record<string, unknown>
): Record<string, unknown> {
  if (run.inventory.allHosts().includes(delegate))
    return { ...taskVars, ...run.inventory.hostVars(delegate) }
  if (localNames.has(delegate))
    return { ...taskVars, ansible_connection: 'local', inventory_hostname: delegate }
  throw new TaskFailure(`delegate_to: the host '${delegate}' is not in the inventory`)
}

// Connection variables may be templates (`ansible_kubectl_pod: "{{ pod_name }}"`): render the
// ones the transport reads, leave everything else alone.
const connectionVarPattern =
  /^(ansible_(connection|host|kubectl_.*|shell_executable|remote_tmp)|inventory_hostname)$/

export function templatedConnectionVars(
  run: RunContext,
  vars: Record<string, unknown>
): Record<string, unknown> {
  const rendered: Record<string, unknown> = { ...vars }
  for (const [key, value] of Object.entries(vars)) {
    if (connectionVarPattern.test(key) && run.templar.isTemplate(value)) {
      rendered[key] = run.templar.template(value, vars)
    }
  }
  return rendered
}

/**
 * `become`: kubectl exec runs commands as the container's user and cannot switch users, so
 * becoming root is accepted (it is what a root container already is) and any other
 * become_user fails the task with the reason instead of running as the wrong user.
 */
function checkBecome(context: TaskHostRun, vars: Record<string, unknown>): void {
  const { run, task } = context
  const become = inheritedValue(task, 'become', value => run.templar.template(value, vars))
  const enabled =
    become === true || (typeof become === 'string' && /^(yes|true|on|1)$/i.test(become))
  if (!enabled) return
  const user = inheritedValue(task, 'become_user', value => run.templar.template(value, vars))
  if (user !== undefined && user !== null && user !== '' && user !== 'root') {
    throw new TaskFailure(
      `become_user '${String(user)}' is not supported: kubectl exec runs commands as the container's own user and cannot switch to another one`
    )
  }
}
