// The templar: renders every keyword and module argument the way Ansible 2.14 does, on top of
// minijinja (see docs/decisions/0001-template-engine.md).
import {
  CompileFailure,
  engineMessage,
  evaluateExpression,
  jsCallables,
  installHooks,
  MandatoryUndefined,
  renderCode,
  UndefinedInput,
  type CallContext,
  type RenderFrame
} from './engine.js'
import { ConditionalError, TemplateError, UndefinedVariableError } from './errors.js'
import { LazyMapping } from './lazy.js'
import { MutableStore } from './mutation.js'
import { NOT_LITERAL, pyLiteralEval } from './literal.js'
import { OMIT_TOKEN } from './omit.js'
import { prepareTemplate, type PreparedTemplate } from './preprocess.js'
import { accessChains } from './chains.js'
import {
  containsUnsafe,
  isMarkedUnsafe,
  isUnsafe,
  markUnsafe,
  UnsafeText,
  withoutUnsafeText
} from './unsafe.js'
import { registerBuiltins } from './builtins.js'
import {
  isPlainObject,
  pyFloatRepr,
  rememberKeyOrder,
  pyRepr,
  pyStr,
  pyTruthy,
  pyTypeName
} from './values.js'
import { runLookup, type LookupOptions } from './lookups.js'

export interface TemplateOptions {
  /** Turn a rendered "[...]", "{...}", "True" or "False" back into data (Ansible's default). */
  convertData?: boolean
  /** When false, a template that hits an undefined variable is returned unrendered. */
  failOnUndefined?: boolean
  /**
   * Keep the unsafe mark on results that read unsafe data (UnsafeText for strings, marked
   * lists and dicts), for values that are stored as variables (set_fact): read later, they are
   * never rendered again. Without it strings come back plain.
   */
  keepUnsafe?: boolean
}

export interface TemplarOptions {
  /** Receives warnings Ansible prints on stderr (without the "[WARNING]: " prefix). */
  onWarning?: (message: string) => void
}

export interface TemplateFileOptions {
  trimBlocks?: boolean
  lstripBlocks?: boolean
  newlineSequence?: string
}

/** Set when a render reads unsafe data, so its result is marked unsafe. */
interface Taint {
  unsafe: boolean
}

