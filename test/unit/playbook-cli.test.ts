// `kubectl-ansible playbook` / `adhoc` in-process: what they print and their exit codes, checked
// against ansible-playbook's own output where the corpus recorded it.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runAdhocCommand, runPlaybookCommand } from '../../src/cli/playbook.js'
import { corpusDir, readExpectation } from '../conformance/harness.js'

const dirs: string[] = []
afterAll(() => dirs.forEach(dir => rmSync(dir, { recursive: true, force: true })))

function caseDir(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-'))
  dirs.push(dir)
  cpSync(path.join(corpusDir, 'playbook', name), dir, { recursive: true })
  return dir
}

async function cli(command: typeof runPlaybookCommand, argv: string[], cwd: string) {
  let stdout = ''
  let stderr = ''
  const code = await command(argv, {
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    cwd,
    env: { PATH: process.env.PATH }
  })
  return { code, stdout, stderr: stderr.split(cwd).join('$CASE_DIR') }
}

describe('kubectl-ansible playbook', () => {
  it('prints --list-tasks exactly like ansible-playbook (corpus tags_list)', async () => {
    const expected = readExpectation('playbook', 'tags_list')
    const run = await cli(runPlaybookCommand, expected.command.argv.slice(1), caseDir('tags_list'))
    expect(run.code).toBe(expected.rc)
    expect(run.stdout).toBe(expected.stdout)
  })

  it.each([
    'syntax_error_playbook',
    'two_modules_in_task',
    'free_form_extra_params_error',
    'handler_notify_missing'
  ])('stops before running with ansible-playbook’s message and exit code (%s)', async name => {
    const expected = readExpectation('playbook', name)
    const run = await cli(runPlaybookCommand, expected.command.argv.slice(1), caseDir(name))
    expect(run.code).toBe(expected.rc)
    expect(run.stderr).toBe(expected.stderr)
    expect(run.stdout).toBe('')
  })

  it('checks syntax and lists hosts without running anything', async () => {
    const dir = caseDir('tags_list')
    const syntax = await cli(
      runPlaybookCommand,
      ['-i', 'inventory.ini', '--syntax-check', 'playbook.yml'],
      dir
    )
    expect(syntax).toMatchObject({ code: 0, stdout: '\nplaybook: playbook.yml\n' })
    const hosts = await cli(
      runPlaybookCommand,
      ['-i', 'inventory.ini', '--list-hosts', 'playbook.yml'],
      dir
    )
    expect(hosts.stdout).toBe(
      "\nplaybook: playbook.yml\n\n  play #1 (h1): h1\tTAGS: []\n    pattern: ['h1']\n    hosts (1):\n      h1\n"
    )
    const broken = await cli(
      runPlaybookCommand,
      ['-i', 'inventory.ini', '--syntax-check', 'nope.yml'],
      dir
    )
    expect(broken.code).toBe(1)
    expect(broken.stderr).toBe('ERROR! the playbook: nope.yml could not be found\n')
  })

  it('warns about duplicate keys in everything --syntax-check reads (extra vars, imports, vars_files)', async () => {
    // No hyphen in the path: warnings wrap at 79 columns, also after a hyphen.
    const dir = mkdtempSync(path.join(tmpdir(), 'cliwarn'))
    dirs.push(dir)
    writeFileSync(path.join(dir, 'inventory.ini'), 'h1\n')
    writeFileSync(path.join(dir, 'extra.yml'), 'a: 1\na: 2\n')
    writeFileSync(path.join(dir, 'vars.yml'), 'b: 1\nb: 2\n')
    writeFileSync(path.join(dir, 'tasks.yml'), '- debug: {msg: x}\n  name: p\n  name: q\n')
    writeFileSync(
      path.join(dir, 'playbook.yml'),
      '- hosts: all\n  vars_files: [vars.yml, "{{ undefined_name }}.yml", missing.yml]\n' +
        '  tasks:\n    - import_tasks: tasks.yml\n'
    )
    const run = await cli(
      runPlaybookCommand,
      ['-i', 'inventory.ini', '-e', '@extra.yml', '--syntax-check', 'playbook.yml'],
      dir
    )
    expect(run.code).toBe(0)
    const warned = (file: string, where: string, key: string) =>
      `While constructing a mapping from $CASE_DIR/${file}, line ${where} found a duplicate dict key (${key}).`
    const stderr = run.stderr.replace(/\n(?!\[WARNING\]|$)/g, ' ')
    expect(stderr).toContain(warned('extra.yml', '1, column 1,', 'a'))
    expect(stderr).toContain(warned('tasks.yml', '1, column 3,', 'name'))
    expect(stderr).toContain(warned('vars.yml', '1, column 1,', 'b'))
    expect(stderr.match(/\[WARNING\]/g)).toHaveLength(3)
  })

  it('prints one json-callback document with --json', async () => {
    const dir = caseDir('handlers_basic')
    const run = await cli(
      runPlaybookCommand,
      ['-i', 'inventory.ini', '--json', 'playbook.yml'],
      dir
    )
    expect(run.code).toBe(0)
    const document = JSON.parse(run.stdout) as {
      plays: {
        play: { name: string }
        tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[]
      }[]
      stats: Record<string, Record<string, number>>
    }
    expect(document.plays[0].play.name).toBe('all')
    expect(document.plays[0].tasks.map(task => task.task.name)).toEqual([
      'changed on h1 and h2',
      'notify again',
      'unchanged notify',
      'restart'
    ])
    expect(document.plays[0].tasks[0].hosts.h1).toMatchObject({
      action: 'command',
      changed: true,
      stdout: 'change'
    })
    expect(document.stats.h3).toEqual({
      changed: 1,
      failures: 0,
      ignored: 0,
      ok: 4,
      rescued: 0,
      skipped: 0,
      unreachable: 0
    })
  })

  it('exits 2 on a failed host and 4 on an unreachable one', async () => {
    expect(
      (
        await cli(
          runPlaybookCommand,
          ['-i', 'inventory.ini', 'playbook.yml'],
          caseDir('all_hosts_fail')
        )
      ).code
    ).toBe(2)
    const unreachable = await cli(
      runPlaybookCommand,
      ['-i', 'inventory.ini', 'playbook.yml'],
      caseDir('unreachable_host')
    )
    expect(unreachable.code).toBe(4)
    expect(unreachable.stdout).toContain('fatal: [dead]: UNREACHABLE! =>')
  })
})

