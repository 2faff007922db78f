// Rewrites a template before minijinja sees it, so that Ansible's semantics hold where
// minijinja-js offers no hook:
// - every {{ expr }} becomes {{ (expr) | __out(N) }}: values print as Python does and an
//   undefined value is reported with its name instead of printing as "";
// - {% if %}/{% elif %} conditions and {% for %} iterables get the same undefined check;
// - keyword arguments of our JS filters/tests/functions travel as a marked trailing dict
//   (minijinja-js passes kwargs and a positional dict the same way);
// - hostvars[...] / vars[...] become lazy lookups so 200 hosts' variables are not copied
//   into every render;
// - backslashes in string literals inside {{ }} are doubled, as Ansible 2.14 does.
// It also lists the variable names the template may read, so only those are resolved.
import { joinTokens, lexTemplate, matchingBracket, type Region, type Token } from './lexer.js'
import { pyLiteralEval } from './literal.js'
import { jsonKeyText, rememberKeyList } from './values.js'
import {
  MUTATOR_METHODS,
  isVariableName,
  mutatedVariables,
  parseChain,
  SETDEFAULT_STEP,
  type ChainShape
} from './mutation-scan.js'
import { TemplateError } from './errors.js'
import { BUILTIN_METHOD_NAMES } from './pyattrs.js'

export const KWARGS_MARKER = '__kwargs__'
/** Keyword that tells a JS filter its input arrives as `pprint` text (see FLOAT_AWARE_FILTERS). */
export const JSON_INPUT_MARKER = '__json_input__'
/**
 * Filters whose output shows whether a number is a float (type_debug, to_json, ...). A JS
 * number cannot tell 2.0 from 2, so their input crosses as the engine's `pprint` text, where it
 * still can (and where dict keys keep their types); `map('type_debug')` counts too.
 */
const FLOAT_AWARE_FILTERS = new Set([
  'type_debug',
  'to_json',
  'to_nice_json',
  'to_yaml',
  'to_nice_yaml',
  'string'
])
/**
 * minijinja-js hands both `none` and an undefined value to JS as `undefined`. Values bound for
 * our JS code first pass `| default(__undefined_marker)`, which replaces only the undefined
 * one, so JS sees the marker for undefined and `undefined` for none.
 */
export const UNDEFINED_GLOBAL = '__undefined_marker'
/** Python's `'fmt' % args` (minijinja has no string formatting operator). */
export const PYTHON_FORMAT = '__py_format'
/** Python methods minijinja's pycompat lacks, routed to a JS filter: `x.get(k)` -> `(x | __py_method('get', k))`. */
export const PYTHON_METHOD = '__py_method'
export const PYTHON_METHODS = new Set([
  'get',
  'format',
  'index',
  'rindex',
  'zfill',
  'ljust',
  'rjust',
  'center',
  'partition',
  'rpartition',
  'swapcase',
  'casefold',
  ...MUTATOR_METHODS
])
const UNDEFINED_GUARD = `default(${UNDEFINED_GLOBAL})`
const OUTPUT_VALUE = '__output_value'
export const LAZY_ROOTS = new Set(['hostvars', 'vars'])
/**
 * `__lazy_get(root, key)` returns `{__value: entry}`, or `{}` when there is no such entry, so
 * that a missing host is a real undefined (a JS function can only return none).
 */
export const LAZY_VALUE_KEY = '__value'
/** Hooks of the variables a template changes in place (see mutation.ts). */
export const MUTABLE_GET = '__mut_get'
export const MUTABLE_SET = '__mut_set'
export const MUTABLE_ASSIGN = '__mut_assign'
export const MUTABLE_CALL = '__mut_call'
/** `d.items` / `d['items']` for names of Python's built-in methods (see pyattrs.ts). */
export const PYTHON_ATTRIBUTE = '__py_attr'
export const PYTHON_ITEM = '__py_item'
const LAZY_VALUE: Token[] = [
  { type: 'op', text: '.' },
  { type: 'name', text: LAZY_VALUE_KEY }
]

export interface Slot {
  /** Rewritten expression source, re-evaluated to name an undefined value. */
  expr: string
}

export interface PreparedTemplate {
  code: string
  slots: Slot[]
  /** Top-level names the template may read from the variables. */
  names: Set<string>
  /** Names assigned inside the template (for/set/macro): never blamed as undefined. */
  locals: Set<string>
  /** The template is exactly one {{ expr }} with no text around it. */
  single: boolean
}