const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}$/
const MAY_BE_TEMPLATE = /\{\{|\{%|\{#/
const MAX_PREPARED = 5000
const prepared = new Map<string, PreparedTemplate>()

function prepare(source: string, escapeBackslashes: boolean): PreparedTemplate {
  const key = `${escapeBackslashes ? 1 : 0}${source}`
  let entry = prepared.get(key)
  if (!entry) {
    if (prepared.size >= MAX_PREPARED) prepared.clear()
    try {
      entry = prepareTemplate(source, { escapeBackslashes, callables: jsCallables() })
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error
      throw new TemplateError(
        `template error while templating string: ${error.message}. String: ${source}`
      )
    }
    prepared.set(key, entry)
  }
  return entry
}

/** A variable's rendered value (UnsafeText already plain) and whether it held unsafe data. */
type Resolution = { value: unknown; unsafe: boolean } | { error: unknown }

/** One variable namespace with its lazily rendered values (the task's vars, or one host's). */
class Scope {
  readonly resolved = new Map<string, Resolution>()
  readonly inProgress = new Set<string>()
  readonly lazyEntries = new Map<string, unknown>()

  constructor(
    readonly templar: Templar,
    readonly vars: Record<string, unknown>
  ) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.vars, name)
  }

  /** The variable's value with its templates rendered; throws what rendering threw. */
  resolve(name: string): unknown {
    return this.resolution(name).value
  }

  /** True when the variable's value holds unsafe data (Ansible's _is_unsafe), after resolve(). */
  isUnsafe(name: string): boolean {
    return this.resolution(name).unsafe
  }

  private resolution(name: string): { value: unknown; unsafe: boolean } {
    const done = this.resolved.get(name)
    if (done) {
      if ('error' in done) throw done.error
      return done
    }
    if (this.inProgress.has(name)) {
      throw new TemplateError(
        `recursive loop detected in template string: ${pyStr(this.vars[name])}`
      )
    }
    this.inProgress.add(name)
    try {
      const rendered = this.templar.templateIn(this.vars[name], this, {})
      const resolution = { value: withoutUnsafeText(rendered), unsafe: containsUnsafe(rendered) }
      this.resolved.set(name, resolution)
      return resolution
    } catch (error) {
      this.resolved.set(name, { error })
      throw error
    } finally {
      this.inProgress.delete(name)
    }
  }

  lazyGet(root: string, key: unknown): unknown {
    const container = this.has(root) ? this.vars[root] : root === 'vars' ? this.vars : undefined
    if (container === undefined || container === null) return undefined
    if (container === this.vars) {
      const name = String(key)
      return this.has(name) ? this.resolve(name) : undefined
    }
    if (container instanceof LazyMapping) return this.lazyEntry(container, root, String(key))
    const value = this.resolve(root) as Record<string, unknown> | unknown[]
    return (value as Record<string, unknown>)?.[String(key)]
  }

  lazyEntry(mapping: LazyMapping, root: string, key: string): unknown {
    const cacheKey = `${root}\u0000${key}`
    if (this.lazyEntries.has(cacheKey)) return this.lazyEntries.get(cacheKey)
    const item = mapping.getItem(key)
    let value: unknown
    if (isPlainObject(item)) {
      const hostScope = new Scope(this.templar, item)
      const out: Record<string, unknown> = {}
      for (const name of Object.keys(item)) {
        if (item[name] instanceof LazyMapping) continue
        try {
          out[name] = hostScope.resolve(name)
        } catch {
          // Ansible fails only when such a variable is used; it stays undefined here.
        }
      }
      value = out
    } else {
      value = withoutUnsafeText(this.templar.templateIn(item, this, {}))
    }
    this.lazyEntries.set(cacheKey, value)
    return value
  }

  materialise(mapping: LazyMapping, root: string): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const key of mapping.listKeys()) out[key] = this.lazyEntry(mapping, root, key)
    return out
  }
}

function trailingNewlines(text: string): number {
  return text.length - text.replace(/\n+$/, '').length
}

const KNOWN_GLOBALS = new Set([
  'range',
  'dict',
  'namespace',
  'lipsum',
  'cycler',
  'joiner',
  'true',
  'false',
  'none'
])

export class Templar {
  constructor(private readonly options: TemplarOptions = {}) {
    registerBuiltins()
  }

  /** Renders strings inside `value` (recursively through lists and dicts) with `vars`. */
  template(value: unknown, vars: Record<string, unknown>, options: TemplateOptions = {}): unknown {
    const result = this.templateIn(value, new Scope(this, vars), options)
    return options.keepUnsafe ? result : withoutUnsafeText(result)
  }

  /**
   * @internal rendering inside an existing variable scope. Unsafe values stay marked: a result
   * that read unsafe data comes back as UnsafeText or a marked list/dict.
   */
  templateIn(value: unknown, scope: Scope, options: TemplateOptions): unknown {
    if (isMarkedUnsafe(value)) return value
    if (typeof value === 'string') return this.templateString(value, scope, options)
    // Containers come back as the same object when nothing in them was a template, so that
    // static data (facts, inventory) is not copied on every render.
    if (Array.isArray(value)) {
      const items = value.map(item => this.templateIn(item, scope, options))
      return items.every((item, i) => item === value[i]) ? value : items
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {}
      let changed = false
      for (const [key, item] of Object.entries(value)) {
        const renderedKey = MAY_BE_TEMPLATE.test(key)
          ? pyStr(withoutUnsafeText(this.templateString(key, scope, options)))
          : key
        out[renderedKey] = this.templateIn(item, scope, options)
        changed ||= renderedKey !== key || out[renderedKey] !== item
      }
      return changed ? out : value
    }
    return value
  }

  /** True when the string would be rendered (holds {{, {% or {#). */
  isTemplate(value: unknown): boolean {
    return typeof value === 'string' && MAY_BE_TEMPLATE.test(value)
  }

