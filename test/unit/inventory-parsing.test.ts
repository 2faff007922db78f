// The small Python-compatibility pieces the INI plugin rests on. Expected values were checked
// against Python 3.11 (ast.literal_eval, shlex.split, textwrap.wrap) and ansible-core 2.14.
import { describe, expect, it } from 'vitest'
import {
  expandHostPattern,
  expandHostnameRange,
  parseAddress
} from '../../src/inventory/address.js'
import { iniValue, literalEval } from '../../src/python/literal.js'
import { shlexSplit } from '../../src/inventory/shlex.js'
import { formatWarning, textWrap } from '../../src/inventory/warnings.js'
import { splitHostPattern } from '../../src/inventory/patterns.js'
import { loadYaml } from '../../src/inventory/yaml-load.js'
import { UnsafeText } from '../../src/template/unsafe.js'

describe('literalEval (ast.literal_eval)', () => {
  it.each([
    ['1', 1],
    ['-5', -5],
    ['+3', 3],
    ['1.5', 1.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b101', 5],
    ['1_000', 1000],
    ['True', true],
    ['None', null],
    ["'a' 'b'", 'ab'],
    ['"tab\\tx"', 'tab\tx'],
    ["r'\\n'", '\\n'],
    ['[1, (2, 3), {"k": None}]', [1, [2, 3], { k: null }]],
    ['(1)', 1],
    ['(1,)', [1]],
    ['()', []],
    ['{}', {}],
    ['1 # comment', 1],
    ['  7', 7]
  ])('%s', (text, value) => {
    expect(literalEval(text)).toEqual({ ok: true, value })
  })

  it.each([
    '007',
    'yes',
    'true',
    '1+2',
    '--1',
    '1.2.3',
    '10.0.0.1',
    "f'x'",
    '[1,2,x]',
    '',
    'a b',
    '1j'
  ])('keeps %j as text', text => {
    expect(literalEval(text)).toEqual({ ok: false })
    expect(iniValue(text)).toBe(text)
  })
})

describe('shlexSplit (shlex.split, posix, comments)', () => {
  it('splits, unquotes and stops at comments', () => {
    expect(shlexSplit(`h1 a="x y" b='it''s' c=d#comment`)).toEqual(['h1', 'a=x y', 'b=its', 'c=d'])
  })
  it('keeps backslashes in double quotes except before " and \\', () => {
    expect(shlexSplit(String.raw`e="tab\tend" f="q\"q" g=\"raw\"`)).toEqual([
      String.raw`e=tab\tend`,
      'f=q"q',
      'g="raw"'
    ])
  })
  it('fails on an open quote', () => {
    expect(() => shlexSplit('h1 a="open')).toThrow('No closing quotation')
  })
})

describe('host addresses and ranges', () => {
  it('parses ports and IPv6', () => {
    expect(parseAddress('host:22', false)).toEqual({ host: 'host', port: 22 })
    expect(parseAddress('[fe80::1]:2200', false)).toEqual({ host: 'fe80::1', port: 2200 })
    expect(parseAddress('fe80::1', false)).toEqual({ host: 'fe80::1', port: undefined })
    expect(() => parseAddress('web[1:3]', false)).toThrow('Detected range')
  })
  it('expands numeric, padded, alphabetic, stepped and nested ranges', () => {
    expect(expandHostnameRange('web[01:03]')).toEqual(['web01', 'web02', 'web03'])
    expect(expandHostnameRange('n[0:6:3]')).toEqual(['n0', 'n3', 'n6'])
    expect(expandHostnameRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c'])
    expect(expandHostnameRange('r[1:2]-[a:b]')).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b'])
    expect(expandHostPattern('app[1:2]:2222')).toEqual({ hostnames: ['app1', 'app2'], port: 2222 })
  })
  it('reports range errors with Python text', () => {
    expect(() => expandHostnameRange('web[1:c]')).toThrow(
      "invalid literal for int() with base 10: 'c'"
    )
    expect(() => expandHostnameRange('m[01:3]')).toThrow('equal-length begin and end formats')
  })
})

describe('host pattern splitting', () => {
  it('splits on commas and colons but not inside addresses or ranges', () => {
    expect(splitHostPattern('a:b:&c:!d')).toEqual(['a', 'b', '&c', '!d'])
    expect(splitHostPattern(' web , db ')).toEqual(['web', 'db'])
    expect(splitHostPattern('fe80::1')).toEqual(['fe80::1'])
    expect(splitHostPattern('web[1:3]')).toEqual(['web[1:3]'])
    expect(splitHostPattern('web[8:]:db')).toEqual(['web[8:]', 'db'])
  })
})

describe('warnings as Ansible wraps them', () => {
  it('wraps at 79 columns and breaks after hyphens like textwrap', () => {
    const message =
      '\n* Failed to parse /tmp/cfxxxxxxxxxx/hosts.ini with ini plugin: /tmp/cfxxxxxxxxxx/hosts.ini:2: Section [parent:children] includes undefined group: child'
    expect(formatWarning(message)).toBe(
      '[WARNING]:  * Failed to parse /tmp/cfxxxxxxxxxx/hosts.ini with ini plugin:\n' +
        '/tmp/cfxxxxxxxxxx/hosts.ini:2: Section [parent:children] includes undefined\n' +
        'group: child\n'
    )
    expect(textWrap('aaaa-bbbb-cccc', 10)).toEqual(['aaaa-bbbb-', 'cccc'])
  })
})

describe('YAML as PyYAML types it', () => {
  it('resolves YAML 1.1 scalars and keeps !unsafe text', () => {
    const warnings: string[] = []
    const data = loadYaml(
      'a: yes\nb: 0755\nc: 1e3\nd: 2024-01-02\ne: ~\nf: !unsafe "{{ x }}"\ng: 1_000\nh: y\n',
      'f.yml',
      w => warnings.push(w)
    ) as Record<string, unknown>
    expect(data).toMatchObject({
      a: true,
      b: 493,
      c: '1e3',
      d: '2024-01-02',
      e: null,
      g: 1000,
      h: 'y'
    })
    expect(data.f).toBeInstanceOf(UnsafeText)
    expect(warnings).toEqual([])
  })
  it('warns about duplicate keys like Ansible, merge keys included', () => {
    const warnings: string[] = []
    const data = loadYaml('base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n', '/i/f.yml', w =>
      warnings.push(w)
    )
    expect(data).toEqual({ base: { x: 1 }, m: { x: 2 } })
    expect(warnings).toEqual([
      'While constructing a mapping from /i/f.yml, line 3, column 3, found a duplicate dict key (x). Using last defined value only.'
    ])
  })
  it('refuses !vault with file and line', () => {
    expect(() =>
      loadYaml('a: 1\nb: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n', 'g.yml', () => {})
    ).toThrow(/^g\.yml:2: vault-encrypted values \(!vault\) are not supported/)
  })
})
