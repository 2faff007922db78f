import { describe, expect, it } from 'vitest'
import { literalEval } from '../../src/python/literal.js'
import { NOT_LITERAL, pyLiteralEval } from '../../src/template/literal.js'

// Expected values are what python3's ast.literal_eval returns (JSON shape) or raises.
describe('one ast.literal_eval for inventory values and rendered templates', () => {
  it.each([
    ['[1, 2]\n', [1, 2]],
    ['\n\n[1]', [1]],
    [' \n[1]', [1]],
    ['# c\n[1]', [1]],
    ["{'a': (1,2), 'b': {1,1}}", { a: [1, 2], b: [1] }],
    ['[1.0, -0x10, 1e3, 1_000]', [1, -16, 1000, 1000]],
    ["['a' 'b']", ['ab']]
  ])('%j is a literal', (text, value) => {
    expect(literalEval(text)).toEqual({ ok: true, value })
    expect(pyLiteralEval(text)).toEqual(value)
  })

  it.each(['\n [1]', '\t\n  [1]', 'web-1', '[a]'])('%j is not (Python raises)', text => {
    expect(literalEval(text)).toEqual({ ok: false })
    expect(pyLiteralEval(text)).toBe(NOT_LITERAL)
  })
})
