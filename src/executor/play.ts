// One play run (one serial batch) under the linear strategy: tasks in lock-step over the hosts
// (up to `forks` at a time), blocks with rescue/always, includes, handlers, meta actions, and
// the failure rules (any_errors_fatal, max_fail_percentage, a failed host leaves the play).
import { loadTaskFile, newNodeId, resolveTaskFile } from '../playbook/loader.js'
import { loadRole } from '../playbook/roles.js'
import { PlaybookError } from '../playbook/errors.js'
import type { BlockNode, Play, PlayItem, TaskNode } from '../playbook/objects.js'
import type { PlayInfo, TaskInfo } from './events.js'
import { gatherFacts } from './facts.js'
import { inheritedTags, inheritedValue } from './inherit.js'
import { applyEffects } from './effects.js'
import { callbackResult, censor, registeredCopy, statusOf, type Result } from './results.js'
import { bump, type RunContext } from './run-context.js'
import { shouldRun } from './tags.js'
import { evaluateWhen, runTaskOnHost, templatedConnectionVars, type HostOutcome } from './task.js'
import { TaskFailure } from './task-failure.js'
import type { PlayScope } from './vars.js'
import { markUnsafe } from '../template/unsafe.js'

interface Failure {
  task: TaskNode
  result: Result
}

interface IncludedFile {
  file: string
  task: TaskNode
  args: Record<string, unknown>
  itemVars: Record<string, unknown>
  hosts: string[]
  results: { host: string; result: Result }[]
  /** Loop item label, for `included: ... => (item=x)`. */
  label?: unknown
}

/** How a play run ended, for the playbook loop (Ansible's RUN_FAILED_BREAK_PLAY). */
export interface PlayRunOutcome {
  breakPlaybook: boolean
  /**
   * `meta: end_play` ran: the play ends, with no further serial batches (Ansible's
   * iterator.end_play, raised as AnsibleEndPlay); the playbook goes on with the next play.
   */
  endPlay: boolean
}

export class PlayRun {
  private readonly failed = new Map<string, Failure>()
  /** Load-time warnings of files included while the play runs (duplicate YAML keys). */
  private readonly warn = (message: string): void => this.run.emit({ type: 'warning', message })
  private readonly ended = new Set<string>()
  private readonly notified = new Map<TaskNode, Set<string>>()
  private aborted = false
  private endPlay = false
  private breakPlaybook = false
  private abortAnnounced = false
  /** max_fail_percentage ended the play: Ansible's linear strategy announces that twice. */
  private failureLimitHit = false
  private readonly scope: PlayScope
  private readonly info: PlayInfo
  /** Hosts that failed in earlier plays: listed in this play, but never run. */
  private readonly failedBefore: Set<string>

  constructor(
    private readonly run: RunContext,
    private readonly play: Play,
    private readonly batch: string[],
    playHostsAll: string[],
    varsFiles: Record<string, unknown>
  ) {
    this.scope = {
      play,
      varsFiles,
      playHostsAll,
      batchHosts: batch,
      activeHosts: () => this.batch.filter(host => this.isActive(host))
    }
    this.info = { name: play.name, hosts: batch, position: play.position }
    this.failedBefore = new Set(run.failedHosts)
  }

  private isActive(host: string): boolean {
    return (
      !this.failed.has(host) &&
      !this.ended.has(host) &&
      !this.run.unreachableHosts.has(host) &&
      !this.failedBefore.has(host)
    )
  }

  async execute(): Promise<PlayRunOutcome> {
    this.run.emit({ type: 'play_start', play: this.info })
    const hosts = this.batch.filter(host => this.isActive(host))
    if (this.gatherFactsEnabled()) await this.runTask(this.factsTask(), hosts)
    for (const section of [this.play.preTasks, this.play.tasks, this.play.postTasks]) {
      if (this.aborted) break
      await this.runItems(section, this.batch)
      if (!this.aborted) await this.flushHandlers()
    }
    const newlyFailed = this.batch.filter(
      host => this.failed.has(host) || this.run.unreachableHosts.has(host)
    )
    if (this.batch.length > 0 && newlyFailed.length === this.batch.length) this.breakPlaybook = true
    this.run.emit({ type: 'play_end', play: this.info })
    return { breakPlaybook: this.breakPlaybook, endPlay: this.endPlay }
  }

