// Runs one conformance case (playbook/ or modules/ layout) through the real engine, the way
// the corpus was recorded: the case copied into a fresh directory (15-character path, like the
// recording), work/ and out/ recreated from the snapshots, the case's own command line parsed
// by the CLI's option parser, and the stock-json-callback document collected from the events.
import {
  cpSync,
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseRunArgs } from '../../src/cli/args.js'
import type { RunEvent } from '../../src/executor/events.js'
import { runPlaybook } from '../../src/executor/index.js'
import { errorLine } from '../../src/playbook/errors.js'
import { consoleReporter } from '../../src/report/console.js'
import { JsonReporter, type JsonDocument } from '../../src/report/json.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const corpusDir = path.resolve(repoRoot, '../shared/conformance')

export type SnapshotEntry =
  | { type: 'file'; mode: string; size?: number; content?: string; content_base64?: string }
  | { type: 'directory'; mode: string }
  | { type: 'link'; target: string }

export type Snapshot = Record<string, SnapshotEntry>

export interface CaseExpectation {
  description: string
  command: { argv: string[]; extra_env?: Record<string, string> }
  rc: number
  stderr: string
  stdout?: string
  work_before?: Snapshot
  out_before?: Snapshot
  file_modes?: Record<string, string>
  [key: string]: unknown
}

export interface CaseRun {
  /** The temporary case directory (its path is `$CASE_DIR` in the expectations). */
  dir: string
  expected: CaseExpectation
  exitCode: number
  /** The json-callback document; undefined when the command printed text (--list-tasks). */
  document: JsonDocument
  /** Default-callback console text (what `ansible-playbook` prints on stdout). */
  stdout: string
  stderr: string
  events: RunEvent[]
  /** Replace the case directory by `$CASE_DIR`, as the corpus normalises recorded text. */
  normalise(text: string): string
}

export function listCases(category: 'playbook' | 'modules'): string[] {
  return readdirSync(path.join(corpusDir, category)).sort()
}

export function readExpectation(category: string, name: string): CaseExpectation {
  return JSON.parse(
    readFileSync(path.join(corpusDir, category, name, 'expected.json'), 'utf8')
  ) as CaseExpectation
}

/** Recreate a snapshot (work_before / out_before) under `dir`. */
export function restoreSnapshot(dir: string, snapshot: Snapshot | undefined): void {
  mkdirSync(dir, { recursive: true })
  if (!snapshot) return
  const entries = Object.entries(snapshot).sort(
    ([a], [b]) => a.split('/').length - b.split('/').length
  )
  for (const [relative, entry] of entries) {
    const target = path.join(dir, relative)
    mkdirSync(path.dirname(target), { recursive: true })
    if (entry.type === 'directory') {
      mkdirSync(target, { recursive: true })
      chmodSync(target, parseInt(entry.mode, 8))
    } else if (entry.type === 'link') {
      symlinkSync(entry.target, target)
    } else {
      const data =
        entry.content_base64 !== undefined
          ? Buffer.from(entry.content_base64, 'base64')
          : Buffer.from(entry.content ?? '')
      writeFileSync(target, data)
      chmodSync(target, parseInt(entry.mode, 8))
    }
  }
}

/** The state of `dir` in the corpus snapshot format (paths relative, modes 4-digit octal). */
export function snapshotDir(dir: string): Snapshot {
  const snapshot: Snapshot = {}
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name)
      const relative = path.relative(dir, full)
      const stat = lstatSync(full)
      const mode = (stat.mode & 0o7777).toString(8).padStart(4, '0')
      if (stat.isSymbolicLink()) snapshot[relative] = { type: 'link', target: readlinkSync(full) }
      else if (stat.isDirectory()) {
        snapshot[relative] = { type: 'directory', mode }
        walk(full)
      } else {
        const data = readFileSync(full)
        const text = data.toString('utf8')
        const isText = Buffer.from(text, 'utf8').equals(data)
        snapshot[relative] = isText
          ? { type: 'file', mode, size: data.length, content: text }
          : { type: 'file', mode, size: data.length, content_base64: data.toString('base64') }
      }
    }
  }
  walk(dir)
  return snapshot
}

/** A fresh directory whose absolute path is 15 characters long, like the recording's. */
function caseDirectory(): string {
  return mkdtempSync('/tmp/kan-')
}

/** Run `argv` (an ansible-playbook command line) in `dir` through the engine. */
async function runInDir(dir: string, expected: CaseExpectation): Promise<CaseRun> {
  const [, ...argv] = expected.command.argv
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...(expected.command.extra_env ?? {})
  }
  const parsed = parseRunArgs(argv, 'playbook', dir, env)
  const json = new JsonReporter()
  let stdout = ''
  let stderr = ''
  const events: RunEvent[] = []
  const console = consoleReporter({
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    verbosity: parsed.options.verbosity,
    diff: parsed.options.diff
  })
  const outcome = await runPlaybook(parsed.options, event => {
    events.push(event)
    json.listener(event)
    console(event)
  })
  if (outcome.error) stderr += errorLine(outcome.error)
  const normalise = (text: string) => text.split(dir).join('$CASE_DIR')
  return {
    dir,
    expected,
    exitCode: outcome.exitCode,
    document: json.document,
    stdout,
    stderr,
    events,
    normalise
  }
}

/** A templating case (one JSON file holding playbook.yml and inventory.ini) run end to end. */
export async function runTemplatingCase(file: string): Promise<CaseRun> {
  const data = JSON.parse(readFileSync(path.join(corpusDir, 'templating', file), 'utf8')) as {
    command: CaseExpectation['command']
    expected: { rc: number; stderr?: string }
    'playbook.yml': string
    'inventory.ini': string
  }
  const dir = caseDirectory()
  writeFileSync(path.join(dir, 'playbook.yml'), data['playbook.yml'])
  writeFileSync(path.join(dir, 'inventory.ini'), data['inventory.ini'])
  return runInDir(dir, {
    ...(data as unknown as CaseExpectation),
    rc: data.expected.rc,
    stderr: data.expected.stderr ?? ''
  })
}

/**
 * Run the case `category/name` through `runPlaybook` with its recorded command line.
 * The caller removes `run.dir` (or calls `cleanup`) when done.
 */
export async function runCase(category: 'playbook' | 'modules', name: string): Promise<CaseRun> {
  const expected = readExpectation(category, name)
  const dir = caseDirectory()
  cpSync(path.join(corpusDir, category, name), dir, { recursive: true })
  rmSync(path.join(dir, 'expected.json'))
  if (category === 'modules') {
    restoreSnapshot(path.join(dir, 'work'), expected.work_before)
    if (expected.out_before) restoreSnapshot(path.join(dir, 'out'), expected.out_before)
  }
  for (const [file, mode] of Object.entries(expected.file_modes ?? {}))
    chmodSync(path.join(dir, file), parseInt(mode, 8))
  return runInDir(dir, expected)
}

export function cleanup(run: CaseRun): void {
  rmSync(run.dir, { recursive: true, force: true })
}
