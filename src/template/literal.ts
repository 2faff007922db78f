// Ansible 2.14 turns a rendered template string back into data with Python's ast.literal_eval
// when the text starts with '[' or '{' or is True/False. Anything that is not a literal leaves
// the string as it was (NOT_LITERAL).
import { literalEval } from '../python/literal.js'

export const NOT_LITERAL = Symbol('not a Python literal')

export function pyLiteralEval(text: string): unknown {
  const result = literalEval(text)
  return result.ok ? result.value : NOT_LITERAL
}
