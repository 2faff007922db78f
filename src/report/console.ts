// Console output in the layout of Ansible's `default` stdout callback (what ansible-playbook
// prints): banners padded with `*`, one line per host result, `=> {...}` details for failures,
// debug output and -v, loop items, includes, diffs and the PLAY RECAP table.
import type { HostStats, RunEvent, RunEventListener, TaskInfo } from '../executor/events.js'
import { formatWarning } from '../inventory/warnings.js'
import { unifiedDiff } from './diff.js'

/** Python's json.dumps(sort_keys=True, ensure_ascii=False), optionally indented. */
export function pythonJson(value: unknown, indent?: number, level = 0): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number')
    return Number.isFinite(value) ? JSON.stringify(value) : value > 0 ? 'Infinity' : 'NaN'
  if (typeof value === 'string') return JSON.stringify(value)
  const inner = indent === undefined ? '' : `\n${' '.repeat(indent * (level + 1))}`
  const outer = indent === undefined ? '' : `\n${' '.repeat(indent * level)}`
  const separator = indent === undefined ? ', ' : ','
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[${value.map(item => inner + pythonJson(item, indent, level + 1)).join(separator)}${outer}]`
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
      .filter(key => record[key] !== undefined)
      .sort()
    if (keys.length === 0) return '{}'
    return `{${keys.map(key => `${inner}${JSON.stringify(key)}: ${pythonJson(record[key], indent, level + 1)}`).join(separator)}${outer}}`
  }
  return JSON.stringify(String(value))
}

/** Python's str() of an item label: strings as they are, data as Python prints it. */
function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value
  return pythonRepr(value)
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, entry]) => `${pythonRepr(key)}: ${pythonRepr(entry)}`)
    .join(', ')}}`
}

const COLUMNS = 79

export function banner(text: string): string {
  const stars = Math.max(COLUMNS - text.length, 3)
  return `\n${text} ${'*'.repeat(stars)}`
}

const debugAllowed = new Set(['msg', 'exception', 'warnings', 'deprecations'])
const hiddenInDebug = ['changed', 'failed', 'skipped', 'invocation', 'skip_reason']

/** The result as Ansible's callbacks display it (internal keys, invocation and diff left out). */
export function cleanForDisplay(
  result: Record<string, unknown>,
  action: string
): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(result)) {
    // Warnings were printed on their own (warning events), as the callbacks' _handle_warnings.
    if (
      key.startsWith('_ansible') ||
      ['invocation', 'diff', 'warnings', 'deprecations'].includes(key)
    )
      continue
    copy[key] = value
  }
  if (
    action === 'debug' ||
    action === 'ansible.builtin.debug' ||
    action === 'ansible.legacy.debug'
  ) {
    if ('msg' in copy) {
      for (const key of Object.keys(copy)) if (!debugAllowed.has(key)) delete copy[key]
    } else {
      for (const key of hiddenInDebug) delete copy[key]
    }
  }
  return copy
}

function isInclude(action: string): boolean {
  return /^(ansible\.(builtin|legacy)\.)?include_(tasks|role)$/.test(action)
}

function recapLine(host: string, stats: HostStats): string {
  const field = (name: string, count: number) => `${name}=${String(count).padEnd(4)}`
  return (
    `${host.padEnd(26)} : ${field('ok', stats.ok)} ${field('changed', stats.changed)} ` +
    `${field('unreachable', stats.unreachable)} ${field('failed', stats.failed)} ` +
    `${field('skipped', stats.skipped)} ${field('rescued', stats.rescued)} ${field('ignored', stats.ignored)}`
  )
}

/** A result's `diff` as the unified diff Ansible prints with --diff. */
export function diffText(diff: unknown): string {
  const entries = Array.isArray(diff) ? diff : [diff]
  let text = ''
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue
    const {
      before,
      after,
      before_header: beforeHeader,
      after_header: afterHeader
    } = entry as Record<string, unknown>
    if (typeof before === 'string' || typeof after === 'string') {
      text += unifiedDiff(String(before ?? ''), String(after ?? ''), {
        fromFile: `before${beforeHeader ? `: ${String(beforeHeader)}` : ''}`,
        toFile: `after${afterHeader ? `: ${String(afterHeader)}` : ''}`
      })
    } else if (before !== undefined || after !== undefined) {
      text += unifiedDiff(`${pythonJson(before, 4)}\n`, `${pythonJson(after, 4)}\n`, {
        fromFile: 'before',
        toFile: 'after'
      })
    }
  }
  return text
}

export interface ConsoleOptions {
  stdout(text: string): void
  stderr(text: string): void
  verbosity: number
  /** Print diffs (--diff). */
  diff: boolean
}

/** A listener printing the run like ansible-playbook's default callback. */
/** A warning or deprecation as Ansible prints it on stderr (both output styles share it). */
export function noticeText(event: { type: 'warning' | 'deprecation'; message: string }): string {
  return event.type === 'warning'
    ? formatWarning(event.message)
    : `[DEPRECATION WARNING]: ${event.message}\n`
}

