// Lookup plugins (`lookup('file', ...)`, `query(...)`, and `with_<name>` loops). They run on
// the runner, like Ansible's: file/fileglob/first_found/template read the runner's disk and
// `pipe` runs a command there.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { TemplateError } from './errors.js'
import { pyStr } from './values.js'

export type LookupOptions = Record<string, unknown>

export interface LookupContext {
  getVariable(name: string): unknown
  hasVariable(name: string): boolean
  renderTemplateFile(text: string): string
  warn(message: string): void
}

export type LookupFunction = (
  terms: unknown[],
  options: LookupOptions,
  context: LookupContext
) => unknown[]

const lookups = new Map<string, LookupFunction>()

export function registerLookup(name: string, fn: LookupFunction): void {
  lookups.set(name, fn)
}

export function lookupNames(): string[] {
  return [...lookups.keys()].sort()
}

function searchDirectories(context: LookupContext): string[] {
  const fromVar = context.getVariable('ansible_search_path')
  const dirs = Array.isArray(fromVar) ? fromVar.map(String) : []
  for (const name of ['role_path', 'playbook_dir']) {
    const dir = context.getVariable(name)
    if (typeof dir === 'string' && dir !== '') dirs.push(dir)
  }
  dirs.push(process.cwd())
  return [...new Set(dirs)]
}

/** Finds a file the way Ansible's lookups do: in <dir>/<subdir>/ then <dir>/ of each search path. */
function findFile(name: string, subdir: string, context: LookupContext): string | null {
  if (path.isAbsolute(name)) return existsSync(name) ? name : null
  for (const dir of searchDirectories(context)) {
    for (const candidate of [path.join(dir, subdir, name), path.join(dir, name)]) {
      if (existsSync(candidate)) return candidate
    }
  }
  return null
}

function flattenOnce(terms: unknown[]): unknown[] {
  return terms.flatMap(term => (Array.isArray(term) ? term : [term]))
}

function parseSequence(term: string): Record<string, unknown> {
  const shortcut = /^(-?\d+|0x[0-9a-f]+)?-?(-?\d+|0x[0-9a-f]+)(?:\/(\d+))?(?::(.+))?$/i.exec(
    term.trim()
  )
  if (shortcut && !term.includes('=')) {
    return {
      start: shortcut[1] ?? 1,
      end: shortcut[2],
      stride: shortcut[3] ?? 1,
      format: shortcut[4] ?? '%d'
    }
  }
  const out: Record<string, unknown> = {}
  for (const pair of term.trim().split(/\s+/)) {
    const [key, ...rest] = pair.split('=')
    out[key] = rest.join('=')
  }
  return out
}

function formatSequenceItem(format: string, value: number): string {
  return format.replace(/%(0?)(\d*)([dxXo])/, (_, zero: string, width: string, kind: string) => {
    const text =
      kind === 'd' ? String(value) : kind === 'o' ? value.toString(8) : value.toString(16)
    const cased = kind === 'X' ? text.toUpperCase() : text
    return width ? cased.padStart(Number(width), zero ? '0' : ' ') : cased
  })
}

