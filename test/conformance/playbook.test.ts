// Every case of ../shared/conformance/playbook/ through the real engine, compared the way the
// corpus README's "independent check" describes (exit code, play runs, task sequence, per-host
// status and selected result keys, loop items, recap).
import { afterAll, describe, expect, it } from 'vitest'
import type { JsonDocument } from '../../src/report/json.js'
import { cleanup, listCases, runCase, type CaseRun } from './harness.js'

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
