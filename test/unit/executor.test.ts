// Executor behaviour beyond the corpus, on hosts with ansible_connection=local (real shell,
// temp dirs): roles and variable precedence, until/retries, run_once, handlers, tags,
// environment, become, forks, serial batching, check mode, clear_host_errors.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultRunOptions } from '../../src/cli/args.js'
import type { RunOptions } from '../../src/context.js'
import type { RunEvent } from '../../src/executor/events.js'
import { runPlaybook, serialBatches } from '../../src/executor/index.js'
import { shouldRun } from '../../src/executor/tags.js'

const dir = mkdtempSync(path.join(tmpdir(), 'executor-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function write(name: string, text: string): string {
  const file = path.join(dir, name)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, text)
  return file
}

write(
  'inventory.ini',
  '[web]\nh1\nh2\n[db]\nh3\n[all:vars]\nansible_connection=local\nlevel=inventory\n'
)

async function play(text: string, extra: Partial<RunOptions> = {}) {
  const playbook = write(`pb-${Math.random().toString(36).slice(2)}.yml`, text)
  const options: RunOptions = {
    ...defaultRunOptions(dir, { PATH: process.env.PATH }),
    inventorySources: [path.join(dir, 'inventory.ini')],
    playbook,
    ...extra
  }
  const events: RunEvent[] = []
  const outcome = await runPlaybook(options, event => events.push(event))
  const results = events.filter(
    (event): event is Extract<RunEvent, { type: 'host_result' }> => event.type === 'host_result'
  )
  const msgs = (task: string) =>
    Object.fromEntries(results.filter(r => r.task.name === task).map(r => [r.host, r.result.msg]))
  return { outcome, events, results, msgs }
}

describe('variables and roles', () => {
  it('applies role defaults < inventory < play vars < role vars < task vars < set_fact < extra vars', async () => {
    write('roles/prec/defaults/main.yml', 'from_default: d\nlevel: default\nrole_level: default\n')
    write('roles/prec/vars/main.yml', 'role_level: role_vars\n')
    write(
      'roles/prec/tasks/main.yml',
      [
        '- name: role view',
        '  debug: msg="{{ from_default }} {{ level }} {{ role_level }} {{ role_name }}"',
        '- name: task vars win over role vars',
        '  debug: msg="{{ role_level }}"',
        '  vars: {role_level: task}',
        ''
      ].join('\n')
    )
    const { outcome, msgs } = await play(
      [
        '- hosts: h1',
        '  gather_facts: false',
        '  vars: {level: play, role_level: play}',
        '  roles: [prec]',
        '  tasks:',
        '    - set_fact: {level: fact}',
        '    - name: after set_fact',
        '      debug: msg="{{ level }} {{ top }}"',
        ''
      ].join('\n'),
      { extraVars: ['top=extra'] }
    )
    expect(outcome.exitCode).toBe(0)
    expect(msgs('prec : role view')).toEqual({ h1: 'd play role_vars prec' })
    expect(msgs('prec : task vars win over role vars')).toEqual({ h1: 'task' })
    expect(msgs('after set_fact')).toEqual({ h1: 'fact extra' })
  })

  it('gives run_once results and facts to every host of the play', async () => {
    const { msgs, results } = await play(`
- hosts: web
  gather_facts: false
  tasks:
    - command: echo once-{{ inventory_hostname }}
      register: once
      run_once: true
    - name: seen everywhere
      debug: msg="{{ once.stdout }}"
`)
    expect(results.filter(r => r.task.action === 'command').map(r => r.host)).toEqual(['h1'])
    expect(msgs('seen everywhere')).toEqual({ h1: 'once-h1', h2: 'once-h1' })
  })
})

describe('registered results', () => {
  it('never renders template text found in a command output', async () => {
    const { msgs } = await play(`
- hosts: h1
  gather_facts: false
  vars: {x: rendered}
  tasks:
    - command: echo "{{ '{{' }} x }}"
      register: out
    - name: show
      debug: msg="{{ out.stdout }} {{ out.stdout | length }}"
`)
    expect(msgs('show')).toEqual({ h1: '{{ x }} 7' })
  })
})

