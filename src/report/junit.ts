// JUnit XML of a run, for test-report actions: one <testsuite> per play run, one <testcase> per
// task and host (classname = host, name = task), failures with message and output, skipped
// tasks as <skipped/>, unreachable hosts as <error/>. `file`/`line` point at the task.
import type { HostTaskResult, RecordedPlay, RecordedTask, Recording } from './recorder.js'

/** Output kept per test case; the full result stays in the JSON report. */
const MAX_OUTPUT_CHARS = 64 * 1024

export function renderJunit(recording: Recording, suiteName = 'kubectl-ansible'): string {
  const suites = recording.plays.map((play, index) => suite(play, index))
  const totals = suites.reduce(
    (sum, s) => ({
      tests: sum.tests + s.tests,
      failures: sum.failures + s.failures,
      errors: sum.errors + s.errors
    }),
    { tests: 0, failures: 0, errors: 0 }
  )
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${attr(suiteName)}" tests="${totals.tests}" failures="${totals.failures}" ` +
    `errors="${totals.errors}" time="${seconds(recording.durationMs)}">\n` +
    suites.map(s => s.xml).join('') +
    '</testsuites>\n'
  )
}

interface SuiteXml {
  xml: string
  tests: number
  failures: number
  errors: number
}

function suite(play: RecordedPlay, index: number): SuiteXml {
  const cases: string[] = []
  let failures = 0
  let errors = 0
  let skipped = 0
  for (const task of play.tasks) {
    for (const [host, result] of task.results) {
      if (result.status === 'failed' && !result.ignored) failures++
      if (result.status === 'unreachable' && !result.ignored) errors++
      if (result.status === 'skipped') skipped++
      cases.push(testCase(task, host, result))
    }
  }
  const xml =
    `  <testsuite name="${attr(play.info.name || `play ${index + 1}`)}" id="${index}" tests="${cases.length}" ` +
    `failures="${failures}" errors="${errors}" skipped="${skipped}" ` +
    `time="${seconds(play.finishedAt - play.startedAt)}" timestamp="${new Date(play.startedAt).toISOString()}">\n` +
    cases.join('') +
    '  </testsuite>\n'
  return { xml, tests: cases.length, failures, errors }
}

function testCase(task: RecordedTask, host: string, hostResult: HostTaskResult): string {
  const position = task.info.position
  const location = position ? ` file="${attr(position.file)}" line="${position.line}"` : ''
  const name = task.info.name || task.info.action
  const open = `    <testcase classname="${attr(host)}" name="${attr(name)}" time="${seconds(hostResult.durationMs)}"${location}`
  const result = hostResult.result
  const message =
    typeof result.msg === 'string'
      ? result.msg
      : result.msg === undefined
        ? ''
        : JSON.stringify(result.msg)
  const output = outputOf(result)
  const systemOut = output ? `      <system-out>${text(output)}</system-out>\n` : ''
  if (
    hostResult.ignored &&
    (hostResult.status === 'failed' || hostResult.status === 'unreachable')
  ) {
    return `${open}>\n${systemOut}      <properties><property name="ignored" value="true"/></properties>\n    </testcase>\n`
  }
  switch (hostResult.status) {
    case 'failed':
      return `${open}>\n      <failure message="${attr(message)}" type="failed">${text(output || message)}</failure>\n    </testcase>\n`
    case 'unreachable':
      return `${open}>\n      <error message="${attr(message)}" type="unreachable">${text(message)}</error>\n    </testcase>\n`
    case 'skipped': {
      const reason = typeof result.skip_reason === 'string' ? result.skip_reason : message
      return `${open}>\n      <skipped message="${attr(reason)}"/>\n    </testcase>\n`
    }
    default:
      return systemOut ? `${open}>\n${systemOut}    </testcase>\n` : `${open}/>\n`
  }
}

function outputOf(result: Record<string, unknown>): string {
  const parts: string[] = []
  if (typeof result.rc === 'number') parts.push(`rc: ${result.rc}`)
  for (const key of ['stdout', 'stderr']) {
    if (typeof result[key] === 'string' && result[key] !== '')
      parts.push(`${key}:\n${result[key] as string}`)
  }
  const joined = parts.join('\n')
  return joined.length > MAX_OUTPUT_CHARS ? `…${joined.slice(-MAX_OUTPUT_CHARS)}` : joined
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3)
}

/** XML 1.0 forbids most control characters even escaped: replace them. */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
}

function text(value: string): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;')
}
