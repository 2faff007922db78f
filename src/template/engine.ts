// The minijinja-js side: environments, compiled-template cache and the bridge for JS filters,
// tests and functions.
//
// Two properties of minijinja-js 2.11 shape this file (both measured):
// - a JS exception thrown inside a filter/test/function is a wasm panic that breaks the whole
//   wasm instance, so every callback is wrapped: errors are parked in the current render and
//   the callback returns undefined; the templar re-raises the parked error after the render;
// - re-entering an Environment from one of its callbacks (a lookup that renders a template, a
//   host's variables rendered for hostvars[...]) also panics, so each nesting depth renders
//   with its own Environment.
import { Environment } from 'minijinja-js'
import { MutableStore } from './mutation.js'
import { pythonLookup } from './pyattrs.js'
import {
  JSON_INPUT_MARKER,
  KWARGS_MARKER,
  LAZY_VALUE_KEY,
  MUTABLE_ASSIGN,
  MUTABLE_CALL,
  MUTABLE_GET,
  MUTABLE_SET,
  UNDEFINED_OPERAND,
  PYTHON_ATTRIBUTE,
  PYTHON_ITEM,
  UNDEFINED_GLOBAL,
  type JsCallables
} from './preprocess.js'
import { fromEngine, rememberKeyOrder } from './values.js'
import { fromEngineRepr } from './engine-repr.js'

/** What `| default(__undefined_marker)` turns an undefined value into (see preprocess.ts). */
const UNDEFINED_MARKER = '\u0000undefined\u0000'

/** A value guarded by the marker, back in JS terms: undefined for undefined, null for none. */
export function fromGuarded(value: unknown): unknown {
  if (value === UNDEFINED_MARKER) return undefined
  if (value === undefined) return null
  return fromEngine(value)
}

export interface RenderFrame {
  /** First error raised by a callback during this render. */
  error?: unknown
  /** Slot whose value was undefined (see preprocess.ts), with the value that was undefined. */
  undefinedSlot?: number
  /** Variables whose rendering failed: their error is raised only if the template reads them. */
  deferred: Map<string, unknown>
  /** Slots allowed to print undefined as "" (inline if without else). */
  allowUndefined: Set<number>
  /**
   * Undefined operands (`x == 1`) pass as "" in a condition: Ansible decides there from the
   * `is defined` guards of the condition (see Templar.failOnUndefinedOperands).
   */
  lenientOperands?: boolean
  /** Raw value of the single {{ expr }} of a template that is only that. */
  captured?: { value: unknown; text: boolean }
  /** Last string returned by a STRING_TYPE_FILTERS filter (kept as text, never converted). */
  textResult?: string
  /** Resolved variables of this render, for callbacks that need them (lookup('vars'), hostvars). */
  context: CallContext
  /** Variables the template changes in place (see mutation.ts); one store per render attempt. */
  mutables?: MutableStore
  /** Why the last `d.items`-style lookup found nothing ('str object' has no attribute ...). */
  attributeMiss?: string
}

/** What a JS filter, test or function can reach while a template renders. */
export interface CallContext {
  /** The variables visible to the template (resolved on demand). */
  getVariable(name: string): unknown
  hasVariable(name: string): boolean
  /** Renders a template string with the same variables (used by lookups). */
  renderString(source: string, options?: { convertData?: boolean }): unknown
  /** Looks up an entry of a lazy mapping such as hostvars. */
  lazyGet(root: string, key: unknown): unknown
  /** Runs a lookup plugin; returns its list of results. */
  lookup(name: string, terms: unknown[], kwargs: Kwargs): unknown[]
}

export type Kwargs = Record<string, unknown>
export type FilterFunction = (
  value: unknown,
  args: unknown[],
  kwargs: Kwargs,
  context: CallContext
) => unknown
export type TestFunction = (
  value: unknown,
  args: unknown[],
  kwargs: Kwargs,
  context: CallContext
) => boolean
export type GlobalFunction = (args: unknown[], kwargs: Kwargs, context: CallContext) => unknown