describe('task keywords', () => {
  it('retries until the condition holds and reports the attempts', async () => {
    const counter = write('counter', '0')
    const { results, outcome } = await play(`
- hosts: h1
  gather_facts: false
  tasks:
    - name: count to three
      shell: n=$(($(cat ${counter}) + 1)); echo $n > ${counter}; echo $n
      register: r
      until: r.stdout == '3'
      retries: 5
      delay: 0
`)
    expect(outcome.exitCode).toBe(0)
    expect(results[0].result).toMatchObject({ attempts: 3, stdout: '3' })
  })

  it('passes environment from play, block and task to commands', async () => {
    const { results } = await play(`
- hosts: h1
  gather_facts: false
  environment: {A: play, B: play}
  tasks:
    - block:
        - shell: echo $A $B $C
          environment: {C: task}
      environment: {B: block}
`)
    expect(results[0].result.stdout).toBe('play block task')
  })

  it('refuses become_user other than root with a clear message', async () => {
    const { results, outcome } = await play(`
- hosts: h1
  gather_facts: false
  tasks:
    - command: id
      become: true
      become_user: postgres
`)
    expect(outcome.exitCode).toBe(2)
    expect(String(results[0].result.msg)).toContain("become_user 'postgres' is not supported")
  })

  it('runs hosts in parallel up to forks and reports them in inventory order', async () => {
    // A barrier instead of a stopwatch: each host checks in, then waits until all three have.
    // Run one after the other, the first host would give up waiting and fail.
    const barrier = mkdtempSync(path.join(tmpdir(), 'forks-barrier-'))
    const { results } = await play(
      `
- hosts: all
  gather_facts: false
  tasks:
    - shell: >-
        touch ${barrier}/{{ inventory_hostname }};
        i=0; while [ "$(ls ${barrier} | wc -l)" -lt 3 ]; do
        i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done
`,
      { forks: 3 }
    )
    rmSync(barrier, { recursive: true, force: true })
    expect(results.map(r => [r.host, r.status])).toEqual([
      ['h1', 'changed'],
      ['h2', 'changed'],
      ['h3', 'changed']
    ])
  })

  it('selects tasks by tags inherited from the play and blocks', async () => {
    const { results } = await play(
      `
- hosts: h1
  gather_facts: false
  tags: [deploy]
  tasks:
    - name: tagged by play only
      debug: msg=a
    - block:
        - name: tagged by block
          debug: msg=b
      tags: [extra]
    - name: never unless asked
      debug: msg=c
      tags: [never]
`,
      { skipTags: ['extra'] }
    )
    expect(results.map(r => r.task.name)).toEqual(['tagged by play only'])
    expect(shouldRun(['never', 'x'], { only: ['x'], skip: [] })).toBe(true)
    expect(shouldRun(['always'], { only: ['x'], skip: [] })).toBe(true)
    expect(shouldRun(['always'], { only: [], skip: ['always'] })).toBe(false)
  })

  it('skips modules without check mode support under --check', async () => {
    const { results } = await play(
      `
- hosts: h1
  gather_facts: false
  tasks:
    - raw: touch ${path.join(dir, 'not-created')}
`,
      { check: true }
    )
    expect(results[0].status).toBe('skipped')
  })
})

describe('handlers and meta', () => {
  it('flushes handlers on meta: flush_handlers, once per host, in definition order, with listen', async () => {
    const { results } = await play(`
- hosts: web
  gather_facts: false
  tasks:
    - command: echo change
      notify: [second, topic]
    - meta: flush_handlers
    - name: after flush
      debug: msg=after
  handlers:
    - name: first
      debug: msg=first
      listen: topic
    - name: second
      debug: msg=second
`)
    expect(results.map(r => `${r.task.name}:${r.host}`)).toEqual([
      'command:h1',
      'command:h2',
      'first:h1',
      'first:h2',
      'second:h1',
      'second:h2',
      'after flush:h1',
      'after flush:h2'
    ])
    expect(results.filter(r => r.task.handler).length).toBe(4)
  })

  it('runs handlers of a failed host only with force_handlers', async () => {
    const text = (force: boolean) => `
- hosts: h1
  gather_facts: false
  force_handlers: ${force}
  tasks:
    - command: echo change
      notify: h
    - fail: msg=boom
  handlers:
    - name: h
      debug: msg=handled
`
    expect((await play(text(false))).results.some(r => r.task.handler)).toBe(false)
    expect((await play(text(true))).results.some(r => r.task.handler)).toBe(true)
  })

  it('clear_host_errors turns the exit code back to 0 but keeps the recap', async () => {
    const { outcome } = await play(`
- hosts: web
  gather_facts: false
  tasks:
    - fail: msg=boom
      when: inventory_hostname == 'h1'
    - meta: clear_host_errors
`)
    expect(outcome.exitCode).toBe(0)
    expect(outcome.stats.h1.failed).toBe(1)
  })

  it('gathers a Python-free fact set with one command', async () => {
    const { msgs, outcome } = await play(`
- hosts: h1
  tasks:
    - name: facts
      debug: msg="{{ ansible_facts.system }} {{ ansible_system }} {{ ansible_facts.env.PATH is defined }}"
`)
    expect(outcome.exitCode).toBe(0)
    expect(msgs('facts')).toEqual({ h1: 'Linux Linux True' })
  })
})

describe('serial', () => {
  it('batches by count, percentage and list, the last size repeating', () => {
    const hosts = ['a', 'b', 'c', 'd', 'e']
    expect(serialBatches(hosts, 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']])
    expect(serialBatches(hosts, '40%')).toEqual([['a', 'b'], ['c', 'd'], ['e']])
    expect(serialBatches(hosts, [1, '100%'])).toEqual([['a'], ['b', 'c', 'd', 'e']])
    expect(serialBatches(hosts, undefined)).toEqual([hosts])
  })
})
