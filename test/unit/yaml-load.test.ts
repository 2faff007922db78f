import { describe, expect, it } from 'vitest'
import { UnsafeText } from '../../src/template/unsafe.js'
import { YamlLoadError, loadYaml, nonStringKeysOf, positionOf } from '../../src/yaml/load.js'

function load(text: string): { data: unknown; warnings: string[] } {
  const warnings: string[] = []
  const data = loadYaml(text, 'f.yml', message => warnings.push(message))
  return { data, warnings }
}

describe('shared PyYAML-compatible loader', () => {
  it('types scalars as PyYAML does', () => {
    const { data } = load(
      'a: 1e3\nb: 1.5e+3\nc: 0755\nd: y\ne: on\nf: 2001-12-14\ng: 0x1F\nh: 1:30\ni: ~\n'
    )
    expect(data).toEqual({
      a: '1e3',
      b: 1500,
      c: 493,
      d: 'y',
      e: true,
      f: '2001-12-14',
      g: 31,
      h: 90,
      i: null
    })
  })

  it('warns about duplicate keys with Ansible text, also when a merged key is overridden', () => {
    const { data, warnings } = load('base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3\n  z: 4\n  z: 5\n')
    expect((data as Record<string, unknown>).m).toEqual({ x: 3, y: 2, z: 5 })
    expect(warnings).toEqual([
      'While constructing a mapping from f.yml, line 3, column 3, found a duplicate dict key (x). Using last defined value only.',
      'While constructing a mapping from f.yml, line 3, column 3, found a duplicate dict key (z). Using last defined value only.'
    ])
  })

  it('keeps positions of mappings and sequences and flags non-string keys', () => {
    const { data } = load('- name: t\n  123: x\n')
    const list = data as Record<string, unknown>[]
    expect(positionOf(list)).toEqual({ file: 'f.yml', line: 1, column: 1 })
    expect(positionOf(list[0])).toEqual({ file: 'f.yml', line: 1, column: 3 })
    expect([...nonStringKeysOf(list[0])]).toEqual(['123'])
  })

  it('reads !unsafe as UnsafeText and refuses !vault and bad syntax with a position', () => {
    expect((load('a: !unsafe "{{ x }}"\n').data as Record<string, unknown>).a).toBeInstanceOf(
      UnsafeText
    )
    expect(() => load('a: !vault |\n  $ANSIBLE_VAULT\n')).toThrow(YamlLoadError)
    try {
      load('a: [1\nb: 2\n')
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(YamlLoadError)
      expect((error as YamlLoadError).kind).toBe('syntax')
      expect((error as YamlLoadError).position.file).toBe('f.yml')
    }
  })
})