export interface JsCallables {
  filters: ReadonlySet<string>
  tests: ReadonlySet<string>
  functions: ReadonlySet<string>
}

/** Words of the expression grammar; never variable names. */
export const KEYWORDS = new Set(
  'and or not in is if else true false none True False None'.split(' ')
)

function significant(tokens: Token[], index: number, step: 1 | -1): Token | undefined {
  for (let i = index + step; i >= 0 && i < tokens.length; i += step) {
    if (tokens[i].type !== 'ws') return tokens[i]
  }
  return undefined
}

function significantIndex(tokens: Token[], index: number, step: 1 | -1): number {
  for (let i = index + step; i >= 0 && i < tokens.length; i += step) {
    if (tokens[i].type !== 'ws') return i
  }
  return -1
}

type NameRole = 'variable' | 'filter' | 'test' | 'attribute' | 'kwarg'

function nameRole(tokens: Token[], index: number): NameRole {
  const prevIndex = significantIndex(tokens, index, -1)
  const prev = tokens[prevIndex]
  const next = significant(tokens, index, 1)
  if (prev?.text === '.') return 'attribute'
  if (prev?.text === '|') return 'filter'
  if (prev?.text === 'is') return 'test'
  if (prev?.text === 'not' && tokens[significantIndex(tokens, prevIndex, -1)]?.text === 'is')
    return 'test'
  if (next?.text === '=') return 'kwarg'
  return 'variable'
}

function splitArguments(tokens: Token[]): Token[][] {
  const args: Token[][] = [[]]
  let depth = 0
  for (const token of tokens) {
    if (token.type === 'op' && '([{'.includes(token.text)) depth++
    if (token.type === 'op' && ')]}'.includes(token.text)) depth--
    if (depth === 0 && token.text === ',') args.push([])
    else args[args.length - 1].push(token)
  }
  return args.filter(arg => arg.some(token => token.type !== 'ws'))
}

const op = (text: string): Token => ({ type: 'op', text })
const str = (text: string): Token => ({ type: 'str', text: JSON.stringify(text) })
const name = (text: string): Token => ({ type: 'name', text })
const SPACE: Token = { type: 'ws', text: ' ' }
/** The tokens, each with a space before it. */
const spaced = (...tokens: Token[]): Token[] => tokens.flatMap(token => [SPACE, token])

/** An argument of a JS callable, guarded so that JS can tell undefined from none. */
function guardedArgument(arg: Token[]): Token[] {
  return [
    op('('),
    op('('),
    ...arg,
    op(')'),
    op('|'),
    name('default'),
    op('('),
    name(UNDEFINED_GLOBAL),
    op(')'),
    op(')')
  ]
}

/** Guards the arguments of a JS callable and moves `key=value` ones into a trailing marked dict. */
function packArguments(inner: Token[], jsonInput = false): Token[] {
  const positional: Token[][] = []
  const keyword: Array<[string, Token[]]> = []
  for (const arg of splitArguments(inner)) {
    const first = arg.findIndex(token => token.type !== 'ws')
    const eq = significantIndex(arg, first, 1)
    if (arg[first].type === 'name' && arg[eq]?.text === '=') {
      keyword.push([arg[first].text, guardedArgument(arg.slice(eq + 1))])
    } else positional.push(guardedArgument(arg))
  }
  const all = [...positional]
  if (keyword.length > 0 || jsonInput) {
    const packed: Token[] = [op('{'), str(KWARGS_MARKER), op(':'), name('true')]
    if (jsonInput) packed.push(op(','), str(JSON_INPUT_MARKER), op(':'), name('true'))
    for (const [key, value] of keyword) packed.push(op(','), str(key), op(':'), ...value)
    packed.push(op('}'))
    all.push(packed)
  }
  return all.flatMap((arg, index) => (index === 0 ? arg : [op(','), ...arg]))
}

const TO_REPR: Token[] = [op('|'), name('pprint')]

/** `x | to_json`, `x | map('type_debug')`: see FLOAT_AWARE_FILTERS. */
function isFloatAware(tokens: Token[], index: number): boolean {
  if (FLOAT_AWARE_FILTERS.has(tokens[index].text)) return true
  if (tokens[index].text !== 'map') return false
  const open = significantIndex(tokens, index, 1)
  const first = tokens[significantIndex(tokens, open, 1)]
  return (
    tokens[open]?.text === '(' &&
    first?.type === 'str' &&
    FLOAT_AWARE_FILTERS.has(String(pyLiteralEval(first.text)))
  )
}

