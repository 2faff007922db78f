// The job summary (Markdown) of a run: headline, PLAY RECAP, task × host matrix, failures with
// their stderr, diffs, slowest tasks. It must stay readable for hundreds of hosts and under
// GitHub's 1 MiB step-summary limit: hosts with identical outcomes share one matrix column,
// identical failures and diffs are shown once with their hosts, and every section has a budget.
import path from 'node:path'
import type { HostStatus } from '../executor/events.js'
import { unifiedDiff } from './diff.js'
import {
  BoundedSection,
  cell,
  codeBlock,
  details,
  formatDuration,
  table,
  tail
} from './markdown.js'
import { preview, runTotals, statsOf } from './recap.js'
import {
  groupFailures,
  type HostTaskResult,
  type RecordedTask,
  type Recording
} from './recorder.js'

export interface SummaryOptions {
  /** What ran, e.g. the playbook path or `module: shell`. */
  title: string
  diff: boolean
  check: boolean
  kubectlVersion?: string
  /** `i/n` when the run was one shard of a fleet. */
  shard?: string
  /** Report file shown in the footer. */
  reportPath?: string
  /** Why the run stopped before or while running (bad playbook, inventory error, crash). */
  error?: string
  /** Task positions inside this directory (the workspace) are shown relative to it. */
  baseDir?: string
  maxBytes?: number
}

/** GitHub rejects step summaries over 1 MiB; keep a margin for the runner's own framing. */
export const MAX_SUMMARY_BYTES = 1000 * 1024
/** Up to this many hosts get one matrix column each; more are grouped by identical outcome. */
const MAX_HOST_COLUMNS = 12
/** Above this many hosts the recap table is collapsed. */
const COLLAPSE_RECAP_HOSTS = 20
const MAX_HOST_GROUPS = 10
const STDERR_TAIL_LINES = 20
const STREAM_TAIL_CHARS = 4000
const SLOWEST_TASKS = 10

const MARKS: Record<HostStatus | 'ignored' | 'none' | 'mixed', string> = {
  ok: '✅',
  changed: '🟡',
  failed: '❌',
  skipped: '⏭️',
  unreachable: '🚫',
  ignored: '⚠️',
  none: '·',
  mixed: '🔀'
}

export function renderSummary(recording: Recording, options: SummaryOptions): string {
  const maxBytes = options.maxBytes ?? MAX_SUMMARY_BYTES
  // Shares of the budget, most important first; the headline and recap are small.
  const sections = [
    headline(recording, options),
    recapSection(recording, Math.floor(maxBytes * 0.15)),
    failuresSection(recording, Math.floor(maxBytes * 0.3), options.baseDir),
    matrixSection(recording, Math.floor(maxBytes * 0.25)),
    options.diff ? diffsSection(recording, Math.floor(maxBytes * 0.2)) : '',
    slowestSection(recording),
    warningsSection(recording, Math.floor(maxBytes * 0.03)),
    footer(recording, options)
  ]
  const markdown = sections.filter(section => section !== '').join('\n')
  if (Buffer.byteLength(markdown) <= maxBytes) return markdown
  // Only reachable with a tiny maxBytes: the section budgets add up to less than the whole.
  return `${headline(recording, options)}\n_The summary exceeded ${maxBytes} bytes; see the report file._\n`
}

function headline(recording: Recording, options: SummaryOptions): string {
  const totals = runTotals(recording)
  const errored = options.error !== undefined || (recording.exitCode ?? 0) !== 0
  const icon =
    totals.failed + totals.unreachable > 0 || errored ? '❌' : totals.changed > 0 ? '🟡' : '✅'
  const mode = [options.check ? 'check mode' : '', options.shard ? `shard ${options.shard}` : '']
    .filter(Boolean)
    .map(text => ` · _${text}_`)
    .join('')
  const counts = [
    `**${totals.hosts} host${totals.hosts === 1 ? '' : 's'}**`,
    `${MARKS.ok} ${totals.ok} ok`,
    `${MARKS.changed} ${totals.changed} changed`,
    `${MARKS.failed} ${totals.failed} failed`,
    `${MARKS.unreachable} ${totals.unreachable} unreachable`,
    `⏱️ ${formatDuration(recording.durationMs)}`,
    `${recording.kubectlProcesses} kubectl process${recording.kubectlProcesses === 1 ? '' : 'es'} started`
  ]
  const unfinished = recording.finished
    ? ''
    : '\n> [!WARNING]\n> The run did not finish; counts cover what ran.\n'
  const error =
    options.error === undefined
      ? ''
      : `\n> [!CAUTION]\n> The run stopped with an error (exit code ${recording.exitCode ?? 'unknown'}):\n\n${codeBlock(tail(options.error, 40, 8000))}`
  return `## ${icon} kubectl-ansible: ${cell(options.title)}${mode}\n\n${counts.join(' · ')}\n${unfinished}${error}`
}

