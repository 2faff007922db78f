// Floats that reach JS filters: a JS number cannot tell 2.0 from 2, so filters whose output
// shows it get their input as the engine's JSON text. Expected values: ansible-playbook 2.14.18.
import { describe, expect, it } from 'vitest'
import { Templar } from '../../src/template/index.js'

const templar = new Templar()

describe('float-ness across JS filters', () => {
  it.each([
    ['{{ 1.0 | type_debug }}', 'float'],
    ['{{ 1 | type_debug }}', 'int'],
    [
      "{{ [1, 'a', {}, [], 1.0, true, none] | map('type_debug') | list }}",
      ['int', 'str', 'dict', 'list', 'float', 'bool', 'NoneType']
    ],
    ["{{ {'a': 2.0} | to_json }}", '{"a": 2.0}'],
    ["{{ {'b': [1.0, 3], 'a': 2.0} | to_json }}", '{"b": [1.0, 3], "a": 2.0}'],
    [
      "{{ {'a': 2.0, 'b': [1.0, 3]} | to_nice_json(indent=1) }}",
      '{\n "a": 2.0,\n "b": [\n  1.0,\n  3\n ]\n}'
    ],
    ["{{ {'a': 2.0} | to_yaml }}", '{a: 2.0}\n'],
    ["{{ {'a': [2.0]} | to_nice_yaml }}", 'a:\n- 2.0\n'],
    ['{{ 1.0 | string }}|{{ [1.0] | string }}', '1.0|[1.0]'],
    ['{{ 2 | float }}|{{ [2 | float] | to_json }}|{{ "3" | float | string }}', '2.0|[2.0]|3.0'],
    ['{{ 1 + 2 | float }}', '3.0'],
    ["{{ 'x' | float }}", '0.0'],
    ["{{ {'k': 'a<b>&é'} | to_json }}", '{"k": "a<b>&\\u00e9"}']
  ])('%s', (template, expected) => {
    expect(templar.template(template, {})).toEqual(expected)
  })

  it('keeps undefined and none apart on the JSON path', () => {
    expect(templar.template('{{ none | type_debug }}', {})).toBe('NoneType')
    expect(() => templar.template('{{ nope | to_json }}', {})).toThrow("'nope' is undefined")
  })
})
