// Console output of `kubectl-ansible adhoc` in the layout of Ansible's `minimal` stdout callback,
// the one the `ansible` command uses: one block per host, command output shown as it is
// (`web-1 | CHANGED | rc=0 >>` then stdout), other results as indented JSON, no banners and no
// recap. A user running `adhoc -m shell -a hostname` wants to read the output, not a play.
import type { RunEvent, RunEventListener } from '../executor/events.js'
import { formatWarning } from '../inventory/warnings.js'
import { cleanForDisplay, diffText, noticeText, pythonJson } from './console.js'

/** Modules whose result Ansible prints as raw text (C.MODULE_NO_JSON). */
const RAW_OUTPUT = /^(ansible\.(builtin|legacy)\.)?(command|shell|raw)$/

function rawOutput(host: string, caption: string, result: Record<string, unknown>): string {
  const text = (key: string) => (typeof result[key] === 'string' ? (result[key] as string) : '')
  const rc = typeof result.rc === 'number' ? result.rc : -1
  return `${host} | ${caption} | rc=${rc} >>\n${text('stdout')}${text('stderr')}${text('msg')}\n`
}

export interface MinimalOptions {
  stdout(text: string): void
  stderr(text: string): void
  /** Print diffs (--diff). */
  diff: boolean
}

/** A listener printing an ad-hoc run like `ansible PATTERN -m MODULE`. */
export function minimalReporter(options: MinimalOptions): RunEventListener {
  const line = (text: string) => options.stdout(`${text}\n`)
  return (event: RunEvent) => {
    switch (event.type) {
      case 'host_result': {
        const { host, result, status } = event
        const action = event.task.action
        const json = () => pythonJson(cleanForDisplay(result, action), 4)
        switch (status) {
          case 'unreachable':
            line(`${host} | UNREACHABLE! => ${json()}`)
            break
          case 'skipped':
            line(`${host} | SKIPPED`)
            break
          case 'failed':
            if (RAW_OUTPUT.test(action) && !('module_stderr' in result))
              options.stdout(rawOutput(host, 'FAILED', result))
            else line(`${host} | FAILED! => ${json()}`)
            break
          default: {
            if (options.diff && result.diff !== undefined) {
              const diff = diffText(result.diff)
              if (diff !== '') options.stdout(`${diff}\n`)
            }
            const caption = status === 'changed' ? 'CHANGED' : 'SUCCESS'
            if (RAW_OUTPUT.test(action)) options.stdout(rawOutput(host, caption, result))
            else line(`${host} | ${caption} => ${json()}`)
          }
        }
        break
      }
      case 'no_hosts_matched':
        options.stderr(formatWarning('No hosts matched, nothing to do'))
        break
      case 'warning':
      case 'deprecation':
        options.stderr(noticeText(event))
        break
      default:
        break
    }
  }
}