  private templateString(source: string, scope: Scope, options: TemplateOptions): unknown {
    if (!MAY_BE_TEMPLATE.test(source)) return source
    const single = SINGLE_VAR.exec(source)
    if (single && scope.has(single[1])) {
      const raw = scope.vars[single[1]]
      if (typeof raw === 'boolean' || typeof raw === 'number' || raw === null) return raw
    }
    try {
      return this.render(source, scope, options, {
        escapeBackslashes: true,
        trimBlocks: false,
        lstripBlocks: false
      })
    } catch (error) {
      if (error instanceof UndefinedVariableError && options.failOnUndefined === false)
        return source
      throw error
    }
  }

  private render(
    source: string,
    scope: Scope,
    options: TemplateOptions,
    settings: {
      escapeBackslashes: boolean
      trimBlocks: boolean
      lstripBlocks: boolean
      lenientOperands?: boolean
    }
  ): unknown {
    const template = prepare(source, settings.escapeBackslashes)
    const deferred = new Map<string, unknown>()
    const taint: Taint = { unsafe: false }
    const context = this.contextFor(template, scope, deferred, taint)
    for (const value of Object.values(context)) rememberKeyOrder(value)
    const frame: RenderFrame = {
      allowUndefined: new Set(),
      lenientOperands: settings.lenientOperands,
      deferred,
      context: this.callContext(scope, taint)
    }
    let output: string
    for (;;) {
      frame.error = undefined
      frame.undefinedSlot = undefined
      frame.captured = undefined
      frame.mutables = new MutableStore(name => context[name])
      frame.attributeMiss = undefined
      let engineError: unknown
      try {
        output = renderCode({ code: template.code, settings, context, frame })
      } catch (error) {
        engineError = error
        output = ''
      }
      if (frame.error !== undefined)
        throw this.callbackFailure(frame.error, source, template, context, scope, frame)
      if (frame.undefinedSlot !== undefined) {
        const undefinedError = this.explainUndefined(
          template,
          [frame.undefinedSlot],
          context,
          scope,
          frame
        )
        if (undefinedError) throw undefinedError
        if (frame.attributeMiss) throw new UndefinedVariableError(frame.attributeMiss)
        frame.allowUndefined.add(frame.undefinedSlot)
        continue
      }
      if (engineError !== undefined)
        throw this.engineFailure(engineError, source, template, context, scope, frame)
      break
    }
    let result = this.convert(output, template, frame, options)
    // Jinja drops the source's final newline; Ansible adds back as many as the source had.
    if (typeof result === 'string') {
      const missing = trailingNewlines(source) - trailingNewlines(result)
      if (missing > 0) result += '\n'.repeat(missing)
    }
    // Like ansible-core 2.14.12+ (CVE-2023-5764): what read unsafe data is unsafe too.
    if (!taint.unsafe) return result
    return typeof result === 'string' ? new UnsafeText(result) : markUnsafe(result)
  }

  private convert(
    output: string,
    template: PreparedTemplate,
    frame: RenderFrame,
    options: TemplateOptions
  ): unknown {
    if (options.convertData === false) return output
    // Rendering a list/dict/bool and literal_eval-ing its repr gives the value back: skip the trip.
    const captured = frame.captured as RenderFrame['captured']
    if (template.single && captured) {
      if (captured.text) return output
      const value = captured.value
      if (Array.isArray(value) || isPlainObject(value) || typeof value === 'boolean') return value
    }
    if (
      output.startsWith('[') ||
      output.startsWith('{') ||
      output === 'True' ||
      output === 'False'
    ) {
      const literal = pyLiteralEval(output)
      if (literal !== NOT_LITERAL) return literal
    }
    return output
  }