/** The engine refused the template source (syntax error, unknown filter or test). */
export class CompileFailure extends Error {}

/** Raised by a callback to mark the value it got as undefined (named by the templar afterwards). */
export class UndefinedInput extends Error {}

/** Raised by `mandatory` on an undefined input; the templar adds the variable's name. */
export class MandatoryUndefined extends UndefinedInput {
  constructor(readonly customMessage?: string) {
    super('mandatory')
  }
}

interface EnvironmentSettings {
  trimBlocks: boolean
  lstripBlocks: boolean
}

const filters = new Map<string, FilterFunction>()
const tests = new Map<string, TestFunction>()
const functions = new Map<string, GlobalFunction>()
const frames: RenderFrame[] = []
const pools = new Map<string, Array<{ env: Environment; compiled: Map<string, string> }>>()
const MAX_COMPILED_PER_ENV = 4000
let templateCounter = 0

export function jsCallables(): JsCallables {
  return {
    filters: new Set(filters.keys()),
    tests: new Set(tests.keys()),
    functions: new Set(functions.keys())
  }
}

function splitArguments(raw: unknown[]): { args: unknown[]; kwargs: Kwargs; jsonInput: boolean } {
  const last = raw[raw.length - 1]
  if (last instanceof Map && last.get(KWARGS_MARKER) === true) {
    const kwargs: Kwargs = {}
    for (const [key, value] of last)
      if (key !== KWARGS_MARKER && key !== JSON_INPUT_MARKER)
        kwargs[String(key)] = fromGuarded(value)
    return {
      args: raw.slice(0, -1).map(fromGuarded),
      kwargs,
      jsonInput: last.get(JSON_INPUT_MARKER) === true
    }
  }
  return { args: raw.map(fromGuarded), kwargs: {}, jsonInput: false }
}

/** Runs a callback so that nothing is ever thrown back into wasm. */
function guarded(run: (frame: RenderFrame) => unknown): unknown {
  const frame = frames[frames.length - 1]
  if (!frame || frame.error !== undefined) return undefined
  try {
    return run(frame)
  } catch (error) {
    frame.error = error
    return undefined
  }
}

/** Ansible's STRING_TYPE_FILTERS: their output is never turned back into data. */
const STRING_TYPE_FILTERS = new Set([
  'string',
  'to_json',
  'to_nice_json',
  'to_yaml',
  'to_nice_yaml',
  'ppretty',
  'json'
])

function bridgeFilter(name: string, fn: FilterFunction) {
  return (value: unknown, ...raw: unknown[]) =>
    guarded(frame => {
      const { args, kwargs, jsonInput } = splitArguments(raw)
      // A float-aware filter gets its input as `pprint` text, where 2.0 is still a float.
      const input =
        jsonInput && typeof value === 'string'
          ? fromGuarded(fromEngineRepr(value))
          : fromGuarded(value)
      const result = fn(input, args, kwargs, frame.context)
      if (STRING_TYPE_FILTERS.has(name) && typeof result === 'string') frame.textResult = result
      rememberKeyOrder(result)
      return result
    })
}

function bridgeTest(fn: TestFunction) {
  return (value: unknown, ...raw: unknown[]) =>
    guarded(frame => {
      const { args, kwargs } = splitArguments(raw)
      return fn(fromGuarded(value), args, kwargs, frame.context)
    }) === true
}

function bridgeFunction(fn: GlobalFunction) {
  return (...raw: unknown[]) =>
    guarded(frame => {
      const { args, kwargs } = splitArguments(raw)
      const result = fn(args, kwargs, frame.context)
      rememberKeyOrder(result)
      return result
    })
}

