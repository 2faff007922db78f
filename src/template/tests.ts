// Jinja tests with Python/Ansible semantics: type tests, regex tests, version comparison, task
// result tests (failed/changed/...), set tests and path tests (on the runner, like Ansible).
import { existsSync, lstatSync, statSync } from 'node:fs'
import path from 'node:path'
import { defineTest } from './engine.js'
import { TemplateError } from './errors.js'
import { defined } from './filters/common.js'
import { pythonRegex } from './filters/regex.js'
import { isPlainObject, pyEquals, pyStr, pyTruthy, type PlainObject } from './values.js'
import { toBool } from './filters/strings.js'

type VersionPart = number | string

function looseVersion(version: string): VersionPart[] {
  return version
    .split(/(\d+|[a-z]+|\.)/i)
    .filter(part => part !== '' && part !== '.')
    .map(part => (/^\d+$/.test(part) ? Number(part) : part))
}

function strictVersion(version: string): VersionPart[] {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$/.exec(version)
  if (!match)
    throw new TemplateError(`Version comparison failed: invalid version number '${version}'`)
  return [
    Number(match[1]),
    Number(match[2]),
    Number(match[3] ?? 0),
    match[4] ?? 'z',
    Number(match[5] ?? 0)
  ]
}

function compareParts(a: VersionPart[], b: VersionPart[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i]
    const y = b[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x - y
    if (typeof x === 'number') return -1
    if (typeof y === 'number') return 1
    return x < y ? -1 : 1
  }
  return 0
}

const VERSION_OPERATORS: Record<string, (c: number) => boolean> = {
  '==': c => c === 0,
  '=': c => c === 0,
  eq: c => c === 0,
  '!=': c => c !== 0,
  '<>': c => c !== 0,
  ne: c => c !== 0,
  '<': c => c < 0,
  lt: c => c < 0,
  '<=': c => c <= 0,
  le: c => c <= 0,
  '>': c => c > 0,
  gt: c => c > 0,
  '>=': c => c >= 0,
  ge: c => c >= 0
}

function versionTest(value: unknown, args: unknown[], kwargs: Record<string, unknown>): boolean {
  const operator = pyStr(kwargs.operator ?? args[1] ?? 'eq')
  const compare = VERSION_OPERATORS[operator]
  if (!compare) throw new TemplateError(`Invalid operator type (${operator})`)
  const strict = pyTruthy(kwargs.strict ?? args[2] ?? false) || kwargs.version_type === 'strict'
  const parse = strict ? strictVersion : looseVersion
  const reference = kwargs.version ?? args[0]
  if (reference === undefined || reference === null || reference === '')
    throw new TemplateError('Version parameter to compare against cannot be empty')
  return compare(compareParts(parse(pyStr(defined(value))), parse(pyStr(reference))))
}

function taskResult(value: unknown, test: string): PlainObject {
  if (!isPlainObject(value)) throw new TemplateError(`The '${test}' test expects a dictionary`)
  return value
}

const isFailed = (value: unknown, test: string): boolean =>
  toBool(taskResult(value, test).failed ?? false) === true

function regexTest(kind: 'match' | 'search' | 'regex') {
  return (value: unknown, args: unknown[], kwargs: Record<string, unknown>): boolean => {
    const mode = kind === 'regex' ? pyStr(kwargs.match_type ?? args[3] ?? 'search') : kind
    const pattern = pyStr(kwargs.pattern ?? args[0] ?? '')
    const flags = {
      ignorecase: kwargs.ignorecase ?? args[1],
      multiline: kwargs.multiline ?? args[2]
    }
    const source =
      mode === 'match' ? `^(?:${pattern})` : mode === 'fullmatch' ? `^(?:${pattern})$` : pattern
    return pythonRegex(source, flags, false).test(pyStr(defined(value)))
  }
}

function containsAll(container: unknown, items: unknown): boolean {
  const list = Array.isArray(container) ? container : []
  return (Array.isArray(items) ? items : []).every(item =>
    list.some(entry => pyEquals(entry, item))
  )
}

export function registerTests(): void {
  defineTest('truthy', (value, _args, kwargs) => {
    const truth = pyTruthy(defined(value))
    return pyTruthy(kwargs.convert_bool ?? false) && typeof value === 'string'
      ? toBool(value) === true
      : truth
  })
  defineTest('falsy', (value, _args, kwargs) => {
    const truth = pyTruthy(defined(value))
    return !(pyTruthy(kwargs.convert_bool ?? false) && typeof value === 'string'
      ? toBool(value) === true
      : truth)
  })
  defineTest('sequence', value => {
    const input = defined(value)
    return typeof input === 'string' || (input !== null && typeof input === 'object')
  })
  defineTest('iterable', value => {
    const input = defined(value)
    return typeof input === 'string' || (input !== null && typeof input === 'object')
  })
  defineTest('match', regexTest('match'))
  defineTest('search', regexTest('search'))
  defineTest('regex', regexTest('regex'))
  defineTest('version', versionTest)
  defineTest('version_compare', versionTest)
  defineTest('subset', (value, args) => containsAll(args[0], defined(value)))
  defineTest('superset', (value, args) => containsAll(defined(value), args[0]))
  defineTest(
    'contains',
    (value, args) => Array.isArray(value) && value.some(item => pyEquals(item, args[0]))
  )
  defineTest('any', value => (Array.isArray(value) ? value : []).some(pyTruthy))
  defineTest('all', value => (Array.isArray(value) ? value : []).every(pyTruthy))
  defineTest('nan', value => typeof value === 'number' && Number.isNaN(value))
  for (const name of ['failed', 'failure']) defineTest(name, value => isFailed(value, name))
  for (const name of ['succeeded', 'success', 'successful'])
    defineTest(name, value => !isFailed(value, name))
  for (const name of ['changed', 'change']) {
    defineTest(name, value => {
      const result = taskResult(value, name)
      if (!('changed' in result)) {
        const results = result.results
        return (
          Array.isArray(results) &&
          results.some(item => isPlainObject(item) && toBool(item.changed ?? false) === true)
        )
      }
      return toBool(result.changed) === true
    })
  }
  for (const name of ['skipped', 'skip'])
    defineTest(name, value => toBool(taskResult(value, name).skipped ?? false) === true)
  defineTest('finished', value => toBool(taskResult(value, 'finished').finished ?? 1) === true)
  defineTest('started', value => toBool(taskResult(value, 'started').started ?? 1) === true)
  defineTest('abs', value => path.isAbsolute(pyStr(defined(value))))
  defineTest('exists', value =>
    existsSync(pyStr(defined(value)).replace(/^~(?=$|\/)/, process.env.HOME ?? '~'))
  )
  for (const name of ['directory', 'is_dir'])
    defineTest(name, value => existsSync(pyStr(value)) && statSync(pyStr(value)).isDirectory())
  for (const name of ['file', 'is_file'])
    defineTest(name, value => existsSync(pyStr(value)) && statSync(pyStr(value)).isFile())
  for (const name of ['link', 'is_link']) {
    defineTest(name, value => {
      try {
        return lstatSync(pyStr(value)).isSymbolicLink()
      } catch {
        return false
      }
    })
  }
  defineTest('same_file', (value, args) => {
    try {
      const a = statSync(pyStr(value))
      const b = statSync(pyStr(args[0]))
      return a.ino === b.ino && a.dev === b.dev
    } catch {
      return false
    }
  })
}
