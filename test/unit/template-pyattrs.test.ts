// Names of Python's built-in methods read without a call (`d.items`, Jinja tries getattr
// first for `.name` and the item first for `['name']`; outputs compared with ansible-playbook.
import { describe, expect, it } from 'vitest'
import { Templar, UndefinedVariableError } from '../../src/template/index.js'

const templar = new Templar()
const method = (name: string, type: string) =>
  new RegExp(`^<built-in method ${name} of ${type} object at 0x[0-9a-f]+>$`)

describe('built-in method names without a call', () => {
  it.each([
    ['{{ d.items }}', { d: { items: 'v' } }, 'items', 'dict'],
    ['{{ d.keys }}', { d: { a: 1 } }, 'keys', 'dict'],
    ["{{ d['keys'] }}", { d: { a: 1 } }, 'keys', 'dict'],
    ['{{ l.append }}', { l: [] }, 'append', 'list'],
    ['{{ s.upper }}', { s: 'abc' }, 'upper', 'str'],
    ["{{ d.items | default('x') }}", { d: {} }, 'items', 'dict']
  ])('%s is the bound method', (template, vars, name, type) => {
    expect(templar.template(template, vars)).toMatch(method(name, type))
  })

  it('keeps keys where Python finds no method, or the item first', () => {
    const d = { title: 'T', count: 3, values: 4, items: 1 }
    expect(
      templar.template("{{ d.title }}-{{ d.count }}-{{ d['values'] }}-{{ d['items'] }}", { d })
    ).toBe('T-3-4-1')
  })

  it('leaves loop and namespace attributes alone', () => {
    expect(templar.template('{% for i in [1,2] %}{{ loop.index }}{% endfor %}', {})).toBe('12')
    expect(
      templar.template(
        '{% set ns = namespace(items=[1], count=2) %}{{ ns.items }}{{ ns.count }}',
        {}
      )
    ).toBe('[1]2')
  })

  it('fails like Python where there is neither a method nor a key', () => {
    for (const [template, vars, message] of [
      ['{{ s.items }}', { s: 'abc' }, "'str object' has no attribute 'items'"],
      ['{{ n.items }}', { n: 5 }, "'int object' has no attribute 'items'"],
      ['{{ nope.items }}', {}, "'nope' is undefined"],
      ['{{ d.nope.items }}', { d: {} }, "'dict object' has no attribute 'nope'"]
    ] as const) {
      expect(() => templar.template(template, vars)).toThrow(UndefinedVariableError)
      expect(() => templar.template(template, vars)).toThrow(message)
    }
    expect(templar.template("{{ s.items | default('x') }}", { s: 'abc' })).toBe('x')
    expect(templar.template('{{ s.items is defined }}', { s: 'abc' })).toBe(false)
  })
})
