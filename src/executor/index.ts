// The engine's entry points: run a playbook or one ad-hoc module over the inventory and report
// everything through the RunEvent stream. Exit codes are ansible-playbook's: 0 ok, 1 error,
// 2 a host failed, 4 a host unreachable or a parse error, 250 unexpected.
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { RunOptions } from '../context.js'
import { loadInventory, type Inventory } from '../inventory/index.js'
import { PlaybookError } from '../playbook/errors.js'
import { loadPlaybook, newNodeId, readYamlFile } from '../playbook/loader.js'
import type { Play, TaskNode } from '../playbook/objects.js'
import { resolveAction } from '../playbook/action.js'
import { reservedNames } from '../playbook/keywords.js'
// The package entry registers Ansible's filters, tests and lookups on first import.
import { Templar } from '../template/index.js'
import { OMIT_TOKEN } from '../template/omit.js'
import { ConnectionPool } from './connections.js'
import type { HostStats, RunEvent, RunEventListener } from './events.js'
import { parseExtraVars } from './extra-vars.js'
import { PlayRun } from './play.js'
import type { RunContext } from './run-context.js'
import { VariableStore } from './vars.js'
import { connectionRuntime, type EngineRuntime } from './runtime.js'

export interface RunOutcome {
  exitCode: number
  stats: Record<string, HostStats>
  /** Why the run stopped before or while running (printed as `ERROR! ...`), if it did. */
  error?: string
}