  private contextFor(
    template: PreparedTemplate,
    scope: Scope,
    deferred: Map<string, unknown>,
    taint: Taint
  ): Record<string, unknown> {
    const context: Record<string, unknown> = {}
    for (const name of template.names) {
      if (!scope.has(name)) {
        if (name === 'omit') context.omit = OMIT_TOKEN
        continue
      }
      const raw = scope.vars[name]
      try {
        if (raw instanceof LazyMapping) context[name] = scope.materialise(raw, name)
        else {
          context[name] = scope.resolve(name)
          if (scope.isUnsafe(name)) taint.unsafe = true
        }
      } catch (error) {
        // Reported only if the template really reads it (see explainUndefined).
        deferred.set(name, error)
      }
    }
    return context
  }

  private callContext(scope: Scope, taint: Taint): CallContext {
    const read = (name: string): unknown => {
      if (!scope.has(name)) return undefined
      const value = scope.resolve(name)
      if (scope.isUnsafe(name)) taint.unsafe = true
      return value
    }
    return {
      getVariable: read,
      hasVariable: name => scope.has(name),
      renderString: (source, options) =>
        withoutUnsafeText(this.templateString(source, scope, options ?? {})),
      lazyGet: (root, key) => {
        if (root === 'vars' && !scope.has('vars')) return read(String(key))
        const value = scope.lazyGet(root, key)
        if (containsUnsafe(value)) taint.unsafe = true
        return value
      },
      lookup: (name, terms, kwargs) => {
        // Ansible marks lookup results unsafe (allow_unsafe is off by default).
        taint.unsafe = true
        return this.lookupIn(name, terms, scope, kwargs)
      }
    }
  }

  /** Names the first undefined variable/attribute read by the given slots, or null. */
  private explainUndefined(
    template: PreparedTemplate,
    slots: number[],
    context: Record<string, unknown>,
    scope: Scope,
    frame: RenderFrame
  ): UndefinedVariableError | null {
    for (const slot of slots) {
      for (const chain of accessChains(template.slots[slot].expr)) {
        if (chain.guarded) continue
        if (
          chain.rootName &&
          (template.locals.has(chain.rootName) || KNOWN_GLOBALS.has(chain.rootName))
        )
          continue
        let base = evaluateExpression(chain.root, context, frame)
        if (base === undefined) {
          if (chain.rootName) {
            if (frame.deferred.has(chain.rootName)) {
              const inner = frame.deferred.get(chain.rootName)
              if (inner instanceof TemplateError) {
                const Kind =
                  inner instanceof UndefinedVariableError ? UndefinedVariableError : TemplateError
                throw new Kind(`${pyStr(scope.vars[chain.rootName])}: ${inner.message}`)
              }
              throw inner
            }
            return new UndefinedVariableError(`'${chain.rootName}' is undefined`)
          }
          if (chain.lazy) {
            const key = evaluateExpression(chain.lazy.keySource, context, frame)
            return new UndefinedVariableError(`"${chain.lazy.root}[${pyRepr(key)}]" is undefined`)
          }
          continue
        }
        let sourceSoFar = chain.root
        for (const accessor of chain.accessors) {
          sourceSoFar += accessor.source
          const value = evaluateExpression(sourceSoFar, context, frame)
          if (value === undefined) {
            const key =
              accessor.attribute ?? evaluateExpression(accessor.keySource ?? '', context, frame)
            if (Array.isArray(base) && typeof key === 'number') {
              return new UndefinedVariableError(`list object has no element ${key}`)
            }
            const typeName = Array.isArray(base) ? 'list' : pyTypeName(base)
            return new UndefinedVariableError(
              `'${typeName} object' has no attribute '${pyStr(key)}'`
            )
          }
          base = value
        }
      }
    }
    return null
  }

  private allSlots(template: PreparedTemplate): number[] {
    return template.slots.map((_, index) => index)
  }

