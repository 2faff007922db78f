// Lookup plugins, through templar.lookup() (what with_<name> loops call) and through
// lookup()/query() inside templates. Files live in a temp playbook directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Templar, TemplateError, registerLookup } from '../../src/template/index.js'

const templar = new Templar()
let playbookDir: string
let vars: Record<string, unknown>

beforeAll(() => {
  playbookDir = mkdtempSync(path.join(tmpdir(), 'templar-lookups-'))
  mkdirSync(path.join(playbookDir, 'files'))
  mkdirSync(path.join(playbookDir, 'templates'))
  writeFileSync(path.join(playbookDir, 'files', 'motd.txt'), 'hello\n\n')
  writeFileSync(path.join(playbookDir, 'files', 'a.conf'), 'a')
  writeFileSync(path.join(playbookDir, 'files', 'b.conf'), 'b')
  writeFileSync(path.join(playbookDir, 'templates', 'greet.j2'), 'hi {{ who }}\n')
  vars = { playbook_dir: playbookDir, who: '{{ name }}', name: 'ops' }
})

afterAll(() => rmSync(playbookDir, { recursive: true, force: true }))

describe('lookups for with_<name> loops', () => {
  it.each([
    ['items', [[1, 2], 3], [1, 2, 3]],
    ['list', [[1, 2], 3], [[1, 2], 3]],
    [
      'indexed_items',
      [['a', 'b']],
      [
        [0, 'a'],
        [1, 'b']
      ]
    ],
    [
      'dict',
      [{ x: 1, y: 2 }],
      [
        { key: 'x', value: 1 },
        { key: 'y', value: 2 }
      ]
    ],
    ['sequence', ['start=1 end=3 format=web%02d'], ['web01', 'web02', 'web03']],
    ['sequence', ['4-8/2'], ['4', '6', '8']],
    ['flattened', [[1, [2, [3]]]], [1, 2, 3]]
  ])('%s %j', (name, terms, expected) => {
    expect(templar.lookup(name, terms as unknown[], vars)).toEqual(expected)
  })

  it('reads files, templates and globs next to the playbook', () => {
    expect(templar.lookup('file', ['motd.txt'], vars)).toEqual(['hello'])
    expect(templar.lookup('template', ['greet.j2'], vars)).toEqual(['hi ops\n'])
    expect(templar.lookup('fileglob', ['*.conf'], vars)).toEqual([
      path.join(playbookDir, 'files', 'a.conf'),
      path.join(playbookDir, 'files', 'b.conf')
    ])
    expect(templar.lookup('first_found', [['nope.txt', 'b.conf']], vars)).toEqual([
      path.join(playbookDir, 'files', 'b.conf')
    ])
  })

  it('fails clearly on a missing file, unless errors=ignore', () => {
    expect(() => templar.lookup('file', ['absent.txt'], vars)).toThrow(
      /could not locate file in lookup: absent.txt/
    )
    expect(templar.lookup('file', ['absent.txt'], vars, { errors: 'ignore' })).toEqual([])
    expect(() => templar.lookup('no_such_lookup', [], vars)).toThrow(TemplateError)
  })

  it('runs pipe on the runner and reads env and vars', () => {
    process.env.TEMPLAR_LOOKUP_TEST = 'from-env'
    expect(templar.lookup('pipe', ['echo piped'], vars)).toEqual(['piped'])
    expect(templar.lookup('env', ['TEMPLAR_LOOKUP_TEST', 'TEMPLAR_SURELY_UNSET'], vars)).toEqual([
      'from-env',
      ''
    ])
    expect(templar.lookup('vars', ['who'], vars)).toEqual(['ops'])
  })

  it('accepts lookups registered by other layers', () => {
    registerLookup('upper_terms', terms => terms.map(term => String(term).toUpperCase()))
    expect(templar.lookup('upper_terms', ['a'], vars)).toEqual(['A'])
  })
})

describe('lookup() and query() in templates', () => {
  it('joins string results with commas for lookup() and keeps lists for query()', () => {
    expect(templar.template("{{ lookup('items', ['a', 'b']) }}", vars)).toBe('a,b')
    expect(templar.template("{{ lookup('items', [1, 2]) }}", vars)).toEqual([1, 2])
    expect(templar.template("{{ query('items', ['a', 'b']) }}", vars)).toEqual(['a', 'b'])
    expect(templar.template("{{ q('file', 'motd.txt') }}", vars)).toEqual(['hello'])
    expect(templar.template("{{ lookup('file', 'motd.txt', wantlist=True) }}", vars)).toEqual([
      'hello'
    ])
    expect(templar.template("{{ lookup('vars', 'nope', default='d') }}", vars)).toBe('d')
  })

  it('turns a lookup failure into a template error', () => {
    expect(() => templar.template("{{ lookup('file', 'absent.txt') }}", vars)).toThrow(
      /An unhandled exception occurred while running the lookup plugin 'file'/
    )
  })
})
