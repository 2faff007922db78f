// Bad input through the CLI, in-process: each case must end with a clear message naming the
// file (and line where there is one), a non-zero exit code, and no task having run (a marker
// file on the runner stays absent). Local connection: no cluster needed for input errors.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

// Created at load time: the case table below embeds paths under it.
const work = mkdtempSync(path.join(tmpdir(), 'bad-input-'))

afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    cwd: work,
    env: { PATH: process.env.PATH, HOME: work }
  })
  return { code, stdout, stderr }
}

const INVENTORY = 'localhost ansible_connection=local\n'

/** The marker task runs first: a parse error anywhere must stop the run before it. */
function withMarker(name: string, tasks: string): string {
  return `- hosts: all
  gather_facts: false
  tasks:
    - name: marker
      file: {path: ${path.join(work, `${name}.ran`)}, state: touch}
${tasks}`
}

interface Case {
  name: string
  playbook: string
  inventory?: string
  /** Exact exit code, or 'non-zero'. */
  code: number | 'non-zero'
  message: RegExp
  /** Parse-time errors run nothing; runtime errors stop the host at the bad task. */
  markerRuns?: boolean
}

const cases: Case[] = [
  {
    name: 'tabs',
    playbook: withMarker('tabs', '\t- command: echo tab\n'),
    code: 4,
    message: /tabs\.yml.*line \d+|line \d+.*tabs\.yml/s
  },
  {
    name: 'unclosed-quote',
    playbook: withMarker('unclosed-quote', '    - command: "echo open\n'),
    code: 4,
    message: /unclosed-quote\.yml/
  },
  {
    name: 'unknown-module',
    playbook: withMarker('unknown-module', '    - no_such_module: {a: 1}\n'),
    code: 4,
    message:
      /no_such_module[\s\S]*unknown-module\.yml[\s\S]*line \d+|unknown-module\.yml[\s\S]*no_such_module/
  },
  {
    name: 'loop-int',
    playbook: withMarker(
      'loop-int',
      '    - command: echo {{ item }}\n      loop: 5\n    - file: {path: after, state: touch}\n'
    ),
    code: 'non-zero',
    message: /loop.*list|Invalid data passed to 'loop'/,
    markerRuns: true
  },
  {
    name: 'unknown-argument',
    playbook: withMarker('unknown-argument', '    - copy: {content: x, dest: /tmp/x, bogus: 1}\n'),
    code: 'non-zero',
    message: /Unsupported parameters.*bogus/,
    markerRuns: true
  },
  {
    name: 'template-syntax',
    playbook: withMarker('template-syntax', '    - debug: {msg: "{{ broken( }}"}\n'),
    code: 'non-zero',
    message: /template error|syntax/i,
    markerRuns: true
  },
  {
    name: 'circular-vars',
    playbook: `- hosts: all
  gather_facts: false
  vars: {a: "{{ b }}", b: "{{ a }}"}
  tasks:
    - debug: {msg: "{{ a }}"}
`,
    code: 'non-zero',
    message: /recursive|loop/i
  },
  {
    name: 'undefined-hosts',
    playbook: `- hosts: "{{ nowhere }}"
  gather_facts: false
  tasks:
    - file: {path: ${path.join(work, 'undefined-hosts.ran')}, state: touch}
`,
    code: 'non-zero',
    message: /nowhere.*undefined|undefined.*nowhere/
  }
]

describe('bad input', () => {
  it.each(cases)('$name: clear message, exit code, nothing run', async testCase => {
    const playbook = path.join(work, `${testCase.name}.yml`)
    const inventory = path.join(work, `${testCase.name}.ini`)
    writeFileSync(playbook, testCase.playbook)
    writeFileSync(inventory, testCase.inventory ?? INVENTORY)
    const run = await cli(['playbook', '-i', inventory, playbook])
    const output = `${run.stdout}\n${run.stderr}`
    if (testCase.code === 'non-zero') expect(run.code).not.toBe(0)
    else expect(run.code).toBe(testCase.code)
    expect(output).toMatch(testCase.message)
    expect(output).not.toMatch(/^\s+at .*\.(ts|js):\d+/m)
    expect(existsSync(path.join(work, `${testCase.name}.ran`))).toBe(testCase.markerRuns ?? false)
    expect(existsSync(path.join(work, 'after'))).toBe(false)
  })

  it('skips a task whose when is an empty mapping, as ansible-playbook 2.14 does (rc 0)', async () => {
    const playbook = path.join(work, 'when-dict.yml')
    writeFileSync(
      playbook,
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: echo x\n      when: {}\n'
    )
    writeFileSync(path.join(work, 'when-dict.ini'), INVENTORY)
    const run = await cli(['playbook', '-i', path.join(work, 'when-dict.ini'), playbook])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/skipping: \[localhost\]/)
  })

  it('warns about duplicate keys with Ansible 2.14 text, naming file, line and column', async () => {
    const playbook = path.join(work, 'duplicate.yml')
    writeFileSync(
      playbook,
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: {msg: one}\n      name: first\n      name: second\n'
    )
    writeFileSync(path.join(work, 'duplicate.ini'), INVENTORY)
    const run = await cli(['playbook', '-i', path.join(work, 'duplicate.ini'), playbook])
    expect(run.code).toBe(0)
    // Warnings are wrapped at 80 columns as Python's textwrap does (also after hyphens).
    const said = run.stderr.replace(/-\n/g, '-').replace(/\s+/g, ' ')
    expect(said).toContain(
      `[WARNING]: While constructing a mapping from ${playbook}, line 4, column 7, found a duplicate dict key (name). Using last defined value only.`
    )
    // Like Ansible, the last value wins.
    expect(run.stdout).toContain('TASK [second]')
  })

  it('reports circular group children and still refuses to run on nothing silently', async () => {
    const inventory = path.join(work, 'cycle.ini')
    writeFileSync(inventory, '[a:children]\nb\n[b:children]\na\n')
    const run = await cli(['inventory', '-i', inventory, '--list'])
    expect(run.stderr).toMatch(/recursive dependency loop/)
    expect(run.stderr).toMatch(/cycle\.ini/)
  })

  // 10 MB (about 125,000 hosts in one group) once took 140 s and ended in exit 250 (a quadratic
  // membership test, then a call-stack overflow spreading the hosts into push()). Loading is
  // linear now: a few seconds here; the bound leaves room for a loaded CI machine.
  it('loads a 10 MB inventory in bounded time and finds its last host', async () => {
    const inventory = path.join(work, 'huge.ini')
    const lines = ['[web]']
    let last = ''
    for (let index = 0, size = 0; size < 10 * 1024 * 1024; index++) {
      last = `pod-${index}`
      const line = `${last} ansible_connection=local role=web-server-number-${index} zone=zone-${index % 7}`
      lines.push(line)
      size += line.length + 1
    }
    writeFileSync(inventory, lines.join('\n'))
    const started = Date.now()
    const run = await cli(['inventory', '-i', inventory, '--list-hosts', 'web[-1]'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe(last)
    expect(Date.now() - started).toBeLessThan(45_000)
  }, 120_000)
})