function registerAll(env: Environment): void {
  for (const [name, fn] of filters) env.addFilter(name, bridgeFilter(name, fn))
  for (const [name, fn] of tests) env.addTest(name, bridgeTest(fn))
  for (const [name, fn] of functions) env.addGlobal(name, bridgeFunction(fn))
}

function forEachEnvironment(
  action: (entry: { env: Environment; compiled: Map<string, string> }) => void
): void {
  for (const pool of pools.values()) for (const entry of pool) action(entry)
}

/** Adds or replaces a filter; compiled templates are dropped since keyword handling may change. */
export function defineFilter(name: string, fn: FilterFunction): void {
  filters.set(name, fn)
  forEachEnvironment(entry => {
    entry.env.addFilter(name, bridgeFilter(name, fn))
    entry.env.clearTemplates()
    entry.compiled.clear()
  })
}

export function defineTest(name: string, fn: TestFunction): void {
  tests.set(name, fn)
  forEachEnvironment(entry => {
    entry.env.addTest(name, bridgeTest(fn))
    entry.env.clearTemplates()
    entry.compiled.clear()
  })
}

export function defineFunction(name: string, fn: GlobalFunction): void {
  functions.set(name, fn)
  forEachEnvironment(entry => {
    entry.env.addGlobal(name, bridgeFunction(fn))
    entry.env.clearTemplates()
    entry.compiled.clear()
  })
}

export function filterFunction(name: string): FilterFunction | undefined {
  return filters.get(name)
}

export function testFunction(name: string): TestFunction | undefined {
  return tests.get(name)
}

export function filterNames(): string[] {
  return [...filters.keys()].sort()
}

export function testNames(): string[] {
  return [...tests.keys()].sort()
}

/** Built-in hooks used by the rewritten templates (see preprocess.ts). */
export interface Hooks {
  out(value: unknown, slot: number, frame: RenderFrame, isFloat: boolean): unknown
  truth(value: unknown, slot: number, frame: RenderFrame): unknown
  iter(value: unknown, slot: number, frame: RenderFrame): unknown
}

let hooks: Hooks | undefined

export function installHooks(value: Hooks): void {
  hooks = value
}

function registerHooks(env: Environment): void {
  const hook = (name: keyof Hooks) => (value: unknown, slot: number, isFloat?: boolean) =>
    guarded(frame => (hooks as Hooks)[name](fromGuarded(value), slot, frame, isFloat === true))
  env.addGlobal(UNDEFINED_GLOBAL, UNDEFINED_MARKER)
  env.addFilter('__out', hook('out'))
  env.addFilter('__truth', hook('truth'))
  env.addFilter('__iter', hook('iter'))
  env.addGlobal(UNDEFINED_OPERAND, (slot: number) =>
    guarded(frame => {
      // A lenient render gets the undefined value itself, as if there were no check.
      if (frame.lenientOperands) return undefined
      if (!frame.allowUndefined.has(slot)) frame.undefinedSlot ??= slot
      return ''
    })
  )
  env.addGlobal('__lazy_get', (root: string, key: unknown) =>
    guarded(frame => {
      const result = frame.context.lazyGet(root, fromEngine(key))
      rememberKeyOrder(result)
      return result === undefined ? {} : { [LAZY_VALUE_KEY]: result }
    })
  )
  registerMutableHooks(env)
  const lookup = (itemFirst: boolean) => (receiver: unknown, attribute: string) =>
    guarded(frame => {
      const found = pythonLookup(fromGuarded(receiver), attribute, itemFirst)
      if (found.found) {
        rememberKeyOrder(found.value)
        return { [LAZY_VALUE_KEY]: found.value }
      }
      if (found.miss) frame.attributeMiss = found.miss
      return {}
    })
  env.addGlobal(PYTHON_ATTRIBUTE, lookup(false))
  env.addGlobal(PYTHON_ITEM, lookup(true))
}