  private gatherFactsEnabled(): boolean {
    const value = this.play.keywords.gather_facts
    if (value === undefined || value === null) return true
    const templated = this.run.templar.template(value, this.run.store.extraVars)
    return (
      templated === true || (typeof templated === 'string' && /^(yes|true|on|1)$/i.test(templated))
    )
  }

  private factsTask(): TaskNode {
    return {
      kind: 'task',
      id: newNodeId('t'),
      action: 'gather_facts',
      module: 'gather_facts',
      args: {},
      keywords: { name: 'Gathering Facts', tags: ['always'] },
      position: this.play.position,
      baseDir: this.play.baseDir
    }
  }

  // ---- walking blocks -------------------------------------------------------------------

  private async runItems(items: PlayItem[], hosts: string[]): Promise<void> {
    for (const item of items) {
      if (this.aborted) return
      const live = hosts.filter(host => this.isActive(host))
      if (live.length === 0) return
      if (item.kind === 'block') await this.runBlock(item, live)
      else await this.runTask(item, live)
    }
  }

  private async runBlock(block: BlockNode, hosts: string[]): Promise<void> {
    await this.runItems(block.block, hosts)
    const failedInBlock = hosts.filter(host => this.failed.has(host))
    if (block.rescue.length > 0 && failedInBlock.length > 0 && !this.aborted) {
      for (const host of failedInBlock) {
        const failure = this.failed.get(host)
        this.failed.delete(host)
        if (failure) {
          this.run.store.setHostFacts(host, {
            ansible_failed_task: {
              name: this.taskName(failure.task, host),
              action: failure.task.action,
              args: failure.task.args
            },
            ansible_failed_result: registeredCopy(failure.result)
          })
        }
      }
      await this.runItems(block.rescue, failedInBlock)
    }
    if (block.always.length > 0 && !this.aborted) {
      const carried = new Map<string, Failure>()
      for (const host of hosts) {
        const failure = this.failed.get(host)
        if (failure) {
          carried.set(host, failure)
          this.failed.delete(host)
        }
      }
      await this.runItems(block.always, hosts)
      for (const [host, failure] of carried)
        if (!this.failed.has(host)) this.failed.set(host, failure)
    }
  }

  // ---- tasks ------------------------------------------------------------------------------

