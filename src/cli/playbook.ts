// `kubectl-ansible playbook` and `kubectl-ansible adhoc`: parse the options (src/cli/args.ts),
// run the engine with the console reporter (ad-hoc: the `ansible` command's minimal one; the json
// one with --json), and return
// ansible-playbook's exit code. --syntax-check, --list-tasks and --list-hosts print what
// ansible-playbook prints and run nothing.
import path from 'node:path'
import { parseRunArgs, type ParsedRunArgs } from './args.js'
import type { CliIO } from './io.js'
import { usage } from './usage.js'
import { loadPlaybookFile, runAdhoc, runPlaybook, type RunOutcome } from '../executor/index.js'
import type { RunEventListener } from '../executor/events.js'
import { shouldRun } from '../executor/tags.js'
import { inheritedTags } from '../executor/inherit.js'
import { formatWarning } from '../inventory/index.js'
import { loadCliInventory } from './inventory-load.js'
import { errorLine, PlaybookError } from '../playbook/errors.js'
import type { Play, PlayItem, TaskNode } from '../playbook/objects.js'
import { consoleReporter } from '../report/console.js'
import { JsonReporter } from '../report/json.js'
import { minimalReporter } from '../report/minimal.js'

async function execute(
  parsed: ParsedRunArgs,
  io: CliIO,
  run: (listener: RunEventListener) => Promise<RunOutcome>,
  adhoc = false
): Promise<number> {
  const streams = { stdout: io.stdout, stderr: io.stderr, diff: parsed.options.diff }
  const json = parsed.json ? new JsonReporter() : undefined
  const listener: RunEventListener = json
    ? event => {
        json.listener(event)
        // The json callback shows a result's warnings in the document, not on stderr.
        if (event.type === 'warning' && !event.fromResult) io.stderr(formatWarning(event.message))
      }
    : adhoc
      ? minimalReporter(streams)
      : consoleReporter({ ...streams, verbosity: parsed.options.verbosity })
  const outcome = await run(listener)
  if (outcome.error) io.stderr(errorLine(outcome.error))
  if (json && !(outcome.error && json.document.plays.length === 0)) io.stdout(json.render())
  return outcome.exitCode
}

function taskLabel(task: TaskNode): string {
  const name =
    typeof task.keywords.name === 'string' && task.keywords.name !== ''
      ? task.keywords.name
      : task.action
  return task.role ? `${task.role.name} : ${name}` : name
}

function listedTasks(items: PlayItem[], parsed: ParsedRunArgs, lines: string[]): void {
  for (const item of items) {
    if (item.kind === 'block') {
      listedTasks([...item.block, ...item.rescue, ...item.always], parsed, lines)
      continue
    }
    if (item.module === 'meta') continue
    const tags = inheritedTags(item, value => value)
    if (!shouldRun(tags, { only: parsed.options.tags, skip: parsed.options.skipTags })) continue
    lines.push(`      ${taskLabel(item)}\tTAGS: [${[...tags].sort().join(', ')}]`)
  }
}

function playTags(play: Play): string {
  const tags = play.keywords.tags
  const list = tags === undefined || tags === null ? [] : Array.isArray(tags) ? tags : [tags]
  return `[${list.map(String).join(', ')}]`
}

async function listPlays(parsed: ParsedRunArgs, io: CliIO, plays: Play[]): Promise<void> {
  const inventory = parsed.listHosts
    ? await loadCliInventory(parsed.options.inventorySources, parsed.options)
    : undefined
  const lines = ['', `playbook: ${parsed.options.playbook ?? ''}`]
  plays.forEach((play, index) => {
    lines.push('', `  play #${index + 1} (${play.hosts}): ${play.name}\tTAGS: ${playTags(play)}`)
    if (inventory) {
      const hosts = inventory.listHosts(play.hosts, { limit: parsed.options.limit })
      lines.push(
        `    pattern: ['${play.hosts}']`,
        `    hosts (${hosts.length}):`,
        ...hosts.map(host => `      ${host}`)
      )
    }
    if (parsed.listTasks) {
      lines.push('    tasks:')
      listedTasks([...play.preTasks, ...play.tasks, ...play.postTasks], parsed, lines)
    }
  })
  io.stdout(`${lines.join('\n')}\n`)
}

export async function runPlaybookCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseRunArgs(argv, 'playbook', io.cwd, io.env)
  if (parsed.help) {
    io.stdout(usage)
    return 0
  }
  if (parsed.syntaxCheck || parsed.listTasks || parsed.listHosts) {
    try {
      const warned = new Set<string>()
      const plays = loadPlaybookFile(parsed.options, message => {
        if (warned.has(message)) return
        warned.add(message)
        io.stderr(formatWarning(message))
      })
      if (parsed.syntaxCheck && !parsed.listTasks && !parsed.listHosts) {
        io.stdout(`\nplaybook: ${parsed.options.playbook ?? ''}\n`)
      } else {
        await listPlays(parsed, io, plays)
      }
      return 0
    } catch (error) {
      if (error instanceof PlaybookError) {
        io.stderr(errorLine(error.describe()))
        return error.exitCode
      }
      if (error instanceof Error && /Inventory|HostPattern/.test(error.name)) {
        io.stderr(errorLine(error.message))
        return 1
      }
      throw error
    }
  }
  parsed.options.playbook = path.normalize(parsed.options.playbook ?? '')
  return execute(parsed, io, listener => runPlaybook(parsed.options, listener))
}

export async function runAdhocCommand(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseRunArgs(argv, 'adhoc', io.cwd, io.env)
  if (parsed.help) {
    io.stdout(usage)
    return 0
  }
  if (parsed.listHosts && parsed.options.adhoc) {
    const inventory = await loadCliInventory(parsed.options.inventorySources, parsed.options)
    const hosts = inventory.listHosts(parsed.options.adhoc.pattern, { limit: parsed.options.limit })
    io.stdout(`  hosts (${hosts.length}):\n${hosts.map(host => `    ${host}\n`).join('')}`)
    return 0
  }
  return execute(parsed, io, listener => runAdhoc(parsed.options, listener), true)
}
