// Ansible's undefined fails where minijinja's chainable one goes on: operands of `~`.
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