function mutablesOf(frame: RenderFrame): MutableStore {
  if (!frame.mutables) throw new Error('a template changed a variable outside of a render')
  return frame.mutables
}

/** The MutableStore behind `l.append(x)` and the reads of `l` (see preprocess.ts). */
function registerMutableHooks(env: Environment): void {
  env.addGlobal(MUTABLE_GET, (name: string) =>
    guarded(frame => {
      const value = mutablesOf(frame).get(name)
      rememberKeyOrder(value)
      return value === undefined ? {} : { [LAZY_VALUE_KEY]: value }
    })
  )
  env.addGlobal(MUTABLE_SET, (...raw: unknown[]) =>
    guarded(frame => {
      const { args } = splitArguments(raw)
      mutablesOf(frame).set(String(args[0]), args[1])
    })
  )
  env.addGlobal(MUTABLE_ASSIGN, (...raw: unknown[]) =>
    guarded(frame => {
      const { args } = splitArguments(raw)
      mutablesOf(frame).assign(String(args[0]), String(args[1]), args[2])
    })
  )
  env.addGlobal(MUTABLE_CALL, (...raw: unknown[]) =>
    guarded(frame => {
      const { args, kwargs } = splitArguments(raw)
      const [name, path, method, ...rest] = args
      const result = mutablesOf(frame).call(
        String(name),
        path as unknown[],
        String(method),
        rest,
        kwargs
      )
      rememberKeyOrder(result)
      return result
    })
  )
}

function environmentFor(settings: EnvironmentSettings, depth: number) {
  const key = `${settings.trimBlocks}/${settings.lstripBlocks}`
  let pool = pools.get(key)
  if (!pool) pools.set(key, (pool = []))
  while (pool.length <= depth) {
    const env = new Environment()
    env.enablePyCompat()
    // Ansible's undefined is chainable (`a.b.c | default(x)` works when `a` is missing); the
    // rewritten template reports undefined values itself where Ansible would fail.
    env.undefinedBehavior = 'chainable'
    env.trimBlocks = settings.trimBlocks
    env.lstripBlocks = settings.lstripBlocks
    registerAll(env)
    registerHooks(env)
    pool.push({ env, compiled: new Map() })
  }
  return pool[depth]
}

/** Why minijinja refused a template or failed while rendering, without its source excerpt. */
export function engineMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text
    .split('\n')[0]
    .replace(/ \(in [^)]*\)$/, '')
    .trim()
}

export interface RenderRequest {
  code: string
  settings: EnvironmentSettings
  context: Record<string, unknown>
  frame: RenderFrame
}

/** Renders prepared template code. Throws the engine's error (compile or render) as is. */
export function renderCode(request: RenderRequest): string {
  const entry = environmentFor(request.settings, frames.length)
  let templateName = entry.compiled.get(request.code)
  if (templateName === undefined) {
    if (entry.compiled.size >= MAX_COMPILED_PER_ENV) {
      entry.env.clearTemplates()
      entry.compiled.clear()
    }
    templateName = `t${++templateCounter}`
    try {
      entry.env.addTemplate(templateName, request.code)
    } catch (error) {
      throw new CompileFailure(engineMessage(error))
    }
    entry.compiled.set(request.code, templateName)
  }
  frames.push(request.frame)
  try {
    return entry.env.renderTemplate(templateName, request.context)
  } finally {
    frames.pop()
  }
}

/** Evaluates an expression (no callbacks expected to fail) at the current depth; undefined when it cannot. */
export function evaluateExpression(
  expr: string,
  context: Record<string, unknown>,
  frame: RenderFrame
): unknown {
  const entry = environmentFor({ trimBlocks: false, lstripBlocks: false }, frames.length)
  frames.push(frame)
  try {
    return fromGuarded(entry.env.evalExpr(`(${expr}) | default(${UNDEFINED_GLOBAL})`, context))
  } catch {
    return undefined
  } finally {
    frames.pop()
  }
}
