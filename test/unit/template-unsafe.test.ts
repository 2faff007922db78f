// Unsafe propagation as ansible-core 2.14.12+ does it (CVE-2023-5764): a template that reads
// unsafe data (a registered result, an !unsafe value, a lookup) gives an unsafe result, so a
// pod's "{{ ... }}" output stored by set_fact is never rendered later. Expected values were
// printed by ansible-playbook 2.14.18 for the same playbook.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { defaultRunOptions } from '../../src/cli/args.js'
import type { RunEvent } from '../../src/executor/events.js'
import { runPlaybook } from '../../src/executor/index.js'
import { Templar, UnsafeText, isMarkedUnsafe, markUnsafe } from '../../src/template/index.js'

const templar = new Templar()

describe('unsafe results (templar)', () => {
  const registered = () => markUnsafe({ stdout: '{{ 1 + 1 }}', rc: 0 })

  it('marks what read unsafe data when asked to keep the mark', () => {
    const facts = templar.template(
      { y: '{{ r.stdout | upper }}', w: 'prefix {{ r.stdout }}', n: '{{ r.stdout | length }}' },
      { r: registered() },
      { keepUnsafe: true }
    ) as Record<string, unknown>
    expect(facts.y).toEqual(new UnsafeText('{{ 1 + 1 }}'))
    expect(facts.w).toEqual(new UnsafeText('prefix {{ 1 + 1 }}'))
    expect(facts.n).toEqual(new UnsafeText('11'))
    expect(templar.template('{{ y }}|{{ w }}|{{ y ~ "x" }}', facts)).toBe(
      '{{ 1 + 1 }}|prefix {{ 1 + 1 }}|{{ 1 + 1 }}x'
    )
  })

  it('marks lists and dicts built from unsafe data, and keeps them unrendered', () => {
    const facts = templar.template(
      { l: '{{ [r.stdout] }}', d: "{{ {'k': r.stdout} }}" },
      { r: registered() },
      { keepUnsafe: true }
    ) as Record<string, unknown>
    expect(isMarkedUnsafe(facts.l)).toBe(true)
    expect(isMarkedUnsafe(facts.d)).toBe(true)
    expect(templar.template('{{ l }}|{{ d }}', facts)).toBe("['{{ 1 + 1 }}']|{'k': '{{ 1 + 1 }}'}")
  })

  it('propagates through variables that are templates themselves and through !unsafe values', () => {
    const vars = { r: registered(), lazy: '{{ r.stdout }}', raw: new UnsafeText('{{ 2 + 2 }}') }
    expect(templar.template('{{ lazy }}', vars, { keepUnsafe: true })).toEqual(
      new UnsafeText('{{ 1 + 1 }}')
    )
    expect(templar.template('a {{ raw }}', vars, { keepUnsafe: true })).toEqual(
      new UnsafeText('a {{ 2 + 2 }}')
    )
  })

  it('returns plain strings by default and leaves safe results unmarked', () => {
    expect(templar.template('{{ r.stdout }}', { r: registered() })).toBe('{{ 1 + 1 }}')
    expect(templar.template("{{ '{{' }} 2 + 2 }}", {}, { keepUnsafe: true })).toBe('{{ 2 + 2 }}')
  })
})

describe('unsafe results (playbook)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'template-unsafe-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('never renders a command output stored by set_fact or taken as loop items', async () => {
    writeFileSync(path.join(dir, 'inventory.ini'), 'localhost ansible_connection=local\n')
    writeFileSync(
      path.join(dir, 'play.yml'),
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - command: echo "{{ \'{{\' }} 1 + 1 }}"',
        '      register: r',
        '    - name: store',
        '      set_fact:',
        '        y: "{{ r.stdout | upper }}"',
        '        plain: "{{ \'{{\' }} 2 + 2 }}"',
        '        flag: "{{ r.stdout | replace(r.stdout, \'false\') }}"',
        '    - name: loop',
        '      debug: msg="{{ item }}"',
        '      loop: "{{ r.stdout_lines }}"',
        '    - name: with_items',
        '      debug: msg="{{ item }}"',
        '      with_items: "{{ r.stdout_lines }}"',
        '    - name: show',
        '      debug: msg="{{ y }}|{{ plain }}"',
        ''
      ].join('\n')
    )
    const events: RunEvent[] = []
    const outcome = await runPlaybook(
      {
        ...defaultRunOptions(dir, { PATH: process.env.PATH }),
        inventorySources: [path.join(dir, 'inventory.ini')],
        playbook: path.join(dir, 'play.yml')
      },
      event => events.push(event)
    )
    expect(outcome.exitCode).toBe(0)
    const shown = events.find(
      (event): event is Extract<RunEvent, { type: 'host_result' }> =>
        event.type === 'host_result' && event.task.name === 'show'
    )
    const itemMessages = (task: string) =>
      events
        .filter(
          (event): event is Extract<RunEvent, { type: 'host_result' }> =>
            event.type === 'host_result' && event.task.name === task
        )
        .flatMap(event => (event.result.results as Array<{ msg: unknown }>).map(item => item.msg))
    const stored = events.find(
      (event): event is Extract<RunEvent, { type: 'host_result' }> =>
        event.type === 'host_result' && event.task.name === 'store'
    )
    // Reporters see the text, not the UnsafeText wrapper the fact is stored with.
    // "False" read from unsafe data is still turned into a boolean, as set_fact does.
    expect(stored?.result.ansible_facts).toEqual({
      y: '{{ 1 + 1 }}',
      plain: '{{ 2 + 2 }}',
      flag: false
    })
    expect(itemMessages('loop')).toEqual(['{{ 1 + 1 }}'])
    expect(itemMessages('with_items')).toEqual(['{{ 1 + 1 }}'])
    // A safe fact is rendered again when read, as Ansible does; the unsafe one never is.
    expect(shown?.result.msg).toBe('{{ 1 + 1 }}|4')
  })
  it('never renders gathered facts, which come from the host (an env value holding {{ }})', async () => {
    writeFileSync(path.join(dir, 'inventory.ini'), 'localhost ansible_connection=local\n')
    writeFileSync(
      path.join(dir, 'facts.yml'),
      [
        '- hosts: localhost',
        '  gather_facts: true',
        '  tasks:',
        '    - name: direct',
        '      debug: msg="{{ ansible_env.KA_EVIL }}|{{ ansible_facts.env.KA_EVIL }}"',
        '    - set_fact:',
        '        copied: "{{ ansible_env.KA_EVIL }}"',
        '    - name: copied',
        '      debug: msg="{{ copied }}"',
        ''
      ].join('\n')
    )
    const events: RunEvent[] = []
    const outcome = await runPlaybook(
      {
        ...defaultRunOptions(dir, { PATH: process.env.PATH, KA_EVIL: '{{ 7 * 6 }}' }),
        inventorySources: [path.join(dir, 'inventory.ini')],
        playbook: path.join(dir, 'facts.yml')
      },
      event => events.push(event)
    )
    expect(outcome.exitCode).toBe(0)
    const message = (task: string) =>
      events.find(
        (event): event is Extract<RunEvent, { type: 'host_result' }> =>
          event.type === 'host_result' && event.task.name === task
      )?.result.msg
    expect(message('direct')).toBe('{{ 7 * 6 }}|{{ 7 * 6 }}')
    expect(message('copied')).toBe('{{ 7 * 6 }}')
  })
})
