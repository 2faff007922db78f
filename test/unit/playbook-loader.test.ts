// The loader on its own: YAML 1.1 as PyYAML reads it, Ansible's key=value splitting, action
// resolution in all its forms, and errors that name file, line and what was expected.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveAction } from '../../src/playbook/action.js'
import { PlaybookError } from '../../src/playbook/errors.js'
import { loadPlaybook } from '../../src/playbook/loader.js'
import type { BlockNode, TaskNode } from '../../src/playbook/objects.js'
import { parseKeyValue, splitArgs } from '../../src/playbook/splitter.js'
import { parseYaml, positionOf } from '../../src/playbook/yaml.js'
import { UnsafeText } from '../../src/template/unsafe.js'

const dir = mkdtempSync(path.join(tmpdir(), 'loader-'))
/** These files have no duplicate keys: any warning is a loader bug. */
const noWarning = (message: string) => expect.fail(`unexpected warning: ${message}`)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function write(name: string, text: string): string {
  const file = path.join(dir, name)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, text)
  return file
}

function loadError(text: string): PlaybookError {
  const file = write(`pb-${Math.random().toString(36).slice(2)}.yml`, text)
  try {
    loadPlaybook(file, noWarning)
  } catch (error) {
    if (error instanceof PlaybookError) return error
    throw error
  }
  throw new Error('the playbook loaded without error')
}

describe('YAML 1.1 like PyYAML', () => {
  it('reads yes/no/on/off as booleans but y/n as strings, and leading-zero ints as octal', () => {
    expect(
      parseYaml('[yes, No, ON, off, y, n, true, 0755, 0o17, 1_000]', 'x.yml', noWarning)
    ).toEqual([true, false, true, false, 'y', 'n', true, 493, '0o17', 1000])
  })

  it('merges `<<` keys without overriding the mapping’s own keys', () => {
    const warnings: string[] = []
    const data = parseYaml('base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\n', 'x.yml', message =>
      warnings.push(message)
    ) as Record<string, Record<string, number>>
    expect(data.child).toEqual({ a: 1, b: 3 })
    // PyYAML flattens the merge into the mapping, so Ansible sees `b` twice and says so.
    expect(warnings).toEqual([
      'While constructing a mapping from x.yml, line 3, column 3, found a duplicate dict key (b). Using last defined value only.'
    ])
  })

  it('keeps !unsafe text untemplatable and refuses !vault with the position', () => {
    const data = parseYaml('raw: !unsafe "{{ not_a_template }}"\n', 'x.yml', noWarning) as Record<
      string,
      unknown
    >
    expect(data.raw).toBeInstanceOf(UnsafeText)
    expect(String(data.raw)).toBe('{{ not_a_template }}')
    expect(() =>
      parseYaml('secret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n', 'v.yml', noWarning)
    ).toThrow(/not supported/)
  })

  it('remembers where every mapping was written', () => {
    const data = parseYaml(
      '- hosts: all\n  tasks:\n    - name: t\n      debug: msg=x\n',
      'p.yml',
      noWarning
    ) as {
      tasks: object[]
    }[]
    expect(positionOf(data[0])).toEqual({ file: 'p.yml', line: 1, column: 3 })
    expect(positionOf(data[0].tasks[0])).toEqual({ file: 'p.yml', line: 3, column: 7 })
  })

  it('reports a syntax error with file and line', () => {
    const error = loadError('- hosts: all\n  tasks: [\n')
    expect(error.exitCode).toBe(4)
    expect(error.position?.file).toMatch(/pb-.*\.yml$/)
    expect(error.describe()).toContain('Syntax Error while loading YAML')
  })
})

describe("Ansible's key=value arguments", () => {
  it('keeps quoted values and Jinja expressions together', () => {
    expect(parseKeyValue('msg="hello world" when={{ a | default("x y") }}')).toEqual({
      msg: 'hello world',
      when: '{{ a | default("x y") }}'
    })
  })

  it('keeps free-form text of command modules apart from their options', () => {
    expect(parseKeyValue('echo a=b  "c d" creates=/tmp/x', true)).toEqual({
      _raw_params: 'echo a=b "c d"',
      creates: '/tmp/x'
    })
  })

  it('splits on spaces but preserves newlines and refuses unbalanced quotes', () => {
    expect(splitArgs('a=1\nb=2')).toEqual(['a=1\n', 'b=2'])
    expect(() => splitArgs('msg="unterminated')).toThrow(/unbalanced/)
  })
})

describe('action resolution', () => {
  it('accepts every form Ansible accepts', () => {
    expect(
      resolveAction({ 'ansible.builtin.copy': { dest: '/x', content: 'y' } }, undefined)
    ).toMatchObject({
      action: 'ansible.builtin.copy',
      args: { dest: '/x', content: 'y' }
    })
    expect(resolveAction({ action: 'shell echo hi chdir=/tmp' }, undefined)).toMatchObject({
      action: 'shell',
      args: { _raw_params: 'echo hi', chdir: '/tmp' }
    })
    expect(
      resolveAction({ local_action: { module: 'command', _raw_params: 'id' } }, undefined)
    ).toMatchObject({
      action: 'command',
      delegateTo: 'localhost'
    })
    expect(resolveAction({ command: 'pwd', args: { chdir: '/tmp' } }, undefined).args).toEqual({
      chdir: '/tmp',
      _raw_params: 'pwd'
    })
  })

  it("uses Ansible's wording for conflicts, unknown modules and stray free-form text", () => {
    expect(() => resolveAction({ debug: 'msg=x', command: 'id' }, undefined)).toThrow(
      'conflicting action statements: debug, command'
    )
    expect(() => resolveAction({ no_such_module: {} }, undefined)).toThrow(
      "couldn't resolve module/action 'no_such_module'"
    )
    expect(() => resolveAction({ debug: 'msg=not for h2' }, undefined)).toThrow(
      "this task 'debug' has extra params"
    )
  })
})

