// Every case of ../shared/conformance/playbook/ through the real engine, compared the way the
// corpus README's "independent check" describes (exit code, play runs, task sequence, per-host
// status and selected result keys, loop items, recap).
import { afterAll, describe, expect, it } from 'vitest'
import type { JsonDocument } from '../../src/report/json.js'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import {
  cleanup,
  corpusDir,
  listCases,
  runCase,
  runTemplatingCase,
  type CaseRun
} from './harness.js'

type Result = Record<string, unknown>

interface ExpectedTask {
  name: string
  action: string
  results: Record<string, Result>
}

interface ExpectedPlay {
  name: string
  hosts: string[]
  tasks: ExpectedTask[]
}

const comparedKeys = ['rc', 'stdout', 'changed', 'ansible_facts', 'attempts', 'censored']
const itemKeys = ['rc', 'stdout']

function statusOf(result: Result): string {
  if (result.unreachable === true) return 'unreachable'
  if (result.failed === true) return 'failed'
  if (result.skipped === true) return 'skipped'
  if (result.changed === true) return 'changed'
  return 'ok'
}

function isMeta(action: string): boolean {
  return /^(ansible\.(builtin|legacy)\.)?meta$/.test(action)
}

/** Task entries with results, consecutive entries of the same meta task merged. */
function expectedTaskSequence(tasks: ExpectedTask[]): ExpectedTask[] {
  const merged: ExpectedTask[] = []
  for (const task of tasks) {
    if (Object.keys(task.results).length === 0) continue
    const previous = merged[merged.length - 1]
    if (
      previous &&
      isMeta(task.action) &&
      previous.action === task.action &&
      previous.name === task.name
    ) {
      previous.results = { ...previous.results, ...task.results }
      continue
    }
    merged.push({ ...task, results: { ...task.results } })
  }
  return merged
}

function actualTaskSequence(
  play: JsonDocument['plays'][number]
): { name: string; hosts: Record<string, Result> }[] {
  const merged: { name: string; action: string; hosts: Record<string, Result> }[] = []
  for (const task of play.tasks) {
    if (Object.keys(task.hosts).length === 0) continue
    const action = String(Object.values(task.hosts)[0].action ?? '')
    const previous = merged[merged.length - 1]
    if (
      previous &&
      isMeta(action) &&
      previous.action === action &&
      previous.name === task.task.name
    ) {
      previous.hosts = { ...previous.hosts, ...task.hosts }
      continue
    }
    merged.push({ name: task.task.name, action, hosts: { ...task.hosts } })
  }
  return merged
}

function normalised(run: CaseRun, value: unknown): unknown {
  return JSON.parse(run.normalise(JSON.stringify(value ?? null)))
}