function recapSection(recording: Recording, budget: number): string {
  if (recording.hosts.length === 0) return '### PLAY RECAP\n\nNo hosts matched.\n'
  const keys = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'] as const
  const rows = new BoundedSection(budget)
  const hosts = [...recording.hosts].sort()
  const lines = hosts.map(host => {
    const stats = statsOf(recording, host)
    const mark =
      stats.failed > 0
        ? MARKS.failed
        : stats.unreachable > 0
          ? MARKS.unreachable
          : stats.changed > 0
            ? MARKS.changed
            : MARKS.ok
    return `| ${mark} ${cell(host)} | ${keys.map(key => (stats[key] > 0 && key !== 'ok' ? `**${stats[key]}**` : `${stats[key]}`)).join(' | ')} |\n`
  })
  lines.forEach(line => rows.add(line))
  const header = `| host | ${keys.join(' | ')} |\n|---|${keys.map(() => '---:').join('|')}|\n`
  const body = header + rows.text(count => `${count} more hosts in the report file`)
  if (hosts.length <= COLLAPSE_RECAP_HOSTS) return `### PLAY RECAP\n\n${body}`
  return `### PLAY RECAP\n\n${details(`${hosts.length} hosts`, body)}`
}

/** One matrix column per host, or per group of hosts whose outcomes are identical. */
interface MatrixColumn {
  label: string
  hosts: string[]
}

function matrixSection(recording: Recording, budget: number): string {
  const tasks = recording.plays.flatMap(play =>
    play.tasks.map(task => ({ play: play.info.name, task }))
  )
  if (tasks.length === 0 || recording.hosts.length === 0) return ''
  const columns = matrixColumns(
    recording,
    tasks.map(t => t.task)
  )
  const rows = new BoundedSection(budget)
  const header = `| task | ${columns.map(column => column.label).join(' | ')} |\n|---|${columns.map(() => ':---:').join('|')}|\n`
  let currentPlay: string | undefined
  for (const { play, task } of tasks) {
    if (play !== currentPlay) {
      currentPlay = play
      rows.add(`| **PLAY [${cell(play)}]** |${columns.map(() => ' ').join('|')}|\n`)
    }
    const name = `${cell(task.info.name || task.info.action)}${task.info.handler ? ' _(handler)_' : ''}`
    rows.add(`| ${name} | ${columns.map(column => columnMark(task, column)).join(' | ')} |\n`)
  }
  const legend = Object.entries(MARKS)
    .map(([status, symbol]) => `${symbol} ${status === 'none' ? 'no result' : status}`)
    .join(' · ')
  const grouped = columns.some(column => column.hosts.length > 1)
  const groupList = grouped
    ? '\n' +
      columns
        .map(column => `- **${column.label}**: ${cell(preview(column.hosts, 20))}`)
        .join('\n') +
      '\n'
    : ''
  const body = `${header}${rows.text(count => `${count} more tasks in the report file`)}\n${legend}\n${groupList}`
  const collapse = grouped || tasks.length > 30
  return `### Tasks × hosts\n\n${collapse ? details(`${tasks.length} tasks on ${recording.hosts.length} hosts`, body, true) : body}`
}

function matrixColumns(recording: Recording, tasks: RecordedTask[]): MatrixColumn[] {
  if (recording.hosts.length <= MAX_HOST_COLUMNS) {
    return recording.hosts.map(host => ({ label: cell(host), hosts: [host] }))
  }
  const bySignature = new Map<string, string[]>()
  for (const host of recording.hosts) {
    const signature = tasks.map(task => mark(task.results.get(host))).join('')
    bySignature.set(signature, [...(bySignature.get(signature) ?? []), host])
  }
  // Biggest groups first; the rest (rare outcomes) are merged so the table keeps its width.
  const groups = [...bySignature.values()].sort((a, b) => b.length - a.length)
  const kept = groups.slice(0, MAX_HOST_GROUPS)
  return kept
    .map((hosts, index) => ({
      label: `${String.fromCharCode(65 + index)} (${hosts.length})`,
      hosts
    }))
    .concat(
      groups.length > MAX_HOST_GROUPS
        ? [
            {
              label: `other (${groups.slice(MAX_HOST_GROUPS).flat().length})`,
              hosts: groups.slice(MAX_HOST_GROUPS).flat()
            }
          ]
        : []
    )
}