/** Start (in `out`) of the operand a filter at `pipeIndex` applies to, with its earlier filters. */
function filterOperandStart(out: Token[], pipeIndex: number): number {
  let end = pipeIndex
  for (;;) {
    const start = receiverStart(out, end)
    if (start < 0) return -1
    const before = out.map((t, j) => j < start && t.type !== 'ws').lastIndexOf(true)
    if (out[before]?.text !== '|') return start
    end = before
  }
}

/**
 * `x | float` gives a JS number, an int again for 2.0 once back in the engine: multiplying
 * by 1.0 there makes it the float Python prints as 2.0.
 */
function asPythonFloat(out: Token[], operandStart: number): void {
  out.splice(operandStart, 0, op('('), op('('))
  out.push(op(')'), op('*'), { type: 'num', text: '1.0' }, op(')'))
}

function guardTokens(): Token[] {
  return [op('|'), name('default'), op('('), name(UNDEFINED_GLOBAL), op(')')]
}

function lastSignificant(tokens: Token[]): Token | undefined {
  for (let i = tokens.length - 1; i >= 0; i--) if (tokens[i].type !== 'ws') return tokens[i]
  return undefined
}

/** Index of the first token of the postfix chain (`a.b[c](d)`, `'x'`, `(...)`) ending before `end`. */
function receiverStart(tokens: Token[], end: number): number {
  let i = end - 1
  while (i >= 0 && tokens[i].type === 'ws') i--
  for (;;) {
    if (i < 0) return -1
    const token = tokens[i]
    if (token.type === 'op' && ')]}'.includes(token.text)) {
      let depth = 0
      for (; i >= 0; i--) {
        if (tokens[i].type !== 'op') continue
        if (')]}'.includes(tokens[i].text)) depth++
        if ('([{'.includes(tokens[i].text) && --depth === 0) break
      }
      if (i < 0) return -1
      // A call or subscript continues the chain to the left; a bare bracket starts it.
      const before = i - 1
      if (before >= 0 && (tokens[before].type === 'name' || ')]}'.includes(tokens[before].text))) {
        i = before
        continue
      }
      return i
    }
    if (token.type === 'name' || token.type === 'str' || token.type === 'num') {
      if (i > 0 && tokens[i - 1].text === '.') {
        i -= 2
        continue
      }
      return i
    }
    return -1
  }
}

/** End (exclusive) of the right operand of a binary operator starting at `start`. */
function operandEnd(tokens: Token[], start: number): number {
  let i = start
  while (i < tokens.length && tokens[i].type === 'ws') i++
  if (i >= tokens.length) return start
  if (tokens[i].text === '-' || tokens[i].text === '+') i++
  const first = tokens[i]
  if (!first) return start
  if (first.type === 'op' && '([{'.includes(first.text)) i = matchingBracket(tokens, i) + 1
  else if (first.type === 'name' || first.type === 'str' || first.type === 'num') i++
  else return start
  // Postfix accessors and calls, then filters (they bind tighter than %).
  for (;;) {
    const next = tokens[i]
    if (next?.text === '.' && tokens[i + 1]?.type === 'name') i += 2
    else if (next?.type === 'op' && (next.text === '[' || next.text === '('))
      i = matchingBracket(tokens, i) + 1
    else {
      let j = i
      while (j < tokens.length && tokens[j].type === 'ws') j++
      if (tokens[j]?.text === '|') {
        let k = j + 1
        while (k < tokens.length && tokens[k].type === 'ws') k++
        if (tokens[k]?.type !== 'name') return i
        i = k + 1
        if (tokens[i]?.text === '(') i = matchingBracket(tokens, i) + 1
      } else return i
    }
    if (i <= 0) return start
  }
}

interface RewriteContext {
  callables: JsCallables
  /** Variables the template changes in place (see mutation-scan.ts). */
  mutable: ReadonlySet<string>
  /** Variables set to a namespace(): their attributes are never dict methods. */
  namespaces: ReadonlySet<string>
}

