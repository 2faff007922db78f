// The templar's public surface (see docs/decisions/0001-template-engine.md).
import { registerBuiltins } from './builtins.js'
import { defineFilter, defineTest, filterNames, testNames } from './engine.js'

registerBuiltins()

export {
  Templar,
  type TemplarOptions,
  type TemplateOptions,
  type TemplateFileOptions
} from './templar.js'
export { TemplateError, UndefinedVariableError, ConditionalError } from './errors.js'
export { UnsafeText, isUnsafe, markUnsafe, isMarkedUnsafe, unsafeElement } from './unsafe.js'
export { OMIT_TOKEN, isOmitted, dropOmitted } from './omit.js'
export { LazyMapping } from './lazy.js'
export {
  registerLookup,
  lookupNames,
  type LookupFunction,
  type LookupContext,
  type LookupOptions
} from './lookups.js'
export type { FilterFunction, TestFunction, CallContext, Kwargs } from './engine.js'
export { pyStr, pyRepr, pyTruthy } from './values.js'

/** Adds or replaces a filter (value, positional args, keyword args, call context). */
export const registerFilter = defineFilter
/** Adds or replaces a test. */
export const registerTest = defineTest
/** Names of the filters and tests implemented in JS (minijinja's built-ins come on top). */
export const listFilters = filterNames
export const listTests = testNames