/** The column's mark for a task; the merged `other` column may hold differing outcomes. */
function columnMark(task: RecordedTask, column: MatrixColumn): string {
  const marks = new Set(column.hosts.map(host => mark(task.results.get(host))))
  return marks.size === 1 ? [...marks][0] : MARKS.mixed
}

function mark(result: HostTaskResult | undefined): string {
  if (!result) return MARKS.none
  if (result.ignored && (result.status === 'failed' || result.status === 'unreachable'))
    return MARKS.ignored
  return MARKS[result.status]
}

interface FailureDetails {
  message: string
  stderr?: string
  stdout?: string
  rc?: number
}

/** The message and streams of a failed result; for loops, those of the first failed item. */
function failureDetails(result: Record<string, unknown>): FailureDetails {
  const items = Array.isArray(result.results) ? (result.results as Record<string, unknown>[]) : []
  const failedItem = items.find(
    item => typeof item === 'object' && item !== null && item.failed === true
  )
  const source = failedItem ?? result
  const text = (value: unknown): string | undefined =>
    value === undefined || value === null || value === ''
      ? undefined
      : typeof value === 'string'
        ? value
        : JSON.stringify(value)
  const message = text(result.msg) ?? text(source.msg) ?? 'failed without a message'
  const itemNote =
    failedItem && source !== result && text(source.msg) && text(source.msg) !== message
      ? `\n${text(source.msg)}`
      : ''
  return {
    message: message + itemNote,
    stderr: text(source.stderr),
    stdout: text(source.stdout),
    rc: typeof source.rc === 'number' ? source.rc : undefined
  }
}

function failuresSection(recording: Recording, budget: number, baseDir?: string): string {
  const groups = groupFailures(recording, result => failureDetails(result.result))
  if (groups.length === 0) return ''
  const section = new BoundedSection(budget)
  let index = 0
  for (const group of groups.values()) {
    const position = group.task.info.position
    const where = position
      ? ` — \`${cell(shownPath(position.file, baseDir))}:${position.line}\``
      : ''
    const who = `${group.hosts.length === 1 ? '' : `${group.hosts.length} hosts: `}${cell(preview(group.hosts))}`
    const summary = `${MARKS[group.status]} <b>${cell(group.task.info.name || group.task.info.action)}</b> on ${who}`
    const body = [
      `${group.status === 'unreachable' ? 'Unreachable' : 'Failed'}${group.detail.rc === undefined ? '' : ` (rc ${group.detail.rc})`}${where}`,
      '',
      codeBlock(tail(group.detail.message, STDERR_TAIL_LINES, STREAM_TAIL_CHARS)),
      group.detail.stderr
        ? `stderr:\n\n${codeBlock(tail(group.detail.stderr, STDERR_TAIL_LINES, STREAM_TAIL_CHARS))}`
        : '',
      group.detail.stdout && !group.detail.stderr
        ? `stdout:\n\n${codeBlock(tail(group.detail.stdout, STDERR_TAIL_LINES, STREAM_TAIL_CHARS))}`
        : '',
      group.hosts.length > 5 ? `All hosts: ${cell(group.hosts.join(', '))}\n` : ''
    ]
      .filter(part => part !== '')
      .join('\n')
    section.add(details(summary, body, index < 5))
    index++
  }
  return `### Failures\n\n${section.text(count => `${count} more failures in the report file`)}`
}