/** `l.append(x)` / `d['k'].update(e)` on a variable the template changes in place. */
function mutableCall(
  tokens: Token[],
  start: number,
  shape: ChainShape,
  context: RewriteContext
): Token[] {
  const method = shape.method as NonNullable<ChainShape['method']>
  const path: Token[] = [op('[')]
  shape.accessors.forEach((accessor, index) => {
    if (index > 0) path.push(op(','))
    if ('attribute' in accessor) path.push(str(accessor.attribute))
    else if ('setdefault' in accessor) {
      const [open, close] = accessor.setdefault
      path.push(
        op('{'),
        str(SETDEFAULT_STEP),
        op(':'),
        op('['),
        ...rewriteExpression(tokens.slice(open + 1, close), context),
        op(']'),
        op('}')
      )
    } else
      path.push(
        op('('),
        ...rewriteExpression(tokens.slice(accessor.open + 1, accessor.close), context),
        op(')')
      )
  })
  path.push(op(']'))
  const inner = rewriteExpression(tokens.slice(method.open + 1, method.close), context)
  const args = packArguments([
    str(tokens[start].text),
    op(','),
    ...path,
    op(','),
    str(method.name),
    ...(inner.some(t => t.type !== 'ws') ? [op(','), ...inner] : [])
  ])
  return [name(MUTABLE_CALL), op('('), ...args, op(')')]
}

/** A receiver that is a list or dict literal: changing it in place only yields the method's result. */
function isLiteralReceiver(receiver: Token[]): boolean {
  const significantTokens = receiver.filter(token => token.type !== 'ws')
  return (
    significantTokens.length > 0 &&
    (significantTokens[0].text === '[' || significantTokens[0].text === '{') &&
    matchingBracket(significantTokens, 0) === significantTokens.length - 1
  )
}

/** Variables set to a namespace() anywhere in the template. */
function namespaceVariables(regions: Region[]): Set<string> {
  const found = new Set<string>()
  for (const region of regions) {
    if (region.kind !== 'statement') continue
    const body = region.tokens.filter(token => token.type !== 'ws')
    if (body[0]?.text === 'set' && body[2]?.text === '=' && body[3]?.text === 'namespace')
      found.add(body[1].text)
  }
  return found
}

/**
 * The receiver before the `.` or `[` at `index` is `loop` or a namespace: their attributes
 * are their own, never Python methods.
 */
function hasOwnAttributes(tokens: Token[], index: number, context: RewriteContext): boolean {
  const receiverEnd = significantIndex(tokens, index, -1)
  const receiver = tokens[receiverEnd]
  if (receiver?.type !== 'name' || tokens[significantIndex(tokens, receiverEnd, -1)]?.text === '.')
    return false
  return receiver.text === 'loop' || context.namespaces.has(receiver.text)
}

/** Replaces the receiver at the end of `out` by `hook(receiver, "name").__value`; false if there is none. */
function routeLookup(
  out: Token[],
  hook: string,
  attribute: string,
  operatorIndex: number
): boolean {
  const start = receiverStart(out, operatorIndex)
  if (start < 0) return false
  const receiver = out.splice(start).slice(0, operatorIndex - start)
  out.push(name(hook), op('('), ...guardedArgument(receiver), op(','), str(attribute), op(')'))
  out.push(...LAZY_VALUE)
  return true
}

