// Ansible 2.14 conformance for the templar: every case in ../shared/conformance/templating/ is
// run through Templar (not the whole engine) and compared by value and JSON type, or by
// failure, as the corpus README's independent check does.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { LazyMapping, OMIT_TOKEN, Templar, TemplateError } from '../../src/template/index.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const corpusDir = path.resolve(repoRoot, '../shared/conformance/templating')

interface TemplatingCase {
  name: string
  kind: 'template' | 'when'
  template?: string
  when?: unknown
  vars: Record<string, unknown>
  expected: {
    status: 'ok' | 'failed' | 'skipped' | 'error'
    result?: unknown
    result_type?: string
    ran?: boolean
    error?: string | null
    stderr: string
  }
}

const cases: TemplatingCase[] = readdirSync(corpusDir)
  .filter(file => file.endsWith('.json'))
  .sort()
  .map(file => JSON.parse(readFileSync(path.join(corpusDir, file), 'utf8')) as TemplatingCase)

/** The magic variables ansible-playbook gives the single task of a case (host localhost). */
function caseVars(own: Record<string, unknown>): Record<string, unknown> {
  const hostVars: Record<string, unknown> = {
    ...own,
    inventory_hostname: 'localhost',
    inventory_hostname_short: 'localhost',
    ansible_connection: 'local'
  }
  return {
    ...hostVars,
    hostvars: new LazyMapping(
      host => (host === 'localhost' ? hostVars : undefined),
      () => ['localhost']
    ),
    groups: { all: ['localhost'], ungrouped: ['localhost'] },
    group_names: [],
    play_hosts: ['localhost'],
    ansible_play_hosts: ['localhost'],
    omit: OMIT_TOKEN,
    playbook_dir: '/tmp'
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'string') return 'str'
  return 'dict'
}

/** Equality of the README: 2.0 may equal 2, true never equals 1. */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' || typeof actual === 'number') return actual === expected
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => sameValue(actual[i], e))
    )
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
    const keys = Object.keys(expected)
    return (
      keys.length === Object.keys(actual).length &&
      keys.every(key =>
        sameValue(
          (actual as Record<string, unknown>)[key],
          (expected as Record<string, unknown>)[key]
        )
      )
    )
  }
  return actual === expected
}

/** The corpus writes Python object addresses as `at 0x$ADDR>` (see its README). */
function addressesNormalised(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/ at 0x[0-9a-f]+>/g, ' at 0x$ADDR>')
  if (Array.isArray(value)) return value.map(addressesNormalised)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, addressesNormalised(item)])
    )
  return value
}

function runCase(testCase: TemplatingCase): void {
  const warnings: string[] = []
  const templar = new Templar({ onWarning: message => warnings.push(message) })
  const vars = caseVars(testCase.vars)
  const { expected } = testCase
  if (testCase.kind === 'template') {
    if (expected.status === 'failed') {
      let error: unknown
      try {
        templar.template(testCase.template, vars)
      } catch (caught) {
        error = caught
      }
      expect(error, 'templating should fail').toBeInstanceOf(TemplateError)
      if (expected.error) expect((error as Error).message).not.toBe('')
      return
    }
    let result = addressesNormalised(templar.template(testCase.template, vars))
    // debug drops an omitted `msg` and prints its default.
    if (result === OMIT_TOKEN) result = 'Hello world!'
    expect(sameValue(result, expected.result), `got ${JSON.stringify(result)}`).toBe(true)
    const type = jsonType(result)
    expect(
      type === expected.result_type || (type === 'int' && expected.result_type === 'float')
    ).toBe(true)
    return
  }
  if (expected.status === 'failed') {
    expect(() => templar.evaluateConditional(testCase.when, vars)).toThrow(TemplateError)
    return
  }
  expect(templar.evaluateConditional(testCase.when, vars)).toBe(expected.ran)
  const expectedWarning =
    /conditional statements should not include jinja2 templating\s+delimiters[^\n]*(?:\n[^\n[]*)?/.exec(
      expected.stderr
    )
  const conditionalWarnings = warnings.filter(warning =>
    warning.startsWith('conditional statements')
  )
  if (expectedWarning) {
    expect(conditionalWarnings.map(w => w.replace(/\s+/g, ' '))).toEqual([
      expectedWarning[0].trim().replace(/\s+/g, ' ')
    ])
  } else {
    expect(conditionalWarnings).toEqual([])
  }
}

describe('templating conformance (ansible-core 2.14.18)', () => {
  it('finds the corpus', () => {
    expect(cases.length).toBeGreaterThan(100)
  })
  for (const testCase of cases) it(testCase.name, () => runCase(testCase))
})