function diffsSection(recording: Recording, budget: number): string {
  const groups = new Map<string, { task: RecordedTask; hosts: string[] }>()
  for (const play of recording.plays) {
    for (const task of play.tasks) {
      for (const [host, result] of task.results) {
        const text = diffText(result.result)
        if (text === '') continue
        const group = groups.get(`${task.info.id}\0${text}`) ?? { task, hosts: [] }
        group.hosts.push(host)
        groups.set(`${task.info.id}\0${text}`, group)
      }
    }
  }
  if (groups.size === 0) return ''
  const section = new BoundedSection(budget)
  for (const [key, group] of groups) {
    const text = key.slice(key.indexOf('\0') + 1)
    const who = `${group.hosts.length === 1 ? '' : `${group.hosts.length} hosts: `}${cell(preview(group.hosts))}`
    section.add(
      details(
        `<b>${cell(group.task.info.name || group.task.info.action)}</b> on ${who}`,
        codeBlock(tail(text, 400, 20_000), 'diff')
      )
    )
  }
  return `### Diffs\n\n${section.text(count => `${count} more diffs in the report file`)}`
}

/** Unified diff text of a result's `diff` (dict, list of dicts, or per loop item). */
function diffText(result: Record<string, unknown>): string {
  const entries: unknown[] = []
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) entries.push(...value)
    else if (value !== undefined && value !== null) entries.push(value)
  }
  collect(result.diff)
  if (Array.isArray(result.results)) {
    for (const item of result.results)
      if (typeof item === 'object' && item !== null) collect((item as Record<string, unknown>).diff)
  }
  return entries.map(entryText).filter(Boolean).join('')
}

function entryText(entry: unknown): string {
  if (typeof entry !== 'object' || entry === null) return ''
  const {
    before,
    after,
    before_header: beforeHeader,
    after_header: afterHeader,
    prepared
  } = entry as Record<string, unknown>
  if (typeof prepared === 'string') return prepared.endsWith('\n') ? prepared : `${prepared}\n`
  const asText = (value: unknown): string =>
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value !== null
        ? Object.entries(value)
            .map(
              ([key, inner]) =>
                `${key}: ${typeof inner === 'string' ? inner : JSON.stringify(inner)}\n`
            )
            .join('')
        : ''
  const fromFile = typeof beforeHeader === 'string' ? beforeHeader : 'before'
  const toFile = typeof afterHeader === 'string' ? afterHeader : 'after'
  return unifiedDiff(asText(before), asText(after), { fromFile, toFile })
}

function slowestSection(recording: Recording): string {
  const tasks = recording.plays
    .flatMap(play => play.tasks)
    .filter(task => task.results.size > 0)
    .map(task => {
      let slowestHost = ''
      let slowestMs = -1
      for (const [host, result] of task.results) {
        if (result.durationMs > slowestMs) [slowestHost, slowestMs] = [host, result.durationMs]
      }
      return {
        task,
        wallMs: Math.max(task.finishedAt - task.startedAt, slowestMs),
        slowestHost,
        slowestMs
      }
    })
    .sort((a, b) => b.wallMs - a.wallMs)
    .slice(0, SLOWEST_TASKS)
  if (tasks.length === 0) return ''
  const rows = tasks.map(({ task, wallMs, slowestHost, slowestMs }) => [
    cell(task.info.name || task.info.action),
    formatDuration(wallMs),
    `${cell(slowestHost)} (${formatDuration(slowestMs)})`,
    String(task.results.size)
  ])
  return `### Slowest tasks\n\n${table(['task', 'wall time', 'slowest host', 'hosts'], rows)}`
}

function warningsSection(recording: Recording, budget: number): string {
  const messages = [
    ...recording.warnings.map(m => `⚠️ ${m}`),
    ...recording.deprecations.map(m => `🗑️ ${m}`)
  ]
  if (messages.length === 0) return ''
  const section = new BoundedSection(budget)
  for (const message of messages) section.add(`- ${cell(message)}\n`)
  return `### Warnings\n\n${section.text(count => `${count} more warnings in the report file`)}`
}

function footer(recording: Recording, options: SummaryOptions): string {
  const parts = [
    options.kubectlVersion ? `kubectl ${cell(options.kubectlVersion)}` : '',
    `${recording.kubectlProcesses} kubectl processes`,
    recording.exitCode === undefined ? '' : `exit code ${recording.exitCode}`,
    options.reportPath ? `report: \`${cell(options.reportPath)}\`` : ''
  ].filter(Boolean)
  return `<sub>${parts.join(' · ')}</sub>\n`
}

function shownPath(file: string, baseDir: string | undefined): string {
  if (baseDir === undefined) return file
  const relative = path.relative(baseDir, path.resolve(baseDir, file))
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative
}