describe('playbook validation before anything runs', () => {
  it('prints the offending line with a caret, as Ansible does', () => {
    const error = loadError(
      '- hosts: all\n  tasks:\n    - name: bad\n      debug: msg=x\n      not_a_keyword: 1\n'
    )
    expect(error.exitCode).toBe(4)
    expect(error.describe()).toBe(
      'conflicting action statements: debug, not_a_keyword\n\n' +
        `The error appears to be in '${error.position?.file}': line 3, column 7, but may\n` +
        'be elsewhere in the file depending on the exact syntax problem.\n\n' +
        'The offending line appears to be:\n\n  tasks:\n    - name: bad\n      ^ here\n'
    )
  })

  it('names unknown and unsupported keywords with their position', () => {
    expect(loadError('- hosts: all\n  colour: red\n').message).toBe(
      "'colour' is not a valid attribute for a Play"
    )
    const unsupported = loadError(
      '- hosts: all\n  tasks:\n    - command: sleep 1\n      async: 10\n'
    )
    expect(unsupported.message).toMatch(/keyword 'async' is not supported/)
    expect(unsupported.position?.line).toBe(3)
    expect(loadError('- tasks: []\n').message).toBe("the field 'hosts' is required but was not set")
    expect(loadError('- hosts: all\n  tasks:\n    - block: []\n      loop: [1]\n').message).toBe(
      "'loop' is not a valid attribute for a Block"
    )
  })

  it('refuses a notify without handler (exit 1) and a missing import (exit 1)', () => {
    const notify = loadError('- hosts: all\n  tasks:\n    - command: id\n      notify: nope\n')
    expect(notify.exitCode).toBe(1)
    expect(notify.message).toContain("The requested handler 'nope' was not found")
    const missing = loadError('- hosts: all\n  tasks:\n    - import_tasks: missing.yml\n')
    expect(missing.exitCode).toBe(1)
    expect(missing.message).toContain('missing.yml')
  })

  it('imports task files statically, inheriting the import’s keywords', () => {
    write('inc/steps.yml', '- name: inner\n  debug: msg=x\n')
    const file = write(
      'imports.yml',
      '- hosts: all\n  tags: [p]\n  tasks:\n    - import_tasks: inc/steps.yml\n      when: flag\n      tags: [t]\n'
    )
    const [play] = loadPlaybook(file, noWarning)
    const block = play.tasks[0] as BlockNode
    expect(block.kind).toBe('block')
    expect(block.keywords).toMatchObject({ when: 'flag', tags: ['t'] })
    const inner = block.block[0] as TaskNode
    expect(inner.module).toBe('debug')
    expect(inner.parent).toBe(block)
    expect(block.parent?.keywords.tags).toEqual(['p'])
  })

  it('imports playbooks with vars and tags, and refuses other keys', () => {
    write('sub/child.yml', '- hosts: all\n  vars: {own: 1}\n  tasks:\n    - debug: msg=x\n')
    const file = write(
      'parent.yml',
      '- import_playbook: sub/child.yml\n  vars: {given: 2, own: 0}\n  tags: [imp]\n'
    )
    const [play] = loadPlaybook(file, noWarning)
    expect(play.vars).toEqual({ given: 2, own: 1 })
    expect(play.tasks[0].parent?.keywords.tags).toEqual(['imp'])
    expect(loadError('- import_playbook: sub/child.yml\n  when: false\n').message).toMatch(
      /'when' is not supported on import_playbook/
    )
  })

  it('loads roles with defaults, vars, handlers and meta dependencies', () => {
    write('roles/base/tasks/main.yml', '- name: base task\n  debug: msg=base\n')
    write('roles/base/defaults/main.yml', 'base_default: 1\n')
    write('roles/app/meta/main.yml', 'dependencies:\n  - base\n')
    write('roles/app/tasks/main.yml', '- name: app task\n  command: id\n  notify: restart app\n')
    write('roles/app/handlers/main.yml', '- name: restart app\n  debug: msg=restart\n')
    write('roles/app/vars/main.yml', 'app_var: v\n')
    const file = write('roles.yml', '- hosts: all\n  roles:\n    - role: app\n      port: 8080\n')
    const [play] = loadPlaybook(file, noWarning)
    expect(play.roles.map(role => role.name)).toEqual(['base', 'app'])
    expect(play.roles[1].vars).toEqual({ app_var: 'v', port: 8080 })
    expect(play.roles[0].defaults).toEqual({ base_default: 1 })
    expect(play.handlers.map(handler => handler.handlerNames)).toEqual([['restart app']])
    const roleBlock = play.tasks[0] as BlockNode
    expect(roleBlock.block.map(task => (task as TaskNode).keywords.name)).toEqual([
      'base task',
      'app task'
    ])
  })
})