/** JSON with sorted keys, so that key order never matters in comparisons. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : entry
  )
}

function compareMessage(
  where: string,
  expected: Result,
  actual: Result,
  status: string,
  problems: string[],
  run: CaseRun
) {
  if (!('msg' in expected)) return
  if (status === 'failed' || status === 'unreachable') {
    if (!('msg' in actual)) problems.push(`${where}: failed result without msg`)
  } else if (canonical(normalised(run, actual.msg)) !== canonical(expected.msg)) {
    problems.push(`${where}: msg ${JSON.stringify(actual.msg)} != ${JSON.stringify(expected.msg)}`)
  }
}

function compareResult(
  where: string,
  expected: Result,
  actual: Result,
  problems: string[],
  run: CaseRun
): void {
  const status = statusOf(actual)
  if (status !== expected.status) {
    problems.push(
      `${where}: status ${status} != ${String(expected.status)} (${JSON.stringify(actual).slice(0, 300)})`
    )
    return
  }
  for (const key of comparedKeys) {
    if (!(key in expected)) continue
    if (canonical(normalised(run, actual[key])) !== canonical(expected[key])) {
      problems.push(
        `${where}: ${key} ${JSON.stringify(actual[key])} != ${JSON.stringify(expected[key])}`
      )
    }
  }
  compareMessage(where, expected, actual, status, problems, run)
  if (Array.isArray(expected.results)) {
    const actualItems = Array.isArray(actual.results) ? (actual.results as Result[]) : []
    if (actualItems.length !== expected.results.length) {
      problems.push(`${where}: ${actualItems.length} loop items != ${expected.results.length}`)
      return
    }
    ;(expected.results as Result[]).forEach((item, index) => {
      const got = actualItems[index]
      const itemWhere = `${where} item ${index}`
      const itemStatus = statusOf(got)
      if (itemStatus !== item.status) {
        problems.push(`${itemWhere}: status ${itemStatus} != ${String(item.status)}`)
        return
      }
      for (const key of itemKeys) {
        if (key in item && canonical(normalised(run, got[key])) !== canonical(item[key])) {
          problems.push(
            `${itemWhere}: ${key} ${JSON.stringify(got[key])} != ${JSON.stringify(item[key])}`
          )
        }
      }
      compareMessage(itemWhere, item, got, itemStatus, problems, run)
    })
  }
}

export function compareRun(run: CaseRun): string[] {
  const problems: string[] = []
  const expected = run.expected
  if (run.exitCode !== expected.rc)
    problems.push(`exit code ${run.exitCode} != ${expected.rc}: ${run.stderr}`)
  const plays = expected.plays as ExpectedPlay[] | undefined
  if (!plays) return problems
  const actualPlays = run.document.plays
  if (actualPlays.length !== plays.length) {
    problems.push(`${actualPlays.length} play runs != ${plays.length}`)
    return problems
  }
  plays.forEach((play, playIndex) => {
    const actualPlay = actualPlays[playIndex]
    if (actualPlay.play.name !== play.name)
      problems.push(`play ${playIndex}: name ${actualPlay.play.name} != ${play.name}`)
    const expectedTasks = expectedTaskSequence(play.tasks)
    const actualTasks = actualTaskSequence(actualPlay)
    const expectedNames = expectedTasks.map(task => task.name)
    const actualNames = actualTasks.map(task => task.name)
    if (JSON.stringify(expectedNames) !== JSON.stringify(actualNames)) {
      problems.push(
        `play ${playIndex}: tasks ${JSON.stringify(actualNames)} != ${JSON.stringify(expectedNames)}`
      )
      return
    }
    expectedTasks.forEach((task, taskIndex) => {
      const actual = actualTasks[taskIndex]
      const where = `play ${playIndex} task '${task.name}'`
      const expectedHosts = Object.keys(task.results).sort()
      const actualHosts = Object.keys(actual.hosts).sort()
      if (JSON.stringify(expectedHosts) !== JSON.stringify(actualHosts)) {
        problems.push(
          `${where}: hosts ${JSON.stringify(actualHosts)} != ${JSON.stringify(expectedHosts)}`
        )
        return
      }
      for (const host of expectedHosts)
        compareResult(`${where} ${host}`, task.results[host], actual.hosts[host], problems, run)
    })
  })
  const recap = expected.recap as Record<string, Record<string, number>>
  const actualRecap = Object.fromEntries(
    Object.entries(run.document.stats).map(([host, stats]) => [
      host,
      {
        changed: stats.changed,
        failed: stats.failures,
        ignored: stats.ignored,
        ok: stats.ok,
        rescued: stats.rescued,
        skipped: stats.skipped,
        unreachable: stats.unreachable
      }
    ])
  )
  if (JSON.stringify(actualRecap) !== JSON.stringify(recap)) {
    problems.push(`recap ${JSON.stringify(actualRecap)} != ${JSON.stringify(recap)}`)
  }
  return problems
}

// The default-callback text, normalised like the corpus (case dir, timestamps, durations).
function consoleText(run: CaseRun): string {
  return comparableText(
    run
      .normalise(run.stdout)
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}/g, '$TIMESTAMP')
      .replace(/"delta": "[^"]*"/g, '"delta": "$DELTA"')
  )
}

// An unreachable host's message is the transport's own (the corpus's is OpenSSH's, which this
// tool never runs): compare UNREACHABLE lines up to the message.
function comparableText(text: string): string {
  return text.replace(/^(fatal: \[[^\]]+\]: UNREACHABLE! =>).*$/gm, '$1 ...')
}

// --list-tasks prints text, not a json document: the README lists it as documentation only.
const cases = listCases('playbook').filter(name => !name.startsWith('tags_list'))
const runs: CaseRun[] = []

afterAll(() => runs.forEach(cleanup))

describe('conformance: playbook', () => {
  it.each(cases)('%s', async name => {
    const run = await runCase('playbook', name)
    runs.push(run)
    expect(compareRun(run)).toEqual([])
    expect(run.normalise(run.stderr)).toBe(run.expected.stderr)
    const text = run.expected.text as { stdout: string } | undefined
    if (text) expect(consoleText(run)).toBe(comparableText(text.stdout))
  })
})

// The templating corpus end to end: each case is a one-task playbook, so it also checks how
// the engine hands values, conditions and warnings to and from the templar.
interface TemplatingExpectation {
  rc: number
  status: 'ok' | 'failed' | 'skipped' | 'error'
  result?: unknown
  result_type?: string
  ran?: boolean
  error?: string | null
  stderr?: string
}

function jsonType(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'string') return 'str'
  return Array.isArray(value) ? 'list' : 'dict'
}

function compareTemplating(run: CaseRun, expected: TemplatingExpectation, kind: string): string[] {
  const problems: string[] = []
  if (run.exitCode !== expected.rc)
    problems.push(`exit code ${run.exitCode} != ${expected.rc}: ${run.stderr}`)
  if (expected.status === 'error') return problems
  const result = run.document.plays[0]?.tasks[0]?.hosts.localhost
  if (!result) return [...problems, 'no task result']
  const status = statusOf(result)
  if (status !== expected.status) {
    problems.push(`status ${status} != ${expected.status}: ${JSON.stringify(result).slice(0, 300)}`)
    return problems
  }
  if (status === 'failed' && expected.error && !result.msg)
    problems.push('failed without a message')
  if (kind === 'template' && status === 'ok') {
    // The corpus writes Python object addresses as `at 0x$ADDR>` (see its README).
    const msg = JSON.parse(
      JSON.stringify(result.msg ?? null).replace(/ at 0x[0-9a-f]+>/g, ' at 0x$ADDR>')
    ) as unknown
    const type = jsonType(msg)
    const sameType =
      type === expected.result_type ||
      (type === 'int' && expected.result_type === 'float' && Number.isInteger(expected.result))
    if (!sameType || canonical(msg) !== canonical(expected.result)) {
      problems.push(
        `msg ${canonical(msg)} (${type}) != ${canonical(expected.result)} (${expected.result_type})`
      )
    }
  }
  return problems
}

const templatingCases = readdirSync(path.join(corpusDir, 'templating'))
  .filter(file => file.endsWith('.json'))
  .sort()

describe('conformance: templating cases through the engine', () => {
  it.each(templatingCases)('%s', async file => {
    const run = await runTemplatingCase(file)
    runs.push(run)
    const data = JSON.parse(readFileSync(path.join(corpusDir, 'templating', file), 'utf8')) as {
      kind: string
      expected: TemplatingExpectation
    }
    expect(compareTemplating(run, data.expected, data.kind)).toEqual([])
    expect(run.normalise(run.stderr)).toBe(data.expected.stderr ?? '')
  })
})
