// map / select / reject / selectattr / rejectattr in JS, so that a missing attribute fails the
// way Ansible's strict undefined does ("'dict object' has no attribute 'x'") instead of
// silently producing none, and so that they can call our filters and tests by name.
// Jinja's own tests that these accept by name are re-done here (minijinja's are not callable
// from JS).
import { defineFilter, filterFunction, testFunction, type CallContext } from '../engine.js'
import { TemplateError, UndefinedVariableError } from '../errors.js'
import { isPlainObject, pyCompare, pyEquals, pyStr, pyTruthy, pyTypeName } from '../values.js'
import { asList, truthyOption } from './common.js'

type Predicate = (value: unknown, args: unknown[]) => boolean

const isNumber = (value: unknown): boolean => typeof value === 'number'

const JINJA_TESTS: Record<string, Predicate> = {
  defined: value => value !== undefined,
  undefined: value => value === undefined,
  none: value => value === null,
  equalto: (value, [other]) => pyEquals(value, other),
  ne: (value, [other]) => !pyEquals(value, other),
  lt: (value, [other]) => pyCompare(value, other) < 0,
  le: (value, [other]) => pyCompare(value, other) <= 0,
  gt: (value, [other]) => pyCompare(value, other) > 0,
  ge: (value, [other]) => pyCompare(value, other) >= 0,
  in: (value, [container]) =>
    Array.isArray(container)
      ? container.some(item => pyEquals(item, value))
      : typeof container === 'string'
        ? container.includes(pyStr(value))
        : isPlainObject(container) && pyStr(value) in container,
  string: value => typeof value === 'string',
  number: isNumber,
  integer: value => Number.isInteger(value),
  float: value => isNumber(value) && !Number.isInteger(value),
  mapping: value => isPlainObject(value),
  boolean: value => typeof value === 'boolean',
  true: value => value === true,
  false: value => value === false,
  odd: value => Number(value) % 2 === 1,
  even: value => Number(value) % 2 === 0,
  divisibleby: (value, [divisor]) => Number(value) % Number(divisor) === 0,
  lower: value => typeof value === 'string' && value === value.toLowerCase(),
  upper: value => typeof value === 'string' && value === value.toUpperCase(),
  startingwith: (value, [prefix]) => pyStr(value).startsWith(pyStr(prefix)),
  endingwith: (value, [suffix]) => pyStr(value).endsWith(pyStr(suffix))
}
const ALIASES: Record<string, string> = {
  '==': 'equalto',
  eq: 'equalto',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
  greaterthan: 'gt',
  lessthan: 'lt',
  sameas: 'equalto'
}

/** Tests that do not fail on an undefined value. */
const UNDEFINED_SAFE_TESTS = new Set(['defined', 'undefined', 'none'])

function predicate(testName: unknown, context: CallContext): Predicate {
  if (testName === undefined || testName === null) return value => pyTruthy(value)
  const name = pyStr(testName)
  const ours = testFunction(name)
  if (ours) return (value, args) => ours(value, args, {}, context)
  const jinja = JINJA_TESTS[ALIASES[name] ?? name]
  if (!jinja)
    throw new TemplateError(
      `template error while templating string: Could not load "${name}": '${name}'`
    )
  return jinja
}

function attributeValue(item: unknown, attribute: string): { found: boolean; value: unknown } {
  let current = item
  for (const part of attribute.split('.')) {
    if (Array.isArray(current) && /^-?\d+$/.test(part) && Number(part) < current.length)
      current = current.at(Number(part))
    else if (isPlainObject(current) && part in current) current = current[part]
    else return { found: false, value: undefined }
  }
  return { found: true, value: current }
}

function missingAttribute(item: unknown, attribute: string): UndefinedVariableError {
  const typeName = Array.isArray(item) ? 'list' : pyTypeName(item)
  return new UndefinedVariableError(`'${typeName} object' has no attribute '${attribute}'`)
}

const JINJA_FILTERS: Record<string, (value: unknown, args: unknown[]) => unknown> = {
  abs: value => Math.abs(Number(value)),
  round: (value, [precision]) => {
    const factor = 10 ** Number(precision ?? 0)
    return Math.round(Number(value) * factor) / factor
  },
  reverse: value =>
    typeof value === 'string'
      ? [...value].reverse().join('')
      : [...asList(value, 'reverse')].reverse(),
  default: (value, [fallback, boolean]) =>
    value === undefined || (truthyOption(boolean) && !pyTruthy(value)) ? (fallback ?? '') : value,
  items: value => (isPlainObject(value) ? Object.entries(value) : [])
}
JINJA_FILTERS.d = JINJA_FILTERS.default

function selectFilter(keep: boolean) {
  return (
    value: unknown,
    args: unknown[],
    _kwargs: Record<string, unknown>,
    context: CallContext
  ): unknown[] => {
    const [testName, ...testArgs] = args
    const test = predicate(testName, context)
    return asList(value, keep ? 'select' : 'reject').filter(item => test(item, testArgs) === keep)
  }
}

function selectAttrFilter(keep: boolean) {
  return (
    value: unknown,
    args: unknown[],
    _kwargs: Record<string, unknown>,
    context: CallContext
  ): unknown[] => {
    const [attribute, testName, ...testArgs] = args
    const test = predicate(testName, context)
    const safe = UNDEFINED_SAFE_TESTS.has(pyStr(testName))
    return asList(value, keep ? 'selectattr' : 'rejectattr').filter(item => {
      const { found, value: attrValue } = attributeValue(item, pyStr(attribute))
      if (!found && !safe) throw missingAttribute(item, pyStr(attribute))
      return test(attrValue, testArgs) === keep
    })
  }
}

export function registerHigherOrderFilters(): void {
  defineFilter('map', (value, args, kwargs, context) => {
    const items = asList(value, 'map')
    if (kwargs.attribute !== undefined) {
      const attribute = pyStr(kwargs.attribute)
      return items.map(item => {
        const { found, value: attrValue } = attributeValue(item, attribute)
        if (found) return attrValue
        if ('default' in kwargs) return kwargs.default
        throw missingAttribute(item, attribute)
      })
    }
    const [filterName, ...filterArgs] = args
    const name = pyStr(filterName)
    const ours = filterFunction(name)
    if (ours) return items.map(item => ours(item, filterArgs, kwargs, context))
    const jinja = JINJA_FILTERS[name]
    if (!jinja)
      throw new TemplateError(
        `template error while templating string: Could not load "${name}": '${name}'`
      )
    return items.map(item => jinja(item, filterArgs))
  })
  defineFilter('select', selectFilter(true))
  defineFilter('reject', selectFilter(false))
  defineFilter('selectattr', selectAttrFilter(true))
  defineFilter('rejectattr', selectAttrFilter(false))
}
