// Finds the variables a template changes in place (`l.append(x)`, `d['k'].update(e)`) and
// refuses the forms the MutableStore (see mutation.ts) cannot follow: a change in place is
// seen through every other name of the same Python object, and the store has one value per
// name, so loop variables, macro arguments and aliases (`{% set m = l %}`) would silently
// show stale values. They fail with a message naming the construct instead.
import { TemplateError } from './errors.js'
import { matchingBracket, type Region, type Token } from './lexer.js'

export const MUTATOR_METHODS = new Set([
  'update',
  'append',
  'extend',
  'insert',
  'pop',
  'remove',
  'setdefault',
  'clear',
  'sort',
  'reverse'
])

/** Names that are never plain variables: keywords and the lazy roots (hostvars[...], vars[...]). */
const NOT_MUTABLE = new Set(
  'and or not in is if else true false none True False None hostvars vars loop'.split(' ')
)

/** Python's setdefault() returns the stored value itself: `d.setdefault(k, []).append(x)`. */
export const SETDEFAULT_STEP = '__setdefault__'

export interface ChainShape {
  /**
   * Accessors after the root name: `.attr`, `[...]` (token indices of the brackets), or a
   * `.setdefault(...)` call that more accessors or a mutator call follow.
   */
  accessors: Array<
    { attribute: string } | { open: number; close: number } | { setdefault: [number, number] }
  >
  /** Index of the last token of the chain (before any mutator call). */
  last: number
  /** The chain ends in a call of a mutator method. */
  method?: { name: string; open: number; close: number }
}

function nextSignificant(tokens: Token[], index: number): number {
  for (let i = index + 1; i < tokens.length; i++) if (tokens[i].type !== 'ws') return i
  return -1
}

function previousSignificant(tokens: Token[], index: number): number {
  for (let i = index - 1; i >= 0; i--) if (tokens[i].type !== 'ws') return i
  return -1
}

/** The accessor chain that starts at the name `tokens[start]`. */
export function parseChain(tokens: Token[], start: number): ChainShape {
  const shape: ChainShape = { accessors: [], last: start }
  for (;;) {
    const next = nextSignificant(tokens, shape.last)
    if (next < 0) return shape
    if (tokens[next].text === '.') {
      const nameIndex = nextSignificant(tokens, next)
      if (nameIndex < 0 || tokens[nameIndex].type !== 'name') return shape
      const after = nextSignificant(tokens, nameIndex)
      if (after >= 0 && tokens[after].text === '(') {
        if (!MUTATOR_METHODS.has(tokens[nameIndex].text)) return shape
        const close = matchingBracket(tokens, after)
        if (close < 0) return shape
        const following = tokens[nextSignificant(tokens, close)]?.text
        if (tokens[nameIndex].text === 'setdefault' && (following === '.' || following === '[')) {
          shape.accessors.push({ setdefault: [after, close] })
          shape.last = close
          continue
        }
        shape.method = { name: tokens[nameIndex].text, open: after, close }
        return shape
      }
      shape.accessors.push({ attribute: tokens[nameIndex].text })
      shape.last = nameIndex
    } else if (tokens[next].text === '[' && tokens[next].type === 'op') {
      const close = matchingBracket(tokens, next)
      if (close < 0) return shape
      shape.accessors.push({ open: next, close })
      shape.last = close
    } else return shape
  }
}

/** True when `tokens[index]` is a name read as a variable (not an attribute, filter, test, call or kwarg). */
export function isVariableName(tokens: Token[], index: number): boolean {
  const token = tokens[index]
  if (token.type !== 'name' || NOT_MUTABLE.has(token.text) || token.text.startsWith('__'))
    return false
  const previous = previousSignificant(tokens, index)
  const previousText = tokens[previous]?.text
  if (previousText === '.' || previousText === '|' || previousText === 'is') return false
  if (previousText === 'not' && tokens[previousSignificant(tokens, previous)]?.text === 'is')
    return false
  const next = nextSignificant(tokens, index)
  return next < 0 || (tokens[next].text !== '(' && tokens[next].text !== '=')
}

const SCOPING_TAGS = new Set(['for', 'macro', 'call', 'filter', 'with'])
/** Filters that may hand back their input object itself, so the result can be an alias. */
const ALIASING_FILTERS = new Set(['default', 'd', 'first', 'last'])

function significantTokens(tokens: Token[]): Token[] {
  return tokens.filter(token => token.type !== 'ws')
}

/** The variable a `set` right-hand side names as a whole (`l`, `d.k`, `l | default([])`), if any. */
function aliasedRoot(rhs: Token[]): string | undefined {
  let end = rhs.length
  // Strip trailing `| filter` / `| filter(...)` of filters that can return their input.
  for (;;) {
    let i = end - 1
    if (rhs[i]?.text === ')') {
      let depth = 0
      for (; i >= 0; i--) {
        if (rhs[i].text === ')') depth++
        if (rhs[i].text === '(' && --depth === 0) break
      }
      i--
    }
    if (rhs[i]?.type === 'name' && ALIASING_FILTERS.has(rhs[i].text) && rhs[i - 1]?.text === '|') {
      end = i - 1
      continue
    }
    break
  }
  const body = rhs.slice(0, end)
  if (body[0]?.type !== 'name' || !isVariableName(body, 0)) return undefined
  const shape = parseChain(body, 0)
  return shape.last === body.length - 1 && !shape.method ? body[0].text : undefined
}