function rewriteExpression(tokens: Token[], context: RewriteContext): Token[] {
  const { callables, mutable } = context
  const out: Token[] = []
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    const nextIndex = significantIndex(tokens, i, 1)
    const next = tokens[nextIndex] as Token | undefined
    if (token.type === 'op' && token.text === '%' && lastSignificant(out)?.type === 'str') {
      const end = operandEnd(tokens, i + 1)
      if (end > i + 1) {
        const formatIndex = out.map(t => t.type !== 'ws').lastIndexOf(true)
        const format = out.splice(formatIndex)
        const right = rewriteExpression(tokens.slice(i + 1, end), context)
        out.push(
          name(PYTHON_FORMAT),
          op('('),
          ...packArguments([...format, op(','), ...right]),
          op(')')
        )
        i = end - 1
        continue
      }
    }
    if (token.type === 'op' && token.text === '[' && !hasOwnAttributes(tokens, i, context)) {
      const close = matchingBracket(tokens, i)
      const inner = tokens.slice(i + 1, close).filter(t => t.type !== 'ws')
      const key =
        inner.length === 1 && inner[0].type === 'str' ? pyLiteralEval(inner[0].text) : null
      const before = lastSignificant(out)
      const isSubscript =
        before !== undefined &&
        (before.type === 'name' || before.type === 'str' || ')]'.includes(before.text)) &&
        !KEYWORDS.has(before.text)
      if (
        isSubscript &&
        typeof key === 'string' &&
        BUILTIN_METHOD_NAMES.has(key) &&
        routeLookup(out, PYTHON_ITEM, key, out.length)
      ) {
        i = close
        continue
      }
    }
    if (token.type !== 'name') {
      out.push(token)
      continue
    }
    if (mutable.has(token.text) && isVariableName(tokens, i)) {
      const shape = parseChain(tokens, i)
      if (shape.method) {
        out.push(...mutableCall(tokens, i, shape, context))
        i = shape.method.close
      } else out.push(name(MUTABLE_GET), op('('), str(token.text), op(')'), ...LAZY_VALUE)
      continue
    }
    const role = nameRole(tokens, i)
    if (role === 'attribute' && next?.text === '(' && PYTHON_METHODS.has(token.text)) {
      const close = matchingBracket(tokens, nextIndex)
      const dot = out.map(t => t.type !== 'ws').lastIndexOf(true)
      const start = receiverStart(out, dot)
      if (close > 0 && start >= 0) {
        const receiver = out.splice(start).slice(0, dot - start)
        if (MUTATOR_METHODS.has(token.text) && !isLiteralReceiver(receiver)) {
          throw new TemplateError(
            `changing the value of an expression in place (.${token.text}()) is not supported: ` +
              'only variables (x.append(...), x.k.update(...)) and literals can be changed'
          )
        }
        const inner = rewriteExpression(tokens.slice(nextIndex + 1, close), context)
        const args = packArguments([
          str(token.text),
          ...(inner.some(t => t.type !== 'ws') ? [op(','), ...inner] : [])
        ])
        out.push(
          op('('),
          ...receiver,
          ...guardTokens(),
          op('|'),
          name(PYTHON_METHOD),
          op('('),
          ...args,
          op(')'),
          op(')')
        )
        i = close
        continue
      }
    }
    if (
      role === 'attribute' &&
      next?.text !== '(' &&
      BUILTIN_METHOD_NAMES.has(token.text) &&
      !hasOwnAttributes(tokens, significantIndex(tokens, i, -1), context) &&
      routeLookup(
        out,
        PYTHON_ATTRIBUTE,
        token.text,
        out.map(t => t.type !== 'ws').lastIndexOf(true)
      )
    ) {
      continue
    }
    if (
      role === 'variable' &&
      LAZY_ROOTS.has(token.text) &&
      next &&
      (next.text === '[' || next.text === '.')
    ) {
      if (next.text === '[') {
        const close = matchingBracket(tokens, nextIndex)
        if (close > 0) {
          const key = rewriteExpression(tokens.slice(nextIndex + 1, close), context)
          out.push(
            name('__lazy_get'),
            op('('),
            str(token.text),
            op(','),
            ...key,
            op(')'),
            ...LAZY_VALUE
          )
          i = close
          continue
        }
      } else {
        const attrIndex = significantIndex(tokens, nextIndex, 1)
        const afterAttr = significant(tokens, attrIndex, 1)
        if (tokens[attrIndex]?.type === 'name' && afterAttr?.text !== '(') {
          out.push(
            name('__lazy_get'),
            op('('),
            str(token.text),
            op(','),
            str(tokens[attrIndex].text),
            op(')'),
            ...LAZY_VALUE
          )
          i = attrIndex
          continue
        }
      }
    }
    // The piped-in value of a JS filter or the tested value of a JS test gets the guard too.
    const jsonInput = role === 'filter' && isFloatAware(tokens, i)
    let operandStart = -1
    if (
      (role === 'filter' && callables.filters.has(token.text)) ||
      (role === 'test' && callables.tests.has(token.text))
    ) {
      const operatorIndex = out.map(t => t.type !== 'ws').lastIndexOf(true)
      const operator = role === 'filter' ? '|' : 'is'
      let insertAt = operatorIndex
      if (role === 'test' && out[insertAt]?.text === 'not')
        insertAt = out.map((t, j) => j < insertAt && t.type !== 'ws').lastIndexOf(true)
      if (out[insertAt]?.text === operator) {
        if (token.text === 'float') operandStart = filterOperandStart(out, insertAt)
        out.splice(insertAt, 0, ...guardTokens(), ...(jsonInput ? TO_REPR : []), {
          type: 'ws',
          text: ' '
        })
      }
    }
    const isJsCall =
      next?.text === '(' &&
      ((role === 'filter' && callables.filters.has(token.text)) ||
        (role === 'test' && callables.tests.has(token.text)) ||
        (role === 'variable' && callables.functions.has(token.text)))
    if (isJsCall) {
      const close = matchingBracket(tokens, nextIndex)
      if (close > 0) {
        const inner = rewriteExpression(tokens.slice(nextIndex + 1, close), context)
        out.push(token, op('('), ...packArguments(inner, jsonInput), op(')'))
        if (operandStart >= 0) asPythonFloat(out, operandStart)
        i = close
        continue
      }
    }
    if (jsonInput && callables.filters.has(token.text)) {
      out.push(token, op('('), ...packArguments([], true), op(')'))
      continue
    }
    if (operandStart >= 0) {
      out.push(token)
      asPythonFloat(out, operandStart)
      continue
    }
    out.push(token)
  }
  return out
}