describe('console diffs', () => {
  it('prints a unified diff and an empty line before the status, like the default callback', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-'))
    dirs.push(dir)
    writeFileSync(path.join(dir, 'hosts.ini'), 'h1 ansible_connection=local\n')
    writeFileSync(path.join(dir, 'f.txt'), 'a\nb\n')
    writeFileSync(
      path.join(dir, 'pb.yml'),
      `- hosts: h1\n  gather_facts: false\n  tasks:\n    - lineinfile: {path: ${dir}/f.txt, line: d}\n`
    )
    const run = await cli(
      runPlaybookCommand,
      ['-i', 'hosts.ini', '--diff', '--check', 'pb.yml'],
      dir
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      `--- before: ${dir}/f.txt (content)\n+++ after: ${dir}/f.txt (content)\n@@ -1,2 +1,3 @@\n a\n b\n+d\n\nchanged: [h1]\n`
    )
  })
})

describe('kubectl-ansible adhoc', () => {
  it('runs one module on the hosts of a pattern', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-'))
    dirs.push(dir)
    writeFileSync(
      path.join(dir, 'hosts.ini'),
      'a ansible_connection=local\nb ansible_connection=local\n'
    )
    const run = await cli(
      runAdhocCommand,
      ['-i', 'hosts.ini', 'all', '-m', 'shell', '-a', 'echo $((1 + 1))'],
      dir
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('a | CHANGED | rc=0 >>\n2\n')
    expect(run.stdout).toContain('b | CHANGED | rc=0 >>\n2\n')
    const bad = await cli(runAdhocCommand, ['-i', 'hosts.ini', 'all', '-m', 'no_such_module'], dir)
    expect(bad.code).toBe(4)
    expect(bad.stderr).toContain("couldn't resolve module/action 'no_such_module'")
  })
})
