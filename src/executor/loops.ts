// Loop items of a task: `loop:` (a templated list, not flattened) or `with_<lookup>:` (the
// lookup plugin's list), and the per-item variables loop_control adds.
import type { Templar } from '../template/templar.js'
import { isMarkedUnsafe, unsafeElement } from '../template/unsafe.js'
import { TaskFailure } from './task-failure.js'
import type { TaskNode } from '../playbook/objects.js'

export interface LoopSpec {
  items: unknown[]
  loopVar: string
  indexVar?: string
  label?: unknown
  extended: boolean
  pauseSeconds: number
}

function pythonType(value: unknown): string {
  if (typeof value === 'string') return 'str'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'boolean') return 'bool'
  if (value === null || value === undefined) return 'NoneType'
  return Array.isArray(value) ? 'list' : 'dict'
}

/** The task's loop keyword, if any: `loop` or the first `with_*`. */
export function loopKeyword(task: TaskNode): string | undefined {
  return Object.keys(task.keywords).find(key => key === 'loop' || key.startsWith('with_'))
}

export function loopItems(
  task: TaskNode,
  templar: Templar,
  vars: Record<string, unknown>
): unknown[] {
  const keyword = loopKeyword(task)
  if (keyword === undefined) return []
  const raw = task.keywords[keyword]
  if (keyword === 'loop') {
    const items = templar.template(raw, vars)
    if (!Array.isArray(items)) {
      throw new TaskFailure(
        `Invalid data passed to 'loop', it requires a list, got this instead: ${String(items)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`
      )
    }
    return items
  }
  const lookup = keyword.slice('with_'.length)
  const terms = templar.template(raw, vars)
  const items = templar.lookup(lookup, Array.isArray(terms) ? terms : [terms], vars, {
    wantlist: true
  })
  if (!Array.isArray(items)) {
    throw new TaskFailure(`with_${lookup} did not return a list but a ${pythonType(items)}`)
  }
  return items
}

export function loopControl(
  task: TaskNode,
  templar: Templar,
  vars: Record<string, unknown>
): Omit<LoopSpec, 'items'> {
  const control = task.keywords.loop_control
  const spec = (typeof control === 'object' && control !== null ? control : {}) as Record<
    string,
    unknown
  >
  const known = new Set([
    'loop_var',
    'index_var',
    'label',
    'extended',
    'extended_allitems',
    'pause'
  ])
  for (const key of Object.keys(spec)) {
    if (!known.has(key))
      throw new TaskFailure(`'${key}' is not a valid attribute for a LoopControl`)
  }
  const template = (value: unknown) =>
    value === undefined ? undefined : templar.template(value, vars)
  return {
    loopVar: String(template(spec.loop_var) ?? 'item'),
    indexVar: spec.index_var === undefined ? undefined : String(template(spec.index_var)),
    label: spec.label,
    extended: Boolean(template(spec.extended) ?? false),
    pauseSeconds: Number(template(spec.pause) ?? 0)
  }
}

/** Variables one loop item adds (item/loop_var, index_var, ansible_loop). */
export function itemVars(spec: LoopSpec, index: number): Record<string, unknown> {
  // Items of an unsafe list (a pod's output, a lookup) stay unsafe one by one: never rendered.
  const item = isMarkedUnsafe(spec.items) ? unsafeElement(spec.items[index]) : spec.items[index]
  const vars: Record<string, unknown> = { [spec.loopVar]: item, ansible_loop_var: spec.loopVar }
  if (spec.indexVar) {
    vars[spec.indexVar] = index
    vars.ansible_index_var = spec.indexVar
  }
  if (spec.extended) {
    const length = spec.items.length
    vars.ansible_loop = {
      allitems: spec.items,
      index: index + 1,
      index0: index,
      revindex: length - index,
      revindex0: length - index - 1,
      first: index === 0,
      last: index === length - 1,
      length,
      previtem: index > 0 ? spec.items[index - 1] : undefined,
      nextitem: index < length - 1 ? spec.items[index + 1] : undefined
    }
  }
  return vars
}
