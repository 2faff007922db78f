// Every case of ../shared/conformance/modules/ run through the engine (runPlaybook with
// ansible_connection=local), compared the way the corpus README's independent check does:
// exit code, task names, per-task status and selected keys, recap, work_after / out_after.
import { promises as fs, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunOptions } from '../../src/context.js'
import type { RunEvent } from '../../src/executor/events.js'
import { runPlaybook } from '../../src/executor/index.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const corpus = path.resolve(repoRoot, '../shared/conformance/modules')

type Snapshot = Record<
  string,
  {
    type: string
    mode?: string
    size?: number
    content?: string
    content_base64?: string
    target?: string
  }
>

interface ExpectedTask {
  name: string
  action: string
  result: Record<string, unknown> | null
}

interface Case {
  command: { argv: string[] }
  rc: number
  tasks: ExpectedTask[]
  recap: Record<string, Record<string, number>>
  work_before: Snapshot
  work_after: Snapshot
  out_before?: Snapshot
  out_after?: Snapshot
  file_modes?: Record<string, string>
}

const COMPARED_KEYS = [
  'changed',
  'checksum',
  'dest',
  'mode',
  'state',
  'size',
  'content',
  'rc',
  'stdout',
  'ansible_facts',
  'ping',
  'backup_file',
  'censored'
]
const STAT_KEYS = [
  'exists',
  'path',
  'mode',
  'isdir',
  'isreg',
  'islnk',
  'size',
  'checksum',
  'lnk_source',
  'lnk_target'
]

const tempDirs: string[] = []
afterAll(async () => {
  await Promise.all(tempDirs.map(dir => fs.rm(dir, { recursive: true, force: true })))
})

/** A directory whose absolute path is 15 characters, like the corpus' $CASE_DIR. */
async function caseDirectory(): Promise<string> {
  const dir = await fs.mkdtemp('/tmp/cfmo')
  if (dir.length !== 15) throw new Error(`case dir ${dir} is not 15 characters long`)
  tempDirs.push(dir)
  return dir
}

async function materialise(
  root: string,
  snapshot: Snapshot | undefined,
  caseDir: string
): Promise<void> {
  await fs.mkdir(root, { recursive: true })
  const entries = Object.entries(snapshot ?? {}).sort(([a], [b]) => a.length - b.length)
  for (const [rel, entry] of entries) {
    const target = path.join(root, rel.replaceAll('$CASE_DIR', caseDir))
    await fs.mkdir(path.dirname(target), { recursive: true })
    if (entry.type === 'directory') await fs.mkdir(target, { recursive: true })
    else if (entry.type === 'link')
      await fs.symlink(entry.target!.replaceAll('$CASE_DIR', caseDir), target)
    else {
      const data =
        entry.content_base64 !== undefined
          ? Buffer.from(entry.content_base64, 'base64')
          : Buffer.from(entry.content ?? '')
      await fs.writeFile(target, data)
    }
  }
  // Modes last (a 0555 directory would refuse its children otherwise).
  for (const [rel, entry] of entries.reverse()) {
    if (entry.mode && entry.type !== 'link')
      await fs.chmod(path.join(root, rel.replaceAll('$CASE_DIR', caseDir)), parseInt(entry.mode, 8))
  }
}

async function snapshot(root: string, caseDir: string): Promise<Snapshot> {
  const result: Snapshot = {}
  const visit = async (dir: string) => {
    let names: string[]
    try {
      names = await fs.readdir(dir)
    } catch {
      return
    }
    for (const name of names) {
      const full = path.join(dir, name)
      const rel = path.relative(root, full)
      const info = await fs.lstat(full)
      const mode = (info.mode & 0o7777).toString(8).padStart(4, '0')
      const key = rel.replaceAll(caseDir.slice(1), '$CASE_DIR')
      if (info.isSymbolicLink())
        result[key] = {
          type: 'link',
          target: (await fs.readlink(full)).replaceAll(caseDir, '$CASE_DIR')
        }
      else if (info.isDirectory()) {
        // Ancestors of $CASE_DIR inside out/<host>/ are left out of the corpus listings.
        const hidden =
          rel.includes('/') && caseDir.startsWith(`/${rel.split('/').slice(1).join('/')}/`)
        if (!hidden) result[key] = { type: 'directory', mode }
        await visit(full)
      } else {
        const data = await fs.readFile(full)
        const text = data.toString('utf8')
        const isText = Buffer.from(text, 'utf8').equals(data)
        result[key] = isText
          ? {
              type: 'file',
              mode,
              size: data.length,
              content: text.replaceAll(caseDir, '$CASE_DIR')
            }
          : { type: 'file', mode, size: data.length, content_base64: data.toString('base64') }
      }
    }
  }
  await visit(root)
  return result
}

function normalise(value: unknown, caseDir: string): unknown {
  if (typeof value === 'string') {
    return value
      .replaceAll(caseDir, '$CASE_DIR')
      .replace(/\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~/g, '.$BACKUP_SUFFIX~')
  }
  if (Array.isArray(value)) return value.map(item => normalise(item, caseDir))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, normalise(item, caseDir)])
    )
  }
  return value
}