/** Remembers the key order of dict literals with constant keys (the engine sorts dict keys). */
const KEY_CONSTANTS: Record<string, unknown> = {
  none: null,
  None: null,
  true: true,
  True: true,
  false: false,
  False: false
}

/** A dict literal's key as fromEngine spells it (`2` -> "2", `none` -> "null"). */
function literalKeyText(token: Token | undefined): string | undefined {
  if (token?.type === 'str') {
    const key = pyLiteralEval(token.text)
    return typeof key === 'string' ? key : undefined
  }
  if (token?.type === 'num') return jsonKeyText(Number(token.text))
  if (token?.type === 'name' && token.text in KEY_CONSTANTS)
    return jsonKeyText(KEY_CONSTANTS[token.text])
  return undefined
}

function rememberLiteralKeyOrders(tokens: Token[]): void {
  const significantTokens = tokens.filter(token => token.type !== 'ws')
  for (let i = 0; i < significantTokens.length; i++) {
    if (significantTokens[i].text !== '{' || significantTokens[i].type !== 'op') continue
    const close = matchingBracket(significantTokens, i)
    if (close < 0) continue
    const keys: string[] = []
    for (const entry of splitArguments(significantTokens.slice(i + 1, close))) {
      const key = entry[1]?.text === ':' ? literalKeyText(entry[0]) : undefined
      if (key === undefined) return
      keys.push(key)
    }
    rememberKeyList(keys)
  }
}

function collectNames(tokens: Token[], names: Set<string>, skipFirst: boolean): void {
  let first = skipFirst
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    if (token.type !== 'name') continue
    if (first) {
      first = false
      continue
    }
    if (KEYWORDS.has(token.text) || nameRole(tokens, i) !== 'variable') continue
    if (significant(tokens, i, 1)?.text === '(') continue
    names.add(token.text)
  }
}

function collectLocals(tag: string, tokens: Token[], locals: Set<string>): void {
  const body = tokens.filter(token => token.type !== 'ws')
  if (tag === 'for') {
    for (const token of body.slice(1)) {
      if (token.text === 'in') break
      if (token.type === 'name') locals.add(token.text)
    }
  } else if (tag === 'set' || tag === 'with') {
    for (let i = 1; i < body.length; i++) {
      if (body[i].type === 'name' && body[i - 1].text !== '.' && body[i + 1]?.text !== '.')
        locals.add(body[i].text)
      if (tag === 'set' && body[i].text === '=') break
    }
  } else if (tag === 'macro') {
    for (const token of body.slice(1)) if (token.type === 'name') locals.add(token.text)
  }
}

/**
 * `{{ e }}` as `{% with __v = (e) | guard +%}{{ __v | __out(N, __v is float) }}{%+ endwith %}`:
 * a float reaching JS is a plain number, so whether it was a float (Python prints 1.0) is
 * passed along, without evaluating `e` twice. `+` keeps trim_blocks/lstrip_blocks off these
 * tags, and the outer `-` whitespace control moves to the outer tags.
 */
function outputCode(open: string, close: string, tokens: Token[], slot: number): string {
  const stripBefore = open.endsWith('-') ? '-' : ''
  const stripAfter = close.startsWith('-') ? '-' : '+'
  return (
    `{%${stripBefore} with ${OUTPUT_VALUE} = (${joinTokens(tokens)}) | ${UNDEFINED_GUARD} +%}` +
    `{{ ${OUTPUT_VALUE} | __out(${slot}, ${OUTPUT_VALUE} is float) }}` +
    `{%+ endwith ${stripAfter}%}`
  )
}