interface Site {
  name: string
  method: string
}

function refuse(site: Site, reason: string): never {
  throw new TemplateError(
    `changing '${site.name}' in place (${site.name}.${site.method}()) is not supported here: ${reason}`
  )
}

/** Names of the variables the template changes in place; throws for forms that cannot be followed. */
export function mutatedVariables(regions: Region[]): Set<string> {
  const sites = new Map<string, Site>()
  for (const region of regions) {
    if (!('tokens' in region)) continue
    const { tokens } = region
    for (let i = 0; i < tokens.length; i++) {
      if (
        tokens[i].type === 'name' &&
        (tokens[i].text === 'hostvars' || tokens[i].text === 'vars')
      ) {
        const shape = parseChain(tokens, i)
        if (shape.method && isVariableName(tokens, i))
          refuse(
            { name: tokens[i].text, method: shape.method.name },
            `values reached through ${tokens[i].text}[...] cannot be changed`
          )
      }
      if (!isVariableName(tokens, i)) continue
      const shape = parseChain(tokens, i)
      if (shape.method && !sites.has(tokens[i].text))
        sites.set(tokens[i].text, { name: tokens[i].text, method: shape.method.name })
    }
  }
  if (sites.size === 0) return new Set()
  checkScopes(regions, sites)
  return new Set(sites.keys())
}

function statementTag(region: Region): string {
  if (region.kind !== 'statement') return ''
  return region.tokens.find(token => token.type !== 'ws')?.text ?? ''
}

function closesBlock(tag: string): boolean {
  return tag.startsWith('end') && SCOPING_TAGS.has(tag.slice(3))
}

/** Index of the region that closes the block opened at `start`. */
function blockEnd(regions: Region[], start: number): number {
  let depth = 0
  for (let index = start; index < regions.length; index++) {
    const tag = statementTag(regions[index])
    if (SCOPING_TAGS.has(tag)) depth++
    if (closesBlock(tag) && --depth === 0) return index
  }
  return regions.length
}

/** The region reads or assigns the variable `name`. */
function mentions(region: Region, name: string): boolean {
  if (!('tokens' in region)) return false
  const { tokens } = region
  return tokens.some(
    (token, i) =>
      token.text === name &&
      (isVariableName(tokens, i) || tokens[previousSignificant(tokens, i)]?.text === 'set')
  )
}

/**
 * A variable assigned inside a loop or macro body is local to it in Jinja, a fresh value each
 * time; the store has one value per name, which is the same only when the name is used nowhere
 * outside that body and not before the assignment inside it.
 */
function isBodyLocal(regions: Region[], name: string, block: number, assignment: number): boolean {
  const end = blockEnd(regions, block)
  return regions.every((region, index) =>
    index > block && index < end
      ? index >= assignment || !mentions(region, name)
      : !mentions(region, name)
  )
}

function checkScopes(regions: Region[], sites: Map<string, Site>): void {
  const openBlocks: number[] = []
  for (const [index, region] of regions.entries()) {
    if (region.kind !== 'statement') continue
    const body = significantTokens(region.tokens)
    const tag = body[0]?.text ?? ''
    if (closesBlock(tag)) openBlocks.pop()
    if (tag === 'for' || tag === 'macro' || tag === 'with' || tag === 'call') {
      const stop = tag === 'for' ? body.findIndex(token => token.text === 'in') : body.length
      for (const token of body.slice(1, stop < 0 ? body.length : stop)) {
        const site = token.type === 'name' ? sites.get(token.text) : undefined
        if (site && (tag !== 'with' || body[body.indexOf(token) + 1]?.text === '='))
          refuse(
            site,
            `'${site.name}' is also a ${tag === 'for' ? 'loop variable' : `${tag} variable`}`
          )
      }
    }
    if (SCOPING_TAGS.has(tag)) openBlocks.push(index)
    if (tag !== 'set') continue
    const equals = body.findIndex(token => token.text === '=')
    const targets = body.slice(1, equals < 0 ? body.length : equals)
    const rhs = equals < 0 ? [] : body.slice(equals + 1)
    const target = targets.length === 1 ? targets[0].text : undefined
    const targetSite = target !== undefined ? sites.get(target) : undefined
    for (const token of targets) {
      const site = sites.get(token.text)
      if (site && targets.length > 1 && targets[1]?.text !== '.')
        refuse(site, `'${site.name}' is assigned by unpacking`)
    }
    if (targetSite) {
      if (equals < 0) refuse(targetSite, `'${targetSite.name}' is assigned by a {% set %} block`)
      const block = openBlocks[openBlocks.length - 1]
      if (block !== undefined && !isBodyLocal(regions, targetSite.name, block, index))
        refuse(
          targetSite,
          `'${targetSite.name}' is assigned inside a loop, macro or with block and also used outside it`
        )
    }
    const aliased = aliasedRoot(rhs)
    if (aliased === undefined || aliased === target) continue
    const aliasedSite = sites.get(aliased)
    if (aliasedSite)
      refuse(aliasedSite, `{% set ${target ?? '...'} = ${aliased} %} makes a second name for it`)
    if (targetSite)
      refuse(
        targetSite,
        `{% set ${targetSite.name} = ${aliased} %} makes it a second name for '${aliased}'`
      )
  }
}