  private callbackFailure(
    error: unknown,
    source: string,
    template: PreparedTemplate,
    context: Record<string, unknown>,
    scope: Scope,
    frame: RenderFrame
  ): Error {
    if (error instanceof UndefinedInput) {
      const undefinedError = this.explainUndefined(
        template,
        this.allSlots(template),
        context,
        scope,
        frame
      )
      if (error instanceof MandatoryUndefined) {
        const name = /^'([^']*)' is undefined$/.exec(undefinedError?.message ?? '')?.[1]
        return new TemplateError(
          error.customMessage ?? `Mandatory variable ${name ? `'${name}' ` : ''} not defined.`
        )
      }
      return (
        undefinedError ??
        new UndefinedVariableError(`an undefined value was used while templating '${source}'`)
      )
    }
    if (error instanceof TemplateError) return error
    const message = error instanceof Error ? error.message : String(error)
    return new TemplateError(`Unexpected failure during templating of '${source}': ${message}`)
  }

  private engineFailure(
    error: unknown,
    source: string,
    template: PreparedTemplate,
    context: Record<string, unknown>,
    scope: Scope,
    frame: RenderFrame
  ): Error {
    const message = engineMessage(error)
    const unknown = /^unknown (?:filter|test): (?:filter|test) (\S+) is unknown/.exec(message)
    if (unknown) {
      return new TemplateError(
        `template error while templating string: Could not load "${unknown[1]}": '${unknown[1]}'. String: ${source}`
      )
    }
    if (error instanceof CompileFailure || /^syntax error/.test(message)) {
      return new TemplateError(
        `template error while templating string: ${message}. String: ${source}`
      )
    }
    if (/undefined/.test(message)) {
      const undefinedError = this.explainUndefined(
        template,
        this.allSlots(template),
        context,
        scope,
        frame
      )
      if (undefinedError) return undefinedError
    }
    if (/^invalid operation/.test(message)) {
      return new TemplateError(
        `Unexpected templating type error occurred on (${source}): ${message}`
      )
    }
    return new TemplateError(
      `An unhandled exception occurred while templating '${source}': ${message}`
    )
  }

  /**
   * Evaluates `when`/`changed_when`/`failed_when`/`until`: a string is a bare Jinja expression,
   * a list means all must hold, booleans and numbers stand for themselves.
   */
  evaluateConditional(
    condition: unknown,
    vars: Record<string, unknown>,
    options: { onWarning?: (message: string) => void } = {}
  ): boolean {
    const scope = new Scope(this, vars)
    const conditions = Array.isArray(condition) ? condition : [condition]
    for (const item of conditions) {
      if (!this.checkConditional(item, scope, options.onWarning ?? this.options.onWarning))
        return false
    }
    return true
  }

  private checkConditional(
    condition: unknown,
    scope: Scope,
    warn?: (message: string) => void
  ): boolean {
    if (condition === null || condition === undefined || condition === '') return true
    const original = isUnsafe(condition) ? condition.text : condition
    if (typeof original !== 'string') return pyTruthy(original)
    if (MAY_BE_TEMPLATE.test(original)) {
      warn?.(
        `conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${original}`
      )
    }
    try {
      const value = withoutUnsafeText(this.templateIn(condition, scope, {}))
      if (typeof value !== 'string' || value === '') return pyTruthy(value)
      const presented = `{% if ${value} %} True {% else %} False {% endif %}`
      let result: string
      try {
        result = String(
          this.render(
            presented,
            scope,
            {},
            {
              escapeBackslashes: true,
              trimBlocks: false,
              lstripBlocks: false,
              lenientOperands: true
            }
          )
        ).trim()
      } catch (error) {
        // `x + 1` with x undefined fails as a type error in a lenient render: name x instead.
        this.failOnUndefinedOperands(value, scope)
        throw error
      }
      if (result !== 'True' && result !== 'False') {
        throw new TemplateError(`unable to evaluate conditional: ${original}`)
      }
      this.failOnUndefinedOperands(value, scope)
      return result === 'True'
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      const detail =
        error instanceof UndefinedVariableError
          ? `error while evaluating conditional (${original}): ${message}`
          : message
      throw new ConditionalError(
        `The conditional check '${original}' failed. The error was: ${detail}`
      )
    }
  }

  /**
   * Ansible's undefined fails in every operation (`x == 1`, `not x`, `x ~ 'a'`); minijinja's
   * chainable undefined does not. For a condition, a variable chain that is read without a
   * guard (`is defined`, `default`, ... anywhere on the same variable) and is undefined fails
   * the condition, as it does in Ansible.
   */
  private failOnUndefinedOperands(expression: string, scope: Scope): void {
    const chains = accessChains(expression)
    const guardedRoots = new Set(chains.filter(chain => chain.guarded).map(chain => chain.rootName))
    const suspects = chains.filter(
      chain =>
        !chain.guarded &&
        chain.rootName !== undefined &&
        !guardedRoots.has(chain.rootName) &&
        !KNOWN_GLOBALS.has(chain.rootName) &&
        chain.rootName !== 'omit'
    )
    for (const chain of suspects) {
      if (!scope.has(chain.rootName as string)) {
        throw new UndefinedVariableError(`'${chain.rootName}' is undefined`)
      }
    }
    const withAccessors = suspects.filter(chain => chain.accessors.length > 0)
    if (withAccessors.length === 0) return
    const source = withAccessors
      .map(chain => `(${chain.root}${chain.accessors.map(a => a.source).join('')}) is defined`)
      .join(', ')
    const defined = this.render(
      `{{ [${source}] }}`,
      scope,
      {},
      {
        escapeBackslashes: false,
        trimBlocks: false,
        lstripBlocks: false
      }
    ) as boolean[]
    const index = defined.indexOf(false)
    if (index >= 0) {
      // Name the missing attribute or item the way an output of it would.
      const chain = withAccessors[index]
      this.render(
        `{{ ${chain.root}${chain.accessors.map(a => a.source).join('')} }}`,
        scope,
        {},
        {
          escapeBackslashes: false,
          trimBlocks: false,
          lstripBlocks: false
        }
      )
    }
  }

  /** Renders a template file's text (the `template` module and lookup): always a string. */
  renderTemplateFile(
    text: string,
    vars: Record<string, unknown>,
    options: TemplateFileOptions = {}
  ): string {
    const scope = new Scope(this, vars)
    const newline = options.newlineSequence ?? '\n'
    const rendered = String(
      this.render(
        text,
        scope,
        { convertData: false },
        {
          escapeBackslashes: false,
          trimBlocks: options.trimBlocks ?? true,
          lstripBlocks: options.lstripBlocks ?? false
        }
      )
    )
    return newline === '\n' ? rendered : rendered.replace(/\r\n|\r|\n/g, newline)
  }

  /** Runs a lookup plugin the way `with_<name>` does: terms already templated, returns the (unsafe) list. */
  lookup(
    name: string,
    terms: unknown[],
    vars: Record<string, unknown>,
    options: LookupOptions = {}
  ): unknown[] {
    // Ansible wraps lookup results as unsafe (allow_unsafe is off): with_<name> items included.
    return markUnsafe([...this.lookupIn(name, terms, new Scope(this, vars), options)]) as unknown[]
  }

  private lookupIn(
    name: string,
    terms: unknown[],
    scope: Scope,
    options: LookupOptions
  ): unknown[] {
    return runLookup(name, terms, options, {
      getVariable: variable => (scope.has(variable) ? scope.resolve(variable) : undefined),
      hasVariable: variable => scope.has(variable),
      renderTemplateFile: text => this.renderTemplateFile(text, scope.vars),
      warn: message => this.options.onWarning?.(message)
    })
  }
}

/** Hooks called by the rewritten template (see preprocess.ts). */
installHooks({
  out(value, slot, frame, isFloat) {
    if (value === undefined) {
      if (frame.allowUndefined.has(slot)) return ''
      frame.undefinedSlot ??= slot
      return ''
    }
    frame.captured = { value, text: typeof value === 'string' && value === frame.textResult }
    if (isFloat && typeof value === 'number') return pyFloatRepr(value)
    return value === null ? '' : pyStr(value)
  },
  truth(value, slot, frame) {
    if (value === undefined && !frame.allowUndefined.has(slot)) {
      frame.undefinedSlot ??= slot
      return false
    }
    return pyTruthy(value)
  },
  iter(value, slot, frame) {
    if (value === undefined && !frame.allowUndefined.has(slot)) {
      frame.undefinedSlot ??= slot
      return []
    }
    return value ?? []
  }
})
