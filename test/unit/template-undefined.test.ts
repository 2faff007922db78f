// Ansible's undefined fails where minijinja's chainable one goes on: operands of `~`, `==`,
// `not`, `+`, `in`, comparisons.
// Messages compared with ansible-playbook 2.14.18.
import { describe, expect, it } from 'vitest'
import { Templar } from '../../src/template/index.js'

const templar = new Templar()

describe('undefined operands of ~', () => {
  it.each([
    ["{{ x ~ 'a' }}", {}, "'x' is undefined"],
    ["{{ 'a' ~ x }}", {}, "'x' is undefined"],
    ["{{ d.k ~ 'a' }}", { d: {} }, "'dict object' has no attribute 'k'"],
    ['{{ a ~ b ~ c }}', { a: 1, c: 'x' }, "'b' is undefined"],
    ["{% set s = 'p' ~ y %}{{ s }}", {}, "'y' is undefined"]
  ])('%s fails like Ansible', (template, vars, message) => {
    expect(() => templar.template(template, vars)).toThrow(message)
  })

  it.each([
    ["{{ x | default('') ~ 'a' }}", {}, 'a'],
    ["{{ 'x' ~ (y if y is defined else 'z') }}", {}, 'xz'],
    ['{{ a ~ b ~ c }}', { a: 1, b: 2.5, c: 'x' }, '12.5x'],
    ["{{ 1.0 ~ 'a' }}|{{ 2 * 3 ~ 'a' }}|{{ -n ~ 'a' }}", { n: 4 }, '1.0a|6a|-4a'],
    ['{% for i in [1,2] %}{{ i ~ loop.index }}{% endfor %}', {}, '1122'],
    ["{{ 'a' ~ x if false else 'n' }}", {}, 'n']
  ])('%s renders', (template, vars, expected) => {
    expect(templar.template(template, vars)).toBe(expected)
  })
})

describe('undefined operands of other operators', () => {
  it.each([
    ['{{ x == 1 }}', {}, "'x' is undefined"],
    ['{{ 1 != x }}', {}, "'x' is undefined"],
    ['{{ not x }}', {}, "'x' is undefined"],
    ['{{ x in [1] }}', {}, "'x' is undefined"],
    ['{{ x not in [1] }}', {}, "'x' is undefined"],
    ['{{ 1 in x }}', {}, "'x' is undefined"],
    ['{{ x < 1 }}', {}, "'x' is undefined"],
    ['{{ x or 1 }}', {}, "'x' is undefined"],
    ['{{ x * 2 }}', {}, "'x' is undefined"],
    ['{{ -x }}', {}, "'x' is undefined"],
    ['{{ x is defined or x == 1 }}', {}, "'x' is undefined"],
    ['{{ e.k == 1 }}', { e: {} }, "'dict object' has no attribute 'k'"],
    ['{% if x == 1 %}a{% endif %}', {}, "'x' is undefined"]
  ])('%s fails like Ansible', (template, vars, message) => {
    expect(() => templar.template(template, vars)).toThrow(message)
  })

  const vars = { d: { a: 1, b: 2 }, skip: ['a'], a: true, b: false, l: [1, 2] }
  it.each([
    ['{{ x is not defined or x == 1 }}', true],
    ['{% for k in d if k not in skip %}{{ k }}{% endfor %}', 'b'],
    ['{{ a and not b }}', true],
    ['{{ l | length > 1 and l[1] == 2 }}', true],
    ["{{ (x == 1) if x is defined else 'n' }}", 'n'],
    [
      '{% set ns = namespace(c=0) %}{% for i in l %}{% set ns.c = ns.c + i %}{% endfor %}{{ ns.c }}',
      '3'
    ]
  ])('%s renders', (template, expected) => {
    expect(templar.template(template, vars)).toBe(expected)
  })

  it('leaves conditions to their is-defined guards, as Ansible does', () => {
    expect(templar.evaluateConditional('x is defined or x == 1', {})).toBe(false)
    expect(() => templar.evaluateConditional('x == 1', {})).toThrow(
      "error while evaluating conditional (x == 1): 'x' is undefined"
    )
    expect(() => templar.evaluateConditional('x + 1', {})).toThrow(
      "error while evaluating conditional (x + 1): 'x' is undefined"
    )
  })
})