function statusOf(result: Record<string, unknown>, status: string): string {
  if (status === 'unreachable') return 'unreachable'
  if (result.failed || status === 'failed') return 'failed'
  if (result.skipped || status === 'skipped') return 'skipped'
  return result.changed ? 'changed' : 'ok'
}

/** The keys the independent check compares, from `actual`, where `expected` has them. */
function comparable(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  diffRun: boolean
) {
  const pick = (source: Record<string, unknown>, isExpected: boolean) => {
    const out: Record<string, unknown> = { status: source.status }
    for (const key of COMPARED_KEYS) if (key in expected) out[key] = source[key]
    if ('msg' in expected)
      out.msg =
        source.status === 'failed' || expected.status === 'failed' ? 'msg' in source : source.msg
    if (isExpected && 'msg' in expected && expected.status === 'failed') out.msg = true
    if (expected.stat && typeof expected.stat === 'object') {
      const stat = (source.stat ?? {}) as Record<string, unknown>
      out.stat = Object.fromEntries(
        STAT_KEYS.filter(key => key in (expected.stat as object)).map(key => [key, stat[key]])
      )
    }
    if (diffRun && 'diff' in expected) {
      const diffs = Array.isArray(source.diff)
        ? source.diff
        : source.diff === undefined
          ? []
          : [source.diff]
      out.diff = diffs.map(entry => {
        const item = (entry ?? {}) as Record<string, unknown>
        return { before: item.before, after: item.after }
      })
    }
    return out
  }
  return { expected: pick(expected, true), actual: pick(actual, false) }
}

const cases = readdirSync(corpus)
  .filter(name => !name.startsWith('.'))
  .sort()

describe('modules conformance corpus', () => {
  it('finds the corpus', () => {
    expect(cases.length).toBeGreaterThan(100)
  })

  for (const name of cases) {
    it(name, async () => {
      const source = path.join(corpus, name)
      const spec = JSON.parse(readFileSync(path.join(source, 'expected.json'), 'utf8')) as Case
      const caseDir = await caseDirectory()
      await fs.cp(source, caseDir, {
        recursive: true,
        filter: src => path.basename(src) !== 'expected.json'
      })
      await materialise(path.join(caseDir, 'work'), spec.work_before, caseDir)
      if (spec.out_before) await materialise(path.join(caseDir, 'out'), spec.out_before, caseDir)
      for (const [file, mode] of Object.entries(spec.file_modes ?? {}))
        await fs.chmod(path.join(caseDir, file), parseInt(mode, 8))

      const argv = spec.command.argv
      const options: RunOptions = {
        cwd: caseDir,
        inventorySources: [argv[argv.indexOf('-i') + 1]],
        playbook: argv.find(arg => arg.endsWith('.yml')),
        extraVars: [],
        tags: [],
        skipTags: [],
        check: argv.includes('--check') || argv.includes('-C'),
        diff: argv.includes('--diff') || argv.includes('-D'),
        forks: 1,
        timeoutSec: 0,
        verbosity: 0,
        kubectl: { path: 'kubectl' },
        env: { ...process.env }
      }
      const events: RunEvent[] = []
      const outcome = await runPlaybook(options, event => events.push(event))

      const taskNames = events.flatMap(event =>
        event.type === 'task_start' ? [event.task.name] : []
      )
      const results = new Map<string, Record<string, unknown>>()
      for (const event of events) {
        if (event.type === 'host_result' && event.host === 'h1') {
          results.set(event.task.id, {
            ...(normalise(event.result, caseDir) as object),
            status: statusOf(event.result, event.status)
          })
        }
      }
      const taskIds = events.flatMap(event => (event.type === 'task_start' ? [event.task.id] : []))

      expect(
        { rc: outcome.exitCode, error: outcome.error },
        JSON.stringify([...results.values()])
      ).toEqual({ rc: spec.rc, error: undefined })
      expect(taskNames).toEqual(spec.tasks.map(task => task.name))
      const diffRun = options.diff
      spec.tasks.forEach((task, index) => {
        const actual = results.get(taskIds[index]) ?? null
        if (task.result === null) {
          expect(actual, `${task.name}: no result expected`).toBeNull()
          return
        }
        expect(actual, `${task.name}: a result`).not.toBeNull()
        const { expected, actual: got } = comparable(task.result, actual!, diffRun)
        expect(got, `${task.name} (${JSON.stringify(actual)})`).toEqual(expected)
      })
      const recap = Object.fromEntries(
        Object.entries(outcome.stats).map(([host, stats]) => [host, { ...stats }])
      )
      expect(recap).toEqual(spec.recap)
      expect(await snapshot(path.join(caseDir, 'work'), caseDir)).toEqual(spec.work_after)
      if (spec.out_after)
        expect(await snapshot(path.join(caseDir, 'out'), caseDir)).toEqual(spec.out_after)
    })
  }
})
