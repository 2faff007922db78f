// Every case of ../shared/conformance/inventory/ (recorded with ansible-core 2.14.18), read
// from the case files at test time: `--list`, `--list --export` and every `--list-hosts`
// pattern, comparing JSON, host order, exit code and stderr. Each case runs in a fresh copy
// whose path is 15 characters long, as when it was recorded (Ansible wraps warnings at 79
// columns before the path is replaced by $CASE_DIR).
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runInventoryCommand } from '../../src/cli/inventory.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const corpus = path.resolve(repoRoot, '../shared/conformance/inventory')

interface Recorded {
  command: { argv: string[] }
  rc: number
  stderr: string
}
interface CaseFile {
  description: string
  inventory_file: string
  list: Recorded & { json: unknown }
  list_export: Recorded & { json: unknown }
  patterns: (Recorded & { pattern: string; hosts: string[] })[]
}

const caseNames = existsSync(corpus) ? readdirSync(corpus).sort() : []
const workDirs: string[] = []

afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true })
})

function copyCase(name: string): string {
  // '/tmp/cfxx' + 6 random characters = 15 characters, like the recording's directories.
  const dir = mkdtempSync('/tmp/cfxx')
  expect(dir).toHaveLength(15)
  workDirs.push(dir)
  cpSync(path.join(corpus, name), dir, { recursive: true })
  rmSync(path.join(dir, 'expected.json'))
  return dir
}

/** Our CLI arguments for a recorded `ansible-inventory` or `ansible ... --list-hosts` argv. */
function ourArgv(argv: string[]): string[] {
  const [program, ...rest] = argv
  if (program === 'ansible-inventory') return rest
  const args: string[] = []
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-i' || rest[i] === '--limit' || rest[i] === '-l') args.push(rest[i], rest[++i])
    else if (rest[i] === '--list-hosts') continue
    else args.push('--list-hosts', rest[i])
  }
  return args
}

async function run(dir: string, argv: string[]) {
  let stdout = ''
  let stderr = ''
  const rc = await runInventoryCommand(ourArgv(argv), {
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    cwd: dir,
    env: {}
  })
  const normalise = (text: string) => text.split(dir).join('$CASE_DIR')
  return { rc, stdout: normalise(stdout), stderr: normalise(stderr) }
}

describe.runIf(caseNames.length > 0)('inventory conformance', () => {
  it('finds the corpus', () => {
    expect(caseNames.length).toBeGreaterThan(40)
  })

  for (const name of caseNames) {
    const expected = JSON.parse(
      readFileSync(path.join(corpus, name, 'expected.json'), 'utf8')
    ) as CaseFile
    describe(name, () => {
      for (const mode of ['list', 'list_export'] as const) {
        it(mode, async () => {
          const dir = copyCase(name)
          const result = await run(dir, expected[mode].command.argv)
          expect(result.rc).toBe(expected[mode].rc)
          expect(result.stderr).toBe(expected[mode].stderr)
          expect(JSON.parse(result.stdout)).toEqual(expected[mode].json)
        })
      }
      for (const pattern of expected.patterns) {
        it(`pattern ${pattern.pattern}`, async () => {
          const dir = copyCase(name)
          const result = await run(dir, pattern.command.argv)
          expect(result.rc).toBe(pattern.rc)
          expect(result.stdout.split('\n').filter(line => line !== '')).toEqual(pattern.hosts)
          expect(result.stderr).toBe(pattern.stderr)
        })
      }
    })
  }
})
