// Dict keys that are not strings (None, True, 1, 2.0) reaching the serialising filters: the
// engine's `tojson` refused a `none` key. Expected values: ansible-playbook 2.14.18.
import { describe, expect, it } from 'vitest'
import { Templar } from '../../src/template/index.js'

const templar = new Templar()

describe('non-string dict keys through JS filters', () => {
  it.each([
    ['{{ {none: 1} | to_json }}', '{"null": 1}'],
    ["{{ {1: 'a', 'b': 2} | to_json }}", '{"1": "a", "b": 2}'],
    ['{{ {1.5: 1} | to_json }}', '{"1.5": 1}'],
    ["{{ [{1.0: 'a'}] | to_json }}", '[{"1.0": "a"}]'],
    ['{{ {1: 2.0} | to_json }}', '{"1": 2.0}'],
    ['{{ {none: 1} | to_nice_json }}', '{\n    "null": 1\n}'],
    ['{{ {none: 1} | to_yaml }}', '{null: 1}\n'],
    ["{{ {1: 'a', 'b': 2} | to_yaml }}", '{1: a, b: 2}\n'],
    ['{{ {true: 1} | to_yaml }}', '{true: 1}\n'],
    ["{{ {'x': {1: [1, {'a': 2.0}]}} | to_yaml }}", 'x:\n  1:\n  - 1\n  - {a: 2.0}\n'],
    ['{{ {none: 1} | to_nice_yaml }}', 'null: 1\n'],
    ["{{ {1: {'a': [1,2]}} | to_nice_yaml }}", '1:\n    a:\n    - 1\n    - 2\n'],
    ['{{ {none: 1} | type_debug }}', 'dict'],
    ["{{ [{none: 1}] | map('type_debug') | list }}", ['dict']],
    ['{{ {none: 1} | string }}', '{None: 1}'],
    ['{{ {1: 2} | string }}', '{1: 2}'],
    ["{{ {2.0: 'a'} | string }}", "{2.0: 'a'}"],
    ['{{ [none, 1e20, -0.0, 0.5] | to_json }}', '[null, 1e+20, -0.0, 0.5]']
  ])('%s', (template, expected) => {
    expect(templar.template(template, {})).toEqual(expected)
  })

  it.each([
    ["a{{ {none: 1, 'b': 'x'} }}|{{ {2: 'x'} }}", "a{None: 1, 'b': 'x'}|{2: 'x'}"],
    ['{{ {true: 1, false: 2} | to_json }}', '{"true": 1, "false": 2}'],
    ["{{ {1: 'a'} | dict2items | map(attribute='value') | list }}", ['a']],
    ['{{ {none: 1} }}', { null: 1 }]
  ])('%s keeps the values of non-string keys', (template, expected) => {
    expect(templar.template(template, {})).toEqual(expected)
  })

  it('keeps escapes and non-ASCII text of string values', () => {
    const vars = { s: 'q"b\\\\c\u00e9\n\u0001\u{1f600}' }
    expect(templar.template("{{ {'k': s} | to_json }}", vars)).toBe(
      '{"k": "q\\"b\\\\\\\\c\\u00e9\\n\\u0001\\ud83d\\ude00"}'
    )
    expect(templar.template("{{ {'k': s} | string }}", vars)).toBe(
      "{'k': 'q\"b\\\\\\\\c\u00e9\\n\\x01\u{1f600}'}"
    )
  })
})