function wrapped(tokens: Token[], slot: number, filter: string): string {
  return ` (${joinTokens(tokens)}) | ${UNDEFINED_GUARD} | ${filter}(${slot}) `
}

/**
 * `{% set l = e %}` / `{% set ns.a = e %}` of a variable changed in place: the new value goes to
 * the MutableStore (`{% do __mut_set("l", e) %}`), or null when the statement is another one.
 */
function mutableAssignment(tokens: Token[], context: RewriteContext): Token[] | null {
  const { mutable } = context
  const at = (from: number): number => tokens.findIndex((t, i) => i > from && t.type !== 'ws')
  const tag = at(-1)
  const target = at(tag)
  if (tokens[tag]?.text !== 'set' || !mutable.has(tokens[target]?.text ?? '')) return null
  let equals = at(target)
  let hook = MUTABLE_SET
  const head: Token[] = [str(tokens[target].text)]
  if (tokens[equals]?.text === '.' && tokens[at(equals)]?.type === 'name') {
    hook = MUTABLE_ASSIGN
    head.push(op(','), str(tokens[at(equals)].text))
    equals = at(at(equals))
  }
  if (tokens[equals]?.text !== '=') return null
  const value = rewriteExpression(tokens.slice(equals + 1), context)
  return [
    { type: 'ws', text: ' ' },
    name('do'),
    { type: 'ws', text: ' ' },
    name(hook),
    op('('),
    ...packArguments([...head, op(','), ...value]),
    op(')'),
    { type: 'ws', text: ' ' }
  ]
}

/** Hook calls that only read (see engine.ts): an operand made of them may be evaluated twice. */
const READ_ONLY_HOOKS = new Set(['__lazy_get', MUTABLE_GET, PYTHON_ATTRIBUTE, PYTHON_ITEM])
export const UNDEFINED_OPERAND = '__undefined_operand'

function isPlainChain(operand: Token[]): boolean {
  return operand.every(
    (token, i) =>
      token.text !== '|' &&
      (token.text !== '(' || READ_ONLY_HOOKS.has(operand[significantIndex(operand, i, -1)]?.text))
  )
}

/** Operators whose operands Ansible's strict undefined refuses (minijinja's chainable one accepts). */
const STRICT_BINARY = new Set([
  '~',
  '==',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '//',
  '%',
  '**',
  'and',
  'or',
  'in'
])
/** Names that start no variable operand. */
const NOT_VARIABLES = new Set([
  'not',
  'if',
  'else',
  'is',
  'in',
  'and',
  'or',
  'true',
  'false',
  'none',
  'True',
  'False',
  'None'
])

function isVariableOperand(out: Token[], from: number, to: number): boolean {
  const first = out.findIndex((t, j) => j >= from && t.type !== 'ws')
  if (first < 0 || first >= to || out[first].type !== 'name' || NOT_VARIABLES.has(out[first].text))
    return false
  // The name of a test (`x is defined and y`) is no operand.
  const before = significantIndex(out, first, -1)
  if (out[before]?.text === 'is') return false
  return !(out[before]?.text === 'not' && significant(out, before, -1)?.text === 'is')
}

/**
 * Ansible's undefined fails in `x == 1`, `not x`, `x ~ 'a'`, `x in l`...; minijinja's chainable
 * one compares, negates and concatenates. Each operand of those operators that is a variable
 * chain becomes `(x if x is defined else __undefined_operand(N))`, which reports slot N (named
 * like any other undefined value) only when the operand is evaluated, as Python would.
 */