export function consoleReporter(options: ConsoleOptions): RunEventListener {
  const line = (text: string) => options.stdout(`${text}\n`)
  // The default callback's _run_is_verbose and _dump_results: details with -v or when the action
  // asks for them (debug, assert), never for facts gathering; indented when asked for or at -vvv.
  const verbose = (result: Record<string, unknown>) =>
    (options.verbosity > 0 || result._ansible_verbose_always === true) &&
    result._ansible_verbose_override !== true
  const dump = (result: Record<string, unknown>, action: string) =>
    pythonJson(
      cleanForDisplay(result, action),
      result._ansible_verbose_always === true || options.verbosity > 2 ? 4 : undefined
    )
  const hostLabel = (host: string, delegatedTo?: string) =>
    delegatedTo ? `${host} -> ${delegatedTo}` : host
  // Ansible prints each diff followed by an empty line, before the host's status line.
  const printDiff = (diff: unknown) => {
    const text = diffText(diff)
    if (text !== '') options.stdout(`${text}\n`)
  }
  let bannerTask: string | undefined
  const taskBanner = (task: TaskInfo) => {
    if (bannerTask === task.id) return
    bannerTask = task.id
    line(banner(`${task.handler ? 'RUNNING HANDLER' : 'TASK'} [${task.name}]`))
  }

  const printItems = (
    event: Extract<RunEvent, { type: 'host_result' }>,
    items: Record<string, unknown>[]
  ) => {
    const host = hostLabel(event.host, event.delegatedTo)
    for (const item of items) {
      const label = pythonStr(item._ansible_item_label ?? item.item)
      // Item callbacks get a clean copy too: the item's status is the callback, not a key.
      const { failed, skipped, ...shown } = item
      const details = () => dump(shown, event.task.action)
      if (failed === true) {
        line(`failed: [${host}] (item=${label}) => ${details()}`)
      } else if (skipped === true) {
        line(`skipping: [${host}] => (item=${label}) ${verbose(item) ? `=> ${details()}` : ''}`)
      } else {
        if (options.diff && item.diff !== undefined) printDiff(item.diff)
        const status = item.changed === true ? 'changed' : 'ok'
        line(`${status}: [${host}] => (item=${label})${verbose(item) ? ` => ${details()}` : ''}`)
      }
    }
  }

  return (event: RunEvent) => {
    switch (event.type) {
      case 'play_start':
        bannerTask = undefined
        line(banner(`PLAY [${event.play.name}]`))
        break
      case 'no_hosts_matched':
        line('skipping: no hosts matched')
        break
      case 'no_hosts_remaining':
        line(banner('NO MORE HOSTS LEFT'))
        break
      case 'task_start':
        // A meta task is announced once per host it runs for, and Ansible prints each banner.
        if (/^(ansible\.(builtin|legacy)\.)?meta$/.test(event.task.action)) bannerTask = undefined
        taskBanner(event.task)
        break
      case 'include': {
        const label = event.item === undefined ? '' : ` => (item=${pythonStr(event.item)})`
        line(`included: ${event.file} for ${event.hosts.join(', ')}${label}`)
        break
      }
      case 'host_result': {
        taskBanner(event.task)
        const result = event.result
        const host = hostLabel(event.host, event.delegatedTo)
        const items =
          event.items ??
          (Array.isArray(result.results)
            ? (result.results as Record<string, unknown>[])
            : undefined)
        if (isInclude(event.task.action) && event.status !== 'failed' && event.status !== 'skipped')
          break
        if (items && event.status !== 'unreachable') {
          if (items.length > 0 || event.status !== 'skipped') {
            printItems(event, items)
            // A censored (no_log) loop result has no `results`: Ansible prints its own line too.
            if (Array.isArray(result.results)) {
              if (event.status === 'failed' && event.ignored) line('...ignoring')
              break
            }
          }
        }
        const details = () => dump(result, event.task.action)
        switch (event.status) {
          case 'unreachable':
            line(`fatal: [${host}]: UNREACHABLE! => ${details()}`)
            break
          case 'failed':
            line(`fatal: [${host}]: FAILED! => ${details()}`)
            if (event.ignored) line('...ignoring')
            break
          case 'skipped':
            line(`skipping: [${host}]${verbose(result) ? ` => ${details()}` : ''}`)
            break
          default:
            if (options.diff && result.diff !== undefined) printDiff(result.diff)
            line(`${event.status}: [${host}]${verbose(result) ? ` => ${details()}` : ''}`)
        }
        break
      }
      case 'host_retry':
        line(
          `FAILED - RETRYING: [${event.host}]: ${event.taskName} (${event.retriesLeft} retries left).`
        )
        break
      case 'warning':
      case 'deprecation':
        options.stderr(noticeText(event))
        break
      case 'playbook_end':
        // ansible-playbook stops without a recap when an error ends the run.
        if (event.error !== undefined) break
        line(banner('PLAY RECAP'))
        for (const [host, stats] of Object.entries(event.stats)) line(recapLine(host, stats))
        line('')
        break
      default:
        break
    }
  }
}