registerLookup('items', terms => flattenOnce(terms))
registerLookup('list', terms => terms)
registerLookup('flattened', terms => {
  const flat = (value: unknown): unknown[] => (Array.isArray(value) ? value.flatMap(flat) : [value])
  return terms.flatMap(flat)
})
registerLookup('indexed_items', terms => flattenOnce(terms).map((item, index) => [index, item]))
registerLookup('dict', terms =>
  terms.flatMap(term => {
    if (term === null || typeof term !== 'object' || Array.isArray(term)) {
      throw new TemplateError(`with_dict expects a dict, got ${pyStr(term)}`)
    }
    return Object.entries(term).map(([key, value]) => ({ key, value }))
  })
)
registerLookup('env', (terms, options) =>
  terms.map(
    term => process.env[String(term)] ?? (options.default === undefined ? '' : options.default)
  )
)
registerLookup('vars', (terms, options, context) =>
  terms.map(term => {
    const name = String(term)
    if (context.hasVariable(name)) return context.getVariable(name)
    if (options.default !== undefined) return options.default
    throw new TemplateError(`No variable found with this name: ${name}`)
  })
)
registerLookup('file', (terms, options, context) =>
  terms.map(term => {
    const found = findFile(String(term), 'files', context)
    if (!found) throw new TemplateError(`could not locate file in lookup: ${pyStr(term)}`)
    const text = readFileSync(found, 'utf8')
    const rstrip = options.rstrip === undefined ? true : Boolean(options.rstrip)
    const lstrip = Boolean(options.lstrip)
    let out = rstrip ? text.replace(/\s+$/, '') : text
    if (lstrip) out = out.replace(/^\s+/, '')
    return out
  })
)
registerLookup('template', (terms, _options, context) =>
  terms.map(term => {
    const found = findFile(String(term), 'templates', context)
    if (!found)
      throw new TemplateError(`the template file ${pyStr(term)} could not be found for the lookup`)
    return context.renderTemplateFile(readFileSync(found, 'utf8'))
  })
)
registerLookup('pipe', terms =>
  terms.map(term => {
    try {
      return execFileSync('/bin/sh', ['-c', String(term)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe']
      }).replace(/\n+$/, '')
    } catch (error) {
      const status = (error as { status?: number }).status
      throw new TemplateError(`lookup_plugin.pipe(${pyStr(term)}) returned ${status ?? 'an error'}`)
    }
  })
)
registerLookup('fileglob', (terms, _options, context) =>
  terms.flatMap(term => {
    const pattern = String(term)
    const dirPart = path.dirname(pattern)
    const basePattern = path.basename(pattern)
    const regex = new RegExp(
      `^${basePattern
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`
    )
    const roots = path.isAbsolute(dirPart)
      ? [dirPart]
      : searchDirectories(context).flatMap(dir => [
          path.join(dir, 'files', dirPart),
          path.join(dir, dirPart)
        ])
    for (const root of roots) {
      if (!existsSync(root) || !statSync(root).isDirectory()) continue
      const matches = readdirSync(root)
        .filter(entry => regex.test(entry) && statSync(path.join(root, entry)).isFile())
        .sort()
        .map(entry => path.join(root, entry))
      if (matches.length > 0) return matches
    }
    return []
  })
)
registerLookup('first_found', (terms, options, context) => {
  const files: string[] = []
  const paths: string[] = []
  const add = (term: unknown): void => {
    if (Array.isArray(term)) term.forEach(add)
    else if (term !== null && typeof term === 'object') {
      const spec = term as { files?: unknown; paths?: unknown }
      const list = (value: unknown): string[] =>
        Array.isArray(value)
          ? value.map(String)
          : typeof value === 'string'
            ? value.split(/[,;]/)
            : []
      files.push(...list(spec.files))
      paths.push(...list(spec.paths))
    } else files.push(...String(term).split(/[,;]/))
  }
  add(terms)
  if (options.files !== undefined) add({ files: options.files, paths: options.paths })
  const candidates =
    paths.length > 0 ? paths.flatMap(dir => files.map(file => path.join(dir, file))) : files
  for (const candidate of candidates) {
    const found = findFile(candidate, 'files', context)
    if (found) return [found]
  }
  if (options.skip) return []
  throw new TemplateError('No file was found when using first_found.')
})
registerLookup('sequence', terms =>
  terms.flatMap(term => {
    const spec = typeof term === 'string' ? parseSequence(term) : (term as Record<string, unknown>)
    const number = (value: unknown): number => {
      const text = String(value)
      return /^0x/i.test(text) ? parseInt(text, 16) : Number(text)
    }
    const start = number(spec.start ?? 1)
    const stride = number(spec.stride ?? 1)
    const end =
      spec.end !== undefined ? number(spec.end) : start + (number(spec.count) - 1) * stride
    const format = String(spec.format ?? '%d')
    if ([start, end, stride].some(Number.isNaN))
      throw new TemplateError(`can't parse sequence arg: ${pyStr(term)}`)
    const out: string[] = []
    if (stride > 0)
      for (let v = start; v <= end; v += stride) out.push(formatSequenceItem(format, v))
    else if (stride < 0)
      for (let v = start; v >= end; v += stride) out.push(formatSequenceItem(format, v))
    return out
  })
)

/** Runs a lookup; `errors` (strict|warn|ignore) as in Ansible. */
export function runLookup(
  name: string,
  terms: unknown[],
  options: LookupOptions,
  context: LookupContext
): unknown[] {
  const plugin = lookups.get(name.replace(/^ansible\.builtin\./, ''))
  if (!plugin) throw new TemplateError(`lookup plugin (${name}) not found`)
  const { errors, wantlist: _wantlist, ...pluginOptions } = options
  try {
    return plugin(terms, pluginOptions, context)
  } catch (error) {
    if (errors === 'ignore') return []
    if (errors === 'warn') {
      context.warn(
        `An unhandled exception occurred while running the lookup plugin '${name}'. Error was: ${String(error)}`
      )
      return []
    }
    if (error instanceof TemplateError) {
      throw new TemplateError(
        `An unhandled exception occurred while running the lookup plugin '${name}'. Error was a ${error.name}, original message: ${error.message}`
      )
    }
    throw error
  }
}