function strictOperands(tokens: Token[], slots: Slot[]): Token[] {
  const out = [...tokens]
  let wrappedUntil = -1
  const wrap = (from: number, to: number): number => {
    const operand = out.slice(from, to)
    if (!isVariableOperand(out, from, to) || !isPlainChain(operand)) return to
    slots.push({ expr: joinTokens(operand) })
    const replacement = [
      op('('),
      op('('),
      ...operand,
      op(')'),
      ...spaced(name('if'), op('(')),
      ...operand,
      op(')'),
      ...spaced(name('is'), name('defined'), name('else'), name(UNDEFINED_OPERAND)),
      op('('),
      { type: 'num', text: String(slots.length - 1) } as Token,
      op(')'),
      op(')')
    ]
    out.splice(from, to - from, ...replacement)
    return from + replacement.length
  }
  // `{% for x in items %}`: that `in` is no operator.
  let loopIn = out.find(t => t.type !== 'ws')?.text === 'for'
  for (let i = 0; i < out.length; i++) {
    const token = out[i]
    const text = token.text
    const unaryNot =
      token.type === 'name' &&
      text === 'not' &&
      significant(out, i, -1)?.text !== 'is' &&
      significant(out, i, 1)?.text !== 'in'
    const binary =
      STRICT_BINARY.has(text) &&
      (token.type === 'op' || (token.type === 'name' && /^[a-z]+$/.test(text)))
    if (!unaryNot && !binary) continue
    if (text === 'in' && token.type === 'name' && loopIn) {
      loopIn = false
      continue
    }
    if (binary && i !== wrappedUntil) {
      // `x not in l`: the left operand ends before `not`.
      const notIndex = significantIndex(out, i, -1)
      const leftEnd = text === 'in' && out[notIndex]?.text === 'not' ? notIndex : i
      const start = filterOperandStart(out, leftEnd)
      if (start >= 0) i += wrap(start, leftEnd) - leftEnd
    }
    const end = operandEnd(out, i + 1)
    if (end > i + 1) wrappedUntil = wrap(i + 1, end)
    wrappedUntil = out.findIndex((t, j) => j >= wrappedUntil && t.type !== 'ws')
  }
  return out
}

export function prepareTemplate(
  source: string,
  options: { escapeBackslashes: boolean; callables: JsCallables }
): PreparedTemplate {
  const regions = lexTemplate(source)
  const mutable = mutatedVariables(regions)
  const context: RewriteContext = {
    callables: options.callables,
    mutable,
    namespaces: namespaceVariables(regions)
  }
  const slots: Slot[] = []
  // Variables changed in place are read through the store, which starts from their values.
  const names = new Set<string>(mutable)
  const locals = new Set<string>()
  let code = ''
  for (const region of regions) {
    if (!('tokens' in region)) {
      code += region.text
      continue
    }
    let tokens = region.tokens
    if (region.kind === 'output' && options.escapeBackslashes) {
      tokens = tokens.map(token =>
        token.type === 'str' ? { type: 'str', text: token.text.replace(/\\/g, '\\\\') } : token
      )
    }
    rememberLiteralKeyOrders(tokens)
    const assignment = region.kind === 'statement' ? mutableAssignment(tokens, context) : null
    if (assignment) {
      collectNames(assignment, names, true)
      collectLocals('set', tokens, locals)
      code += `${region.open}${joinTokens(assignment)}${region.close}`
      continue
    }
    tokens = strictOperands(rewriteExpression(tokens, context), slots)
    if (region.kind === 'output') {
      collectNames(tokens, names, false)
      slots.push({ expr: joinTokens(tokens) })
      code += outputCode(region.open, region.close, tokens, slots.length - 1)
      continue
    }
    const tagIndex = tokens.findIndex(token => token.type !== 'ws')
    const tag = tokens[tagIndex]?.text ?? ''
    collectNames(tokens, names, true)
    collectLocals(tag, tokens, locals)
    if ((tag === 'if' || tag === 'elif') && tagIndex >= 0) {
      const condition = tokens.slice(tagIndex + 1)
      slots.push({ expr: joinTokens(condition) })
      code += `${region.open} ${tag}${wrapped(condition, slots.length - 1, '__truth')}${region.close}`
      continue
    }
    if (tag === 'for') {
      const inIndex = tokens.findIndex(
        (token, i) => i > tagIndex && token.type === 'name' && token.text === 'in'
      )
      let end = tokens.length
      let depth = 0
      for (let i = inIndex + 1; inIndex > 0 && i < tokens.length; i++) {
        const text = tokens[i].text
        if (tokens[i].type === 'op' && '([{'.includes(text)) depth++
        if (tokens[i].type === 'op' && ')]}'.includes(text)) depth--
        if (depth === 0 && tokens[i].type === 'name' && (text === 'if' || text === 'recursive')) {
          end = i
          break
        }
      }
      if (inIndex > 0) {
        const iterable = tokens.slice(inIndex + 1, end)
        slots.push({ expr: joinTokens(iterable) })
        code +=
          `${region.open}${joinTokens(tokens.slice(0, inIndex + 1))}` +
          `${wrapped(iterable, slots.length - 1, '__iter')}${joinTokens(tokens.slice(end))}${region.close}`
        continue
      }
    }
    code += `${region.open}${joinTokens(tokens)}${region.close}`
  }
  const single = regions.length === 1 && regions[0].kind === 'output'
  return { code, slots, names, locals, single }
}