function sortedStats(stats: Map<string, HostStats>): Record<string, HostStats> {
  return Object.fromEntries([...stats.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** Hosts of a play in the play's `order`. */
function orderHosts(hosts: string[], order: unknown): string[] {
  switch (order) {
    case 'sorted':
      return [...hosts].sort()
    case 'reverse_sorted':
      return [...hosts].sort().reverse()
    case 'reverse_inventory':
      return [...hosts].reverse()
    case 'shuffle':
      return [...hosts].sort(() => Math.random() - 0.5)
    default:
      return hosts
  }
}

function percentToInt(value: unknown, total: number): number {
  if (typeof value === 'string' && value.trim().endsWith('%')) {
    const percent = Number(value.trim().slice(0, -1))
    return Math.floor((percent / 100) * total) || 1
  }
  return Number(value)
}

/** serial: int, "N%", or a list of those (the last repeats), like Ansible's batching. */
export function serialBatches(hosts: string[], serial: unknown): string[][] {
  if (serial === undefined || serial === null) return [hosts]
  const steps = Array.isArray(serial) ? serial : [serial]
  if (steps.length === 0) return [hosts]
  const batches: string[][] = []
  let remaining = [...hosts]
  let step = 0
  while (remaining.length > 0) {
    const size = percentToInt(steps[step], hosts.length)
    if (!(size > 0)) return [hosts]
    batches.push(remaining.slice(0, size))
    remaining = remaining.slice(size)
    if (step < steps.length - 1) step += 1
  }
  return batches.length > 0 ? batches : [hosts]
}

class Engine {
  private readonly stats = new Map<string, HostStats>()
  private readonly failedHosts = new Set<string>()
  private readonly unreachableHosts = new Set<string>()
  private readonly started = Date.now()
  private runtime?: EngineRuntime

  constructor(
    private readonly options: RunOptions,
    private readonly listener: RunEventListener
  ) {}

  private readonly warned = new Set<string>()
  private readonly warn = (message: string): void => this.emit({ type: 'warning', message })

  // Like Ansible's Display, each distinct warning is shown once per run.
  emit = (event: RunEvent): void => {
    if (event.type === 'warning') {
      if (this.warned.has(event.message)) return
      this.warned.add(event.message)
    }
    this.listener(event)
  }

  /**
   * In ansible-playbook's order: find the playbook (`locate`), load the inventory and the extra
   * vars, then parse the plays (`load`) and run them, so that warnings come in the same order.
   */
  async run(
    locate: () => string,
    load: () => void,
    body: (run: RunContext) => Promise<void>
  ): Promise<RunOutcome> {
    this.emit({ type: 'playbook_start', file: this.options.playbook })
    let error: string | undefined
    let exitCode = 0
    let run: RunContext | undefined
    try {
      run = await this.context(locate())
      if (run.inventory.listHosts('all').length === 0) {
        this.emit({
          type: 'warning',
          message:
            "provided hosts list is empty, only localhost is available. Note that the implicit localhost does not match 'all'"
        })
      }
      load()
      await body(run)
      exitCode = this.unreachableHosts.size > 0 ? 4 : this.failedHosts.size > 0 ? 2 : 0
    } catch (caught) {
      if (caught instanceof PlaybookError) {
        error = caught.describe()
        exitCode = caught.exitCode
      } else if (caught instanceof Error && /InventoryError|HostPatternError/.test(caught.name)) {
        error = caught.message
        exitCode = 1
      } else {
        error = `Unexpected Exception: ${caught instanceof Error ? caught.message : String(caught)}`
        exitCode = 250
      }
    } finally {
      await run?.connections.closeAll()
      await this.runtime?.cleanup()
    }
    const stats = sortedStats(this.stats)
    this.emit({
      type: 'playbook_end',
      stats,
      exitCode,
      error,
      kubectlProcesses: this.runtime?.kubectlProcesses() ?? 0,
      durationMs: Date.now() - this.started
    })
    return { exitCode, stats, error }
  }

  private async context(playbookDir: string): Promise<RunContext> {
    const options = this.options
    this.runtime = await connectionRuntime(options)
    const inventory: Inventory = await loadInventory(options.inventorySources, {
      cwd: options.cwd,
      listPods: this.runtime.listPods
    })
    if (existsSync(playbookDir)) inventory.loadVarsDirs(playbookDir)
    for (const message of inventory.warnings) this.emit({ type: 'warning', message })
    const extraVars = parseExtraVars(options.extraVars, options.cwd, this.warn)
    const templar = new Templar({
      onWarning: (message: string) => this.emit({ type: 'warning', message })
    })
    const store = new VariableStore(inventory, extraVars, {
      playbookDir,
      check: options.check,
      diff: options.diff,
      verbosity: options.verbosity,
      runTags: options.tags,
      skipTags: options.skipTags,
      omit: OMIT_TOKEN
    })
    return {
      options,
      inventory,
      templar,
      store,
      connections: new ConnectionPool(this.runtime.connection),
      emit: this.emit,
      stats: this.stats,
      failedHosts: this.failedHosts,
      unreachableHosts: this.unreachableHosts,
      playbookDir
    }
  }
}

function playHosts(run: RunContext, play: Play, pattern: string): string[] {
  const limit = run.options.limit
  let hosts = run.inventory.listHosts(pattern, { limit })
  if (run.options.shard) {
    const shard = new Set(run.inventory.shard(run.options.shard.index, run.options.shard.count))
    hosts = hosts.filter(host => shard.has(host))
  }
  return orderHosts(hosts, play.keywords.order)
}

function loadVarsFiles(
  run: RunContext,
  play: Play,
  host: string | undefined
): Record<string, unknown> {
  const merged: Record<string, unknown> = {}
  if (play.varsFiles.length === 0) return merged
  const vars = host ? run.store.forHost(host, undefined) : { ...run.store.extraVars }
  Object.assign(vars, play.vars, run.store.extraVars)
  for (const entry of play.varsFiles) {
    // A list entry is a set of alternatives: the first file that exists is used.
    const candidates = (Array.isArray(entry) ? entry : [entry]).map(name =>
      path.resolve(play.baseDir, String(run.templar.template(name, vars)))
    )
    const file = candidates.find(candidate => existsSync(candidate))
    if (!file) {
      throw new PlaybookError(`vars file ${candidates.join(', ')} was not found`, play.position, 1)
    }
    const data = readYamlFile(file, undefined, message => run.emit({ type: 'warning', message }))
    if (data !== null && (typeof data !== 'object' || Array.isArray(data))) {
      throw new PlaybookError(
        `vars file ${file} must hold a mapping of variables`,
        { file, line: 1 },
        1
      )
    }
    Object.assign(merged, data ?? {})
  }
  return merged
}

async function runPlays(run: RunContext, plays: Play[]): Promise<void> {
  for (const play of plays) {
    const vars = { ...run.store.extraVars, ...play.vars }
    const pattern = String(run.templar.template(play.hosts, vars))
    // Matching the pattern may warn (`Could not match supplied host pattern`): show it now.
    const knownWarnings = run.inventory.warnings.length
    const hosts = playHosts(run, play, pattern)
    for (const message of run.inventory.warnings.slice(knownWarnings))
      run.emit({ type: 'warning', message })
    const name = String(run.templar.template(play.name, vars))
    const shownPlay = { ...play, name }
    if (hosts.length === 0) {
      const info = { name, hosts: [], position: play.position }
      run.emit({ type: 'play_start', play: info })
      run.emit({ type: 'no_hosts_matched', play: info })
      run.emit({ type: 'play_end', play: info })
      continue
    }
    const varsFiles = loadVarsFiles(run, play, hosts[0])
    for (const name of Object.keys({ ...play.vars, ...varsFiles })) {
      if (reservedNames.has(name)) {
        run.emit({ type: 'warning', message: `Found variable using reserved name: ${name}` })
      }
    }
    let breakPlaybook = false
    for (const batch of serialBatches(hosts, run.templar.template(play.keywords.serial, vars))) {
      const outcome = await new PlayRun(run, shownPlay, batch, hosts, varsFiles).execute()
      // meta: end_play ends the whole play, not only this batch; the playbook goes on.
      if (outcome.endPlay) break
      if (outcome.breakPlaybook) {
        breakPlaybook = true
        break
      }
    }
    if (breakPlaybook) break
  }
}

/** Run `options.playbook` (ansible-playbook). */
export async function runPlaybook(
  options: RunOptions,
  listener: RunEventListener
): Promise<RunOutcome> {
  const engine = new Engine(options, listener)
  let file = ''
  let plays: Play[] = []
  return engine.run(
    () => {
      file = playbookPath(options)
      return path.dirname(file)
    },
    () => (plays = loadPlaybook(file, message => engine.emit({ type: 'warning', message }))),
    run => runPlays(run, plays)
  )
}

function playbookPath(options: RunOptions): string {
  if (!options.playbook) throw new PlaybookError('no playbook given', undefined, 5)
  const file = path.resolve(options.cwd, options.playbook)
  if (!existsSync(file))
    throw new PlaybookError(`the playbook: ${options.playbook} could not be found`, undefined, 1)
  return file
}

/**
 * Load and validate a playbook without running it (--syntax-check, --list-tasks), reading what
 * ansible-playbook reads for them: the extra vars, the playbook with its imports, and each
 * play's vars_files as Ansible does without a host (a missing file or an undefined variable in
 * its name skips the entry). `warn` hears the load warnings (duplicate YAML keys).
 */
export function loadPlaybookFile(options: RunOptions, warn: (message: string) => void): Play[] {
  const file = playbookPath(options)
  const extraVars = parseExtraVars(options.extraVars, options.cwd, warn)
  const plays = loadPlaybook(file, warn)
  const templar = new Templar({ onWarning: warn })
  for (const play of plays) {
    const vars = { ...play.vars, ...extraVars }
    for (const entry of play.varsFiles) {
      let candidates: string[]
      try {
        candidates = (Array.isArray(entry) ? entry : [entry]).map(name =>
          path.resolve(play.baseDir, String(templar.template(name, vars)))
        )
      } catch {
        continue
      }
      const found = candidates.find(candidate => existsSync(candidate))
      if (found) readYamlFile(found, undefined, warn)
    }
  }
  return plays
}

/** Run one module on the hosts of a pattern (`ansible PATTERN -m MODULE -a ARGS`). */
export async function runAdhoc(
  options: RunOptions,
  listener: RunEventListener
): Promise<RunOutcome> {
  const engine = new Engine(options, listener)
  let play: Play | undefined
  return engine.run(
    () => {
      if (!options.adhoc) throw new PlaybookError('no module given', undefined, 5)
      return options.cwd
    },
    () => {
      const { pattern, module, args } = options.adhoc!
      const taskData: Record<string, unknown> = { [module]: args === '' ? null : args }
      const resolved = resolveAction(taskData, undefined)
      const task: TaskNode = {
        kind: 'task',
        id: newNodeId('t'),
        action: resolved.action,
        module: resolved.action.replace(/^ansible\.(builtin|legacy)\./, ''),
        args: resolved.args,
        keywords: {},
        baseDir: options.cwd
      }
      play = {
        name: `Ansible Ad-Hoc`,
        hosts: pattern,
        keywords: { gather_facts: false },
        vars: {},
        varsFiles: [],
        roles: [],
        preTasks: [],
        tasks: [task],
        postTasks: [],
        handlers: [],
        baseDir: options.cwd
      }
    },
    run => runPlays(run, play ? [play] : [])
  )
}
