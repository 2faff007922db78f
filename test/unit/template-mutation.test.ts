// Python's in-place methods in templates (`{% set _ = l.append(x) %}`), checked against what
// ansible-playbook 2.14.18 printed for the same templates, and the forms that must be refused.
import { describe, expect, it } from 'vitest'
import { Templar, TemplateError } from '../../src/template/index.js'
import { failure } from './template-failure.js'

const templar = new Templar()

describe('in-place methods on template variables', () => {
  it.each([
    ["{% set d = {'a': 1} %}{% set _ = d.update({'b': 2}) %}{{ d }}", {}, { a: 1, b: 2 }],
    [
      '{% set l = [] %}{% for i in [1,2,3] %}{% set _ = l.append(i) %}{% endfor %}{{ l }}',
      {},
      [1, 2, 3]
    ],
    [
      '{% for i in [1,2,3] %}{% set _ = l.append(i) %}{% endfor %}{{ l }}',
      { l: [0] },
      [0, 1, 2, 3]
    ],
    ['{% if true %}{% set _ = l.append(1) %}{% endif %}{{ l }}', { l: [] }, [1]],
    ["{% set _ = d['k'].append(1) %}{{ d }}", { d: { k: [] } }, { k: [1] }],
    [
      '{% set ns = namespace(items=[]) %}{% for i in [1,2] %}{% set _ = ns.items.append(i) %}{% endfor %}{{ ns.items }}',
      {},
      [1, 2]
    ],
    ['{% set _ = l.append(2) %}{{ l }}', { l: '{{ [1] }}' }, [1, 2]],
    ['{% set _ = l.append(2) %}{{ l | length }}', { l: [1] }, '2'],
    ['{{ l.append(5) }}', { l: [0] }, ''],
    ['{{ l.append(5) }}{{ l }}', { l: [0] }, [0, 5]],
    ['{{ [l.append(1), l] }}', { l: [] }, [null, [1]]],
    ['{{ l.append(1) or l }}', { l: [] }, [1]],
    ['{{ l.pop() }}{{ l }}', { l: [0, 1] }, '1[0]'],
    ['{{ l.pop(0) }}-{{ l }}', { l: [0, 1] }, '0-[1]'],
    ["{{ d.pop('a') }}-{{ d }}", { d: { a: 1, b: 2 } }, "1-{'b': 2}"],
    ["{{ d.pop('z', 9) }}-{{ d }}", { d: { a: 1, b: 2 } }, "9-{'a': 1, 'b': 2}"],
    [
      "{{ d.setdefault('z', 9) }}-{{ d.setdefault('a', 5) }}-{{ d }}",
      { d: { a: 1, b: 2 } },
      "9-1-{'a': 1, 'b': 2, 'z': 9}"
    ],
    ["{{ l.insert(0, 'x') }}-{{ l }}", { l: [0, 1] }, "-['x', 0, 1]"],
    ['{{ l.remove(1) }}-{{ l }}', { l: [0, 1, 1] }, '-[0, 1]'],
    ['{{ l.sort() }}-{{ l }}', { l: [3, 1, 2] }, '-[1, 2, 3]'],
    ['{{ l.sort(reverse=true) }}-{{ l }}', { l: [3, 1, 2] }, '-[3, 2, 1]'],
    ['{{ l.reverse() }}-{{ l }}', { l: [3, 1, 2] }, '-[2, 1, 3]'],
    ['{{ l.clear() }}-{{ l }}', { l: [3, 1, 2] }, '-[]'],
    ['{{ d.clear() }}-{{ d }}', { d: { a: 1 } }, '-{}'],
    ['{{ l.extend([4,5]) }}-{{ l }}', { l: [3] }, '-[3, 4, 5]'],
    ["{{ l.extend('ab') }}-{{ l }}", { l: [3] }, "-[3, 'a', 'b']"],
    ['{{ d.update(c=3) }}-{{ d }}', { d: { a: 1 } }, "-{'a': 1, 'c': 3}"],
    ["{{ d.update({'a': 5}, c=3) }}-{{ d }}", { d: { a: 1, b: 2 } }, "-{'a': 5, 'b': 2, 'c': 3}"],
    ['{{ [1].append(2) }}|{{ [3, 1].pop() }}', {}, '|1'],
    ["{% set _ = d.setdefault('k', []).append(1) %}{{ d }}", { d: {} }, { k: [1] }],
    [
      "{% for i in [1, 2] %}{% set _ = d.setdefault('a', {}).setdefault('b', []).append(i) %}{% endfor %}{{ d }}",
      { d: { a: { c: 0 } } },
      { a: { c: 0, b: [1, 2] } }
    ],
    [
      '{% set ns = namespace(items=[]) %}{% for i in [1,2] %}{% set ns.items = ns.items + [i] %}{% set _ = ns.items.append(0) %}{% endfor %}{{ ns.items }}',
      {},
      [1, 0, 2, 0]
    ],
    [
      "{%- set out = [] -%}\n{%- for i in [1,2] -%}\n{%- set _ = out.append(i * 10) -%}\n{%- endfor -%}\n{{ out | join(',') }}",
      {},
      '10,20'
    ],
    [
      '{% macro m() %}{{ l | length }}{% endmacro %}{% set _ = l.append(1) %}{{ m() }}',
      { l: [5] },
      '2'
    ],
    ['{% set l = l + [1] %}{% set _ = l.append(2) %}{{ l }}', { l: [0] }, [0, 1, 2]],
    [
      '{% for g in gs %}{% set acc = [] %}{% for h in g %}{% set _ = acc.append(h) %}{% endfor %}{{ acc }}{% endfor %}',
      { gs: [[1, 2], [3]], acc: 'outer' },
      '[1, 2][3]'
    ]
  ])('%s', (template, vars, expected) => {
    expect(templar.template(template, vars)).toEqual(expected)
  })

  it("never changes the caller's variables", () => {
    const vars = { l: [1], d: { k: [2] } }
    templar.template("{% set _ = l.append(9) %}{% set _ = d['k'].append(9) %}", vars)
    expect(vars).toEqual({ l: [1], d: { k: [2] } })
  })

  it('reports Python errors of the methods', () => {
    expect(failure(() => templar.template('{{ l.remove(7) }}', { l: [1] })).message).toMatch(
      'list.remove(x): x not in list'
    )
    expect(failure(() => templar.template("{{ d.pop('z') }}", { d: {} })).message).toMatch(
      "KeyError: 'z'"
    )
  })

  it('names an undefined variable that is changed in place', () => {
    expect(failure(() => templar.template('{{ nope.append(1) }}', {})).message).toBe(
      "'nope' is undefined"
    )
    expect(failure(() => templar.template("{{ d['k'].append(1) }}", { d: {} })).message).toBe(
      "'dict object' has no attribute 'k'"
    )
  })

  it.each([
    ['{% for x in ls %}{% set _ = x.append(1) %}{% endfor %}', 'loop variable'],
    ['{% set m = l %}{% set _ = m.append(1) %}{{ l }}', 'second name'],
    ['{% set m = l %}{% set _ = l.append(1) %}{{ m }}', 'second name'],
    ['{% set m = l | default([]) %}{% set _ = m.append(1) %}', 'second name'],
    [
      '{% for i in [1] %}{% set l = [] %}{% set _ = l.append(i) %}{% endfor %}{{ l }}',
      'used outside it'
    ],
    [
      '{% for i in [1] %}{{ l }}{% set l = [] %}{% set _ = l.append(i) %}{% endfor %}',
      'used outside it'
    ],
    ['{% macro f(l) %}{% set _ = l.append(1) %}{% endmacro %}', 'macro variable'],
    ["{% set _ = hostvars['h'].l.append(1) %}", 'hostvars'],
    ['{% set _ = (l or []).append(1) %}', 'only variables']
  ])('refuses %s', (template, reason) => {
    const error = failure(() => templar.template(template, { l: [], ls: [[]] }))
    expect(error).toBeInstanceOf(TemplateError)
    expect(error.message).toContain(reason)
  })
})
