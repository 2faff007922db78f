// The shared core of `command` and `shell` (Ansible's shell action is the command module with
// _uses_shell): creates/removes, chdir and the command itself travel in ONE exec, with a random
// marker telling the runner which branch the host took.
import { randomBytes } from 'node:crypto'
import { shellQuote, splitLines } from './remote.js'
import type { ModuleContext, ModuleResult } from './types.js'

/** Quote a creates/removes pattern so the shell still expands its glob characters. */
export function globWord(pattern: string): string {
  return pattern
    .split(/(\[[^\]]*\]|[*?])/)
    .filter(part => part !== '')
    .map(part => (/^(\[[^\]]*\]|[*?])$/.test(part) ? part : shellQuote(part)))
    .join('')
}

function existsTest(pattern: string): string {
  return `( for f in ${globWord(pattern)}; do if [ -e "$f" ] || [ -L "$f" ]; then exit 0; fi; done; exit 1 )`
}

/** Python's shlex.split (POSIX mode): what the command module does to a free-form string. */
export function shlexSplit(text: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (quote === "'") {
      if (char === "'") quote = null
      else word += char
    } else if (quote === '"') {
      if (char === '"') quote = null
      else if (char === '\\' && index + 1 < text.length && '\\"$`\n'.includes(text[index + 1]))
        word += text[++index]
      else word += char
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else if (char === "'" || char === '"') {
      quote = char
      inWord = true
    } else if (char === '\\' && index + 1 < text.length) {
      word += text[++index]
      inWord = true
    } else if (char === '#' && !inWord) {
      break
    } else {
      word += char
      inWord = true
    }
  }
  if (quote) throw new Error('No closing quotation')
  if (inWord) words.push(word)
  return words
}

function timestamp(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0')
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds() * 1000, 6)}`
  )
}

function delta(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  const micros = String((ms % 1000) * 1000).padStart(6, '0')
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}.${micros}`
}

export interface CommandSpec {
  /** What Ansible reports as `cmd`: the argv list (command) or the string (shell). */
  cmd: string[] | string
  /** The shell text that runs it on the host. */
  script: string
  chdir?: string
  creates?: string
  removes?: string
  stdin?: string
  stripEmptyEnds: boolean
}

export async function runCommand(spec: CommandSpec, ctx: ModuleContext): Promise<ModuleResult> {
  const result: ModuleResult = { changed: false, stdout: '', stderr: '', cmd: spec.cmd, msg: '' }
  const marker = `__ka_${randomBytes(8).toString('hex')}__`
  const lines: string[] = []
  if (spec.chdir)
    lines.push(`cd ${shellQuote(spec.chdir)} 2>/dev/null || { echo ${marker}chdir; exit 0; }`)
  if (spec.creates)
    lines.push(`if ${existsTest(spec.creates)}; then echo ${marker}creates; exit 0; fi`)
  if (spec.removes)
    lines.push(`if ! ${existsTest(spec.removes)}; then echo ${marker}removes; exit 0; fi`)
  if (ctx.check) lines.push(`echo ${marker}check; exit 0`)
  else lines.push(`echo ${marker}run`, spec.script)

  const started = new Date()
  const executed = await ctx.connection.exec(lines.join('\n'), {
    stdin: spec.stdin,
    env: ctx.environment,
    timeoutMs: ctx.timeoutMs
  })
  const ended = new Date()
  const newline = executed.stdout.indexOf('\n')
  const branch = executed.stdout.startsWith(marker)
    ? executed.stdout.slice(marker.length, newline)
    : ''
  const shoulda = ctx.check ? 'Would' : 'Did'

  if (branch === 'chdir') {
    return {
      ...result,
      failed: true,
      rc: null,
      stdout_lines: [],
      stderr_lines: [],
      msg: `Unable to change directory before execution: [Errno 2] No such file or directory: b'${spec.chdir}'`
    }
  }
  if (branch === 'creates' || branch === 'removes') {
    const path = branch === 'creates' ? spec.creates : spec.removes
    const state = branch === 'creates' ? 'exists' : 'does not exist'
    const stdout = `skipped, since ${path} ${state}`
    return {
      ...result,
      rc: 0,
      msg: `${shoulda} not run command since '${path}' ${state}`,
      stdout,
      stdout_lines: [stdout],
      stderr_lines: []
    }
  }
  if (branch === 'check') {
    const skipped = spec.creates === undefined && spec.removes === undefined
    return {
      ...result,
      rc: 0,
      changed: !skipped,
      ...(skipped ? { skipped: true } : {}),
      msg: 'Command would have run if not in check mode',
      stdout_lines: [],
      stderr_lines: []
    }
  }
  if (branch !== 'run') {
    throw new Error(
      `the host did not run the command wrapper: ${executed.stderr.trim() || executed.stdout.trim()}`
    )
  }
  let stdout = executed.stdout.slice(newline + 1)
  let stderr = executed.stderr
  if (spec.stripEmptyEnds) {
    stdout = stdout.replace(/[\r\n]+$/, '')
    stderr = stderr.replace(/[\r\n]+$/, '')
  }
  const final: ModuleResult = {
    ...result,
    changed: true,
    rc: executed.rc,
    stdout,
    stderr,
    start: timestamp(started),
    end: timestamp(ended),
    delta: delta(ended.getTime() - started.getTime()),
    stdout_lines: splitLines(stdout),
    stderr_lines: splitLines(stderr)
  }
  if (executed.rc !== 0) return { ...final, failed: true, msg: 'non-zero return code' }
  return final
}
