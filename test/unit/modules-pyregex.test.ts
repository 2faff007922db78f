// Python `re` semantics the text modules rely on.
import { describe, expect, it } from 'vitest'
import { expandTemplate, pyRegex } from '../../src/modules/pyregex.js'

describe('pyRegex', () => {
  it('lets $ match before a final newline, like Python', () => {
    expect(pyRegex('^a=(\\d+)$').test('a=1\n')).toBe(true)
    expect(pyRegex('^a$').test('a\nb')).toBe(false)
    expect(pyRegex('^b$', { multiline: true }).test('a\nb\n')).toBe(true)
  })

  it('translates named groups, backreferences and \\A \\Z', () => {
    const match = pyRegex('(?P<key>\\w+)=(?P=key)').exec('x=x')!
    expect(match.groups).toEqual({ key: 'x' })
    expect(pyRegex('\\Afoo\\Z', { multiline: true }).test('foo')).toBe(true)
    expect(pyRegex('\\Afoo', { multiline: true }).test('x\nfoo')).toBe(false)
    expect(pyRegex('(?i)abc').test('ABC')).toBe(true)
  })
})

describe('expandTemplate', () => {
  it('expands numbered and named groups and escapes', () => {
    const match = pyRegex('(?P<k>\\w+)=(\\w+)').exec('a=1')!
    expect(expandTemplate('\\2:\\g<k>\\n\\g<1>', match)).toBe('1:a\na')
    expect(() => expandTemplate('\\3', match)).toThrow('invalid group reference 3')
  })
})