  private taskName(task: TaskNode, host?: string): string {
    const raw = task.keywords.name
    let name: string
    if (typeof raw === 'string' && raw !== '') {
      name = raw
      if (/\{\{|\{%/.test(raw)) {
        try {
          const vars = this.run.store.forHost(host ?? this.batch[0], this.scope, task)
          name = String(this.run.templar.template(raw, vars))
        } catch {
          name = raw
        }
      }
    } else if (task.module === 'include_role' || task.module === 'import_role') {
      name = `${task.action} : ${String(task.args.name ?? '')}`
    } else {
      name = task.action
    }
    return task.role ? `${task.role.name} : ${name}` : name
  }

  private taskInfo(task: TaskNode, handler: boolean): TaskInfo {
    return {
      id: task.id,
      name: this.taskName(task),
      action: task.action,
      handler,
      position: task.position
    }
  }

  private selected(task: TaskNode): boolean {
    let vars: Record<string, unknown> | undefined
    const tags = inheritedTags(task, value => {
      if (!hasTemplate(this.run, value)) return value
      vars ??= this.run.store.forHost(this.batch[0], this.scope, task)
      return this.run.templar.template(value, vars)
    })
    return shouldRun(tags, { only: this.run.options.tags, skip: this.run.options.skipTags })
  }

  private async runTask(task: TaskNode, hosts: string[], handler = false): Promise<void> {
    if (!handler && !this.selected(task)) return
    if (task.module === 'meta') {
      await this.runMeta(task, hosts)
      return
    }
    const info = this.taskInfo(task, handler)
    const runOnce = this.keywordBool(task, 'run_once')
    const targets = runOnce ? hosts.slice(0, 1) : hosts
    this.run.emit({ type: 'task_start', task: info })
    const outcomes = await this.forEachHost(task, targets)
    const includes: IncludedFile[] = []
    for (let index = 0; index < targets.length; index++) {
      const host = targets[index]
      const { outcome, durationMs } = outcomes[index]
      this.processResult(task, info, host, outcome, durationMs, runOnce ? hosts : [host])
      if (
        (task.module === 'include_tasks' || task.module === 'include_role') &&
        !this.failed.has(host)
      ) {
        collectIncludes(includes, task, host, outcome.result)
      }
    }
    this.checkFailureLimits(task, hosts)
    this.announceAbort()
    // Like Ansible's linear strategy: each file is loaded (its load warnings, or the include's
    // failure) and announced with `included:`, all of them before the first included task runs.
    const blocks = includes.map(included => {
      const block = this.loadIncluded(included)
      // A role is not a file: Ansible's strategy neither announces nor counts it.
      if (block && included.task.module !== 'include_role') {
        this.run.emit({
          type: 'include',
          file: this.includedPath(included),
          hosts: included.hosts,
          item: included.label
        })
      }
      return { included, block }
    })
    for (const { included, block } of blocks) {
      if (this.aborted) break
      if (block)
        await this.runItems(
          [block],
          included.hosts.filter(host => this.isActive(host))
        )
    }
  }

  private keywordBool(task: PlayItem, keyword: string, host?: string): boolean {
    // Variables are only assembled for a templated keyword value (most are plain booleans).
    const value = inheritedValue(task, keyword, raw =>
      hasTemplate(this.run, raw)
        ? this.run.templar.template(
            raw,
            this.run.store.forHost(host ?? this.batch[0], this.scope, task)
          )
        : raw
    )
    if (value === undefined) {
      const playValue = this.play.keywords[keyword]
      return playValue === true || playValue === 'yes' || playValue === 'true'
    }
    return value === true || (typeof value === 'string' && /^(yes|true|on|1)$/i.test(value))
  }

  /** Run the task on each host, at most `forks` (or `throttle`) at a time; results in host order. */
  private async forEachHost(
    task: TaskNode,
    hosts: string[]
  ): Promise<{ outcome: HostOutcome; durationMs: number }[]> {
    const throttle = Number(task.keywords.throttle ?? 0)
    const limit = Math.max(1, Math.min(this.run.options.forks, throttle > 0 ? throttle : Infinity))
    const results: { outcome: HostOutcome; durationMs: number }[] = new Array(hosts.length)
    let next = 0
    const worker = async () => {
      while (next < hosts.length) {
        const index = next++
        const started = Date.now()
        results[index] = {
          outcome: await this.runOnHost(task, hosts[index]),
          durationMs: Date.now() - started
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(limit, hosts.length) }, worker))
    return results
  }

  private async runOnHost(task: TaskNode, host: string): Promise<HostOutcome> {
    let vars: Record<string, unknown>
    try {
      vars = this.run.store.forHost(host, this.scope, task)
    } catch (error) {
      return {
        result: { failed: true, msg: error instanceof Error ? error.message : String(error) }
      }
    }
    if (task.module === 'gather_facts' || task.module === 'setup')
      return this.runFacts(task, host, vars)
    return runTaskOnHost({
      run: this.run,
      task,
      host,
      vars,
      check: this.run.options.check,
      diff: this.run.options.diff,
      onRetry: retriesLeft =>
        this.run.emit({ type: 'host_retry', taskName: this.taskName(task), host, retriesLeft })
    })
  }

  private async runFacts(
    task: TaskNode,
    host: string,
    vars: Record<string, unknown>
  ): Promise<HostOutcome> {
    try {
      if (task.module === 'setup' && !evaluateWhen(this.run, task, vars)) {
        return {
          result: { changed: false, skip_reason: 'Conditional result was False', skipped: true }
        }
      }
      const connection = await this.run.connections.get(
        host,
        templatedConnectionVars(this.run, vars)
      )
      const facts = await gatherFacts(connection, this.run.options.timeoutSec * 1000 || undefined)
      // Ansible's hack to keep -v from printing every fact: the callbacks show only the status.
      return {
        result: {
          ansible_facts: facts,
          changed: false,
          failed: false,
          _ansible_verbose_override: true
        }
      }
    } catch (error) {
      if (error instanceof Error && error.name === 'UnreachableError') {
        return { result: { unreachable: true, changed: false, msg: error.message } }
      }
      return {
        result: { failed: true, msg: error instanceof Error ? error.message : String(error) }
      }
    }
  }

  /** Account for one host's result: events, stats, register, facts, notify, failure state. */
  private processResult(
    task: TaskNode,
    info: TaskInfo,
    host: string,
    outcome: HostOutcome,
    durationMs: number,
    appliesTo: string[]
  ): void {
    const result = outcome.result
    const status = statusOf(result)
    const ignoreErrors = status === 'failed' && this.keywordBool(task, 'ignore_errors', host)
    const ignoreUnreachable =
      status === 'unreachable' && this.keywordBool(task, 'ignore_unreachable', host)
    const register = typeof task.keywords.register === 'string' ? task.keywords.register : undefined
    if (register) {
      // Like Ansible's wrap_var: output holding "{{ }}" is never rendered when read later.
      const registered = markUnsafe(registeredCopy(result))
      for (const target of appliesTo)
        this.run.store.setHostFacts(target, { [register]: registered })
    }
    if (status === 'ok' || status === 'changed') {
      for (const target of appliesTo) {
        applyEffects(
          this.run,
          task,
          target,
          outcome.delegatedTo,
          result,
          this.delegateFacts(task, host)
        )
      }
      if (task.module === 'gather_facts' || task.module === 'setup') {
        this.run.store.setModuleFacts(host, (result.ansible_facts ?? {}) as Record<string, unknown>)
      }
    }
    const noLog = this.keywordBool(task, 'no_log', host)
    const shown = callbackResult(noLog ? censor(result) : result)
    // Each item's status stays on it: the item callback it goes to (ok, failed, skipped).
    const items = Array.isArray(result.results)
      ? (result.results as Result[]).map(item => ({
          ...callbackResult(noLog ? censor(item) : item),
          ...(item.failed === true ? { failed: true } : {}),
          ...(item.skipped === true ? { skipped: true } : {})
        }))
      : undefined
    // The default callback shows a result's warnings before its status line, a loop's after
    // the item lines (they were printed as the items ran); skipped results show none.
    const warnings =
      status === 'skipped' || status === 'unreachable' || !Array.isArray(shown.warnings)
        ? []
        : shown.warnings.map(String)
    const isLoop = Array.isArray(shown.results)
    const warn = (message: string) => this.run.emit({ type: 'warning', message, fromResult: true })
    if (!isLoop) warnings.forEach(warn)
    this.run.emit({
      type: 'host_result',
      task: info,
      host,
      status,
      result: shown,
      items,
      ignored: ignoreErrors || ignoreUnreachable ? true : undefined,
      durationMs,
      delegatedTo: outcome.delegatedTo
    })
    if (isLoop) warnings.forEach(warn)
    // An include counts `ok` once per file it includes, when that file loads (runIncluded).
    const isInclude = task.module === 'include_tasks' || task.module === 'include_role'
    switch (status) {
      case 'unreachable':
        if (ignoreUnreachable) {
          bump(this.run, host, 'ok')
          break
        }
        bump(this.run, host, 'unreachable')
        this.run.unreachableHosts.add(host)
        break
      case 'failed':
        if (ignoreErrors) {
          bump(this.run, host, 'ok')
          bump(this.run, host, 'ignored')
          if (result.changed === true) bump(this.run, host, 'changed')
          break
        }
        this.failed.set(host, { task, result })
        if (isRescuable(task)) bump(this.run, host, 'rescued')
        else {
          bump(this.run, host, 'failed')
          this.run.failedHosts.add(host)
        }
        if (this.keywordBool(task, 'any_errors_fatal', host) && !isRescuable(task)) this.abort()
        break
      case 'skipped':
        bump(this.run, host, 'skipped')
        break
      default:
        if (!isInclude) bump(this.run, host, 'ok')
        if (status === 'changed') bump(this.run, host, 'changed')
        if (status === 'changed') this.notify(task, host, appliesTo)
    }
  }

  private delegateFacts(task: TaskNode, host: string): boolean {
    return this.keywordBool(task, 'delegate_facts', host)
  }

  private notify(task: TaskNode, host: string, appliesTo: string[]): void {
    const names = task.keywords.notify
    if (names === undefined || names === null) return
    const vars = this.run.store.forHost(host, this.scope, task)
    const list = (Array.isArray(names) ? names : [names]).map(name =>
      String(this.run.templar.template(name, vars))
    )
    for (const name of list) {
      const handlers = this.play.handlers.filter(handler => handler.handlerNames?.includes(name))
      if (handlers.length === 0) {
        throw new PlaybookError(
          `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`,
          undefined,
          1
        )
      }
      for (const handler of handlers) {
        let hosts = this.notified.get(handler)
        if (!hosts) {
          hosts = new Set()
          this.notified.set(handler, hosts)
        }
        for (const target of appliesTo) hosts.add(target)
      }
    }
  }

  private abort(): void {
    this.aborted = true
    this.breakPlaybook = true
  }

  /** "NO MORE HOSTS LEFT", once, after the results of the task that ended the play. */
  private announceAbort(): void {
    if (!this.breakPlaybook || this.abortAnnounced) return
    this.abortAnnounced = true
    this.run.emit({ type: 'no_hosts_remaining', play: this.info })
    // Once for the exceeded percentage, once more because every host of the batch has failed.
    if (this.failureLimitHit) this.run.emit({ type: 'no_hosts_remaining', play: this.info })
  }

  /** max_fail_percentage: abort the play when failed hosts of the batch exceed it. */
  private checkFailureLimits(task: TaskNode, hosts: string[]): void {
    const limit = this.play.keywords.max_fail_percentage
    if (limit === undefined || limit === null || this.aborted) return
    const failedCount = this.batch.filter(
      host => this.failed.has(host) || this.run.unreachableHosts.has(host)
    ).length
    if (hosts.length > 0 && (failedCount / this.batch.length) * 100 > Number(limit)) {
      void task
      this.failureLimitHit = true
      this.abort()
    }
  }

  // ---- includes ---------------------------------------------------------------------------

  private includedPath(included: IncludedFile): string {
    const task = included.task
    if (task.module === 'include_role') return included.file
    return resolveTaskFile(included.file, { baseDir: task.baseDir, role: task.role })
  }

  /** Load an included file into the block its hosts run, or report the include as failed. */
  private loadIncluded(included: IncludedFile): BlockNode | undefined {
    const task = included.task
    let items: PlayItem[]
    try {
      if (task.module === 'include_role') {
        const loaded = loadRole(
          {
            name: included.file,
            params: included.args,
            tasksFrom:
              typeof included.args.tasks_from === 'string' ? included.args.tasks_from : undefined,
            position: task.position,
            allowDuplicates: included.args.allow_duplicates !== false
          },
          {
            file: task.position?.file ?? this.play.baseDir,
            baseDir: task.baseDir,
            playbookDir: this.play.baseDir,
            warn: this.warn,
            rolesSeen: this.play.rolesSeen
          }
        )
        items = loaded.tasks
        this.play.handlers.push(...loaded.handlers)
      } else {
        items = loadTaskFile(this.includedPath(included), {
          playbookDir: this.play.baseDir,
          role: task.role,
          warn: this.warn
        })
      }
    } catch (error) {
      const reason =
        error instanceof PlaybookError && error.message.startsWith('Could not find or access')
          ? `Could not find or access '${this.includedPath(included)}' on the Ansible Controller.`
          : error instanceof PlaybookError
            ? error.describe()
            : String(error)
      const info = this.taskInfo(task, false)
      for (const { host } of included.results) {
        this.run.emit({
          type: 'host_result',
          task: info,
          host,
          status: 'failed',
          result: { reason },
          durationMs: 0
        })
        this.failed.set(host, { task, result: { failed: true, reason } })
        bump(this.run, host, 'failed')
        this.run.failedHosts.add(host)
      }
      return undefined
    }
    if (task.module !== 'include_role')
      for (const host of included.hosts) bump(this.run, host, 'ok')
    return includeBlock(task, items, included)
  }

  // ---- meta -------------------------------------------------------------------------------

  /**
   * A meta task as Ansible's _execute_meta runs it: announced (TASK banner) once per host it
   * runs for — once in all for the actions that run once (end_play, end_batch, clear_facts,
   * clear_host_errors, refresh_inventory) — with a skipped result where `when` is false.
   */
  private async runMeta(task: TaskNode, hosts: string[]): Promise<void> {
    const action = String(task.args._raw_params ?? task.args.free_form ?? '').trim()
    const info = this.taskInfo(task, false)
    const announce = () => this.run.emit({ type: 'task_start', task: info })
    const skipped = (host: string, reason: string, msg = action) =>
      this.run.emit({
        type: 'host_result',
        task: info,
        host,
        status: 'skipped',
        result: { msg, skip_reason: `${action} conditional evaluated to False, ${reason}` },
        durationMs: 0
      })
    const conditionFor = (host: string): boolean => {
      try {
        return evaluateWhen(this.run, task, this.run.store.forHost(host, this.scope, task))
      } catch (error) {
        throw new PlaybookError(
          error instanceof TaskFailure ? error.message : String(error),
          task.position,
          1
        )
      }
    }
    if (
      ['noop', 'refresh_inventory', 'reset_connection'].includes(action) &&
      task.keywords.when !== undefined
    ) {
      this.run.emit({
        type: 'warning',
        message: `${action} task does not support when conditional`
      })
    }
    const first = hosts[0]
    switch (action) {
      case 'end_play':
      case 'end_batch':
        announce()
        if (conditionFor(first)) {
          for (const host of this.batch) this.ended.add(host)
          this.aborted = true
          // end_batch leaves the next batches to run; end_play ends them too.
          if (action === 'end_play') this.endPlay = true
        } else {
          skipped(first, action === 'end_play' ? 'continuing play' : 'continuing current batch')
        }
        return
      case 'end_host':
        for (const host of hosts) {
          announce()
          if (conditionFor(host)) this.ended.add(host)
          else
            skipped(
              host,
              `continuing execution for ${host}`,
              `end_host conditional evaluated to false, continuing execution for ${host}`
            )
        }
        return
      case 'flush_handlers': {
        const selected: string[] = []
        for (const host of hosts) {
          announce()
          if (conditionFor(host)) selected.push(host)
          else skipped(host, `not running handlers for ${host}`)
        }
        if (selected.length > 0) await this.flushHandlers(selected)
        return
      }
      case 'clear_host_errors':
        announce()
        // Ansible pops the hosts of the batch (its inventory is restricted to it) from both the
        // failed and the unreachable hosts: an unreachable host runs the rest of the play again,
        // over a new connection.
        if (conditionFor(first))
          for (const host of this.batch) {
            this.run.failedHosts.delete(host)
            if (this.run.unreachableHosts.delete(host)) await this.run.connections.reset(host)
          }
        else skipped(first, `not clearing host error state for ${first}`)
        return
      case 'clear_facts':
        announce()
        if (conditionFor(first)) for (const host of this.batch) this.run.store.clearFacts(host)
        else skipped(first, `not clearing facts and fact cache for ${first}`)
        return
      case 'reset_connection':
        for (const host of hosts) {
          announce()
          await this.run.connections.reset(host)
        }
        return
      case 'refresh_inventory':
        announce()
        return
      case 'noop':
      case 'role_complete':
        for (let index = 0; index < hosts.length; index++) announce()
        return
      default:
        throw new PlaybookError(`invalid meta action requested: ${action}`, task.position)
    }
  }

  // ---- handlers ---------------------------------------------------------------------------

  private async flushHandlers(only?: string[]): Promise<void> {
    const force = this.play.keywords.force_handlers === true
    for (const handler of this.play.handlers) {
      const notified = this.notified.get(handler)
      if (!notified || notified.size === 0) continue
      const hosts = this.batch.filter(
        host =>
          notified.has(host) &&
          (only === undefined || only.includes(host)) &&
          (this.isActive(host) ||
            (force && !this.run.unreachableHosts.has(host) && !this.ended.has(host)))
      )
      for (const host of hosts) notified.delete(host)
      if (hosts.length === 0) continue
      if (force) for (const host of hosts) this.failed.delete(host)
      await this.runTask(handler, hosts, true)
    }
  }
}

function hasTemplate(run: RunContext, value: unknown): boolean {
  if (Array.isArray(value)) return value.some(entry => hasTemplate(run, entry))
  return run.templar.isTemplate(value)
}

/** A failure inside the `block:` part of a block that has a `rescue:` is rescued, not failed. */
function isRescuable(item: PlayItem): boolean {
  let child: PlayItem = item
  for (let parent = item.parent; parent; parent = parent.parent) {
    const placed = child.kind === 'block' && child.includedFrom ? child.includedFrom : child
    if (parent.rescue.length > 0 && parent.block.includes(placed)) return true
    child = parent
  }
  return false
}

function collectIncludes(
  includes: IncludedFile[],
  task: TaskNode,
  host: string,
  result: Result
): void {
  const entries: { result: Result; itemVars: Record<string, unknown> }[] = []
  if (Array.isArray(result.results)) {
    for (const item of result.results as Result[]) {
      if (item.skipped === true || item.failed === true) continue
      const loopVar = String(item.ansible_loop_var ?? 'item')
      const itemVars: Record<string, unknown> = {
        [loopVar]: item[loopVar],
        ansible_loop_var: loopVar
      }
      if (typeof item.ansible_index_var === 'string')
        itemVars[item.ansible_index_var] = item[item.ansible_index_var]
      if (item.ansible_loop !== undefined) itemVars.ansible_loop = item.ansible_loop
      entries.push({ result: item, itemVars })
    }
  } else if (result.skipped !== true && typeof result.include === 'string') {
    entries.push({ result, itemVars: {} })
  }
  for (const entry of entries) {
    const file = String(entry.result.include)
    const args = (entry.result.include_args ?? {}) as Record<string, unknown>
    const key = JSON.stringify([file, args, entry.itemVars])
    const existing = includes.find(
      candidate => JSON.stringify([candidate.file, candidate.args, candidate.itemVars]) === key
    )
    if (existing) {
      existing.hosts.push(host)
      existing.results.push({ host, result: entry.result })
    } else {
      includes.push({
        file,
        task,
        args,
        itemVars: entry.itemVars,
        hosts: [host],
        results: [{ host, result: entry.result }],
        label: entry.result._ansible_item_label
      })
    }
  }
}

/**
 * The block included tasks run in: it inherits the include's block (and so its when/tags),
 * gets the include's vars, parameters and loop item, and `apply:` keywords — but not the
 * include's own `when`/`tags`, which selected the include itself.
 */
function includeBlock(task: TaskNode, items: PlayItem[], included: IncludedFile): BlockNode {
  const vars = {
    ...(typeof task.keywords.vars === 'object' && task.keywords.vars !== null
      ? (task.keywords.vars as object)
      : {}),
    ...(task.module === 'include_tasks' ? included.args : {}),
    ...included.itemVars
  }
  const keywords: Record<string, unknown> = {}
  for (const key of [
    'environment',
    'ignore_errors',
    'no_log',
    'become',
    'become_user',
    'check_mode',
    'diff',
    'any_errors_fatal',
    'delegate_to',
    'run_once',
    'timeout'
  ]) {
    if (task.keywords[key] !== undefined) keywords[key] = task.keywords[key]
  }
  const apply = task.args.apply
  if (typeof apply === 'object' && apply !== null) Object.assign(keywords, apply)
  keywords.vars = { ...((keywords.vars as object) ?? {}), ...vars }
  const block: BlockNode = {
    kind: 'block',
    id: newNodeId('b'),
    block: items,
    rescue: [],
    always: [],
    keywords,
    position: task.position,
    parent: task.parent,
    role: task.role,
    includedFrom: task
  }
  for (const item of items) item.parent = block
  return block
}
