// ansible.builtin.include_vars: variables from runner-side YAML/JSON files, returned as
// `ansible_facts` (+ `ansible_included_var_files`); the executor stores them for the host.
import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { parseYaml } from '../playbook/yaml.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'

function candidates(name: string, ctx: ModuleContext): string[] {
  if (path.isAbsolute(name)) return [name]
  const searched = ctx
    .localSearchPaths?.(name, 'files')
    .map(file => file.replace(`${path.sep}files${path.sep}`, `${path.sep}vars${path.sep}`))
  return searched ?? [path.join(ctx.playbookDir, 'vars', name), path.join(ctx.playbookDir, name)]
}

async function loadFile(
  file: string,
  warn: (message: string) => void
): Promise<Record<string, unknown>> {
  const data = parseYaml(await fs.readFile(file, 'utf8'), file, warn) ?? {}
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new IncludeVarsError(`${file} must be stored as a dictionary/hash`)
  }
  return data as Record<string, unknown>
}

class IncludeVarsError extends Error {}

async function listDirectory(dir: string, depth: number, current = 1): Promise<string[]> {
  const entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name)
  )
  const files: string[] = []
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      if (depth === 0 || current < depth)
        files.push(...(await listDirectory(full, depth, current + 1)))
    } else files.push(full)
  }
  return files
}

export const includeVars: ModuleDefinition = {
  name: 'include_vars',
  freeForm: true,
  args: {
    _raw_params: { type: 'str' },
    file: { type: 'str' },
    dir: { type: 'str' },
    name: { type: 'str' },
    depth: { type: 'int', default: 0 },
    files_matching: { type: 'str' },
    ignore_files: { type: 'list', elements: 'str', default: [] },
    extensions: { type: 'list', elements: 'str', default: ['json', 'yml', 'yaml'] },
    ignore_unknown_extensions: { type: 'bool', default: false },
    hash_behaviour: { type: 'str', choices: ['replace', 'merge'] }
  },
  mutuallyExclusive: [['file', 'dir', '_raw_params']],
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const single = (args.file ?? args._raw_params) as string | undefined
    const extensions = args.extensions as string[]
    const files: string[] = []
    try {
      if (args.dir !== undefined) {
        const dir = candidates(args.dir as string, ctx).find(existsSync)
        if (!dir)
          return {
            changed: false,
            failed: true,
            message: `${String(args.dir)} directory does not exist`,
            msg: `${String(args.dir)} directory does not exist`
          }
        const matching = args.files_matching ? new RegExp(args.files_matching as string) : undefined
        for (const file of await listDirectory(dir, args.depth as number)) {
          const base = path.basename(file)
          const ext = path.extname(file).slice(1)
          if ((args.ignore_files as string[]).includes(base)) continue
          if (matching && !matching.test(base)) continue
          if (!extensions.includes(ext)) {
            if (args.ignore_unknown_extensions) continue
            return {
              changed: false,
              failed: true,
              msg: `${file} does not have a valid extension: ${extensions.join(', ')}`
            }
          }
          files.push(file)
        }
      } else if (single !== undefined) {
        const found = candidates(single, ctx).find(existsSync)
        if (!found)
          return { changed: false, failed: true, msg: `Could not find or access '${single}'` }
        files.push(found)
      } else {
        return {
          changed: false,
          failed: true,
          msg: 'one of file, dir or a free-form file name is required'
        }
      }
      let facts: Record<string, unknown> = {}
      // Load warnings (duplicate keys) reach the output as the result's warnings, shown before
      // the task's status line like Ansible's loader prints them.
      const warnings: string[] = []
      for (const file of files) {
        const data = await loadFile(file, message => warnings.push(message))
        facts = args.hash_behaviour === 'merge' ? deepMerge(facts, data) : { ...facts, ...data }
      }
      if (args.name !== undefined) facts = { [args.name as string]: facts }
      return {
        changed: false,
        ansible_facts: facts,
        ansible_included_var_files: files,
        ...(warnings.length > 0 ? { warnings } : {})
      }
    } catch (error) {
      if (error instanceof IncludeVarsError)
        return { changed: false, failed: true, msg: error.message }
      if (error instanceof Error && error.name !== 'Error')
        return { changed: false, failed: true, msg: error.message }
      throw error
    }
  }
}

function deepMerge(
  base: Record<string, unknown>,
  extra: Record<string, unknown>
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(extra)) {
    const previous = out[key]
    const bothObjects = [previous, value].every(
      item => item !== null && typeof item === 'object' && !Array.isArray(item)
    )
    out[key] = bothObjects
      ? deepMerge(previous as Record<string, unknown>, value as Record<string, unknown>)
      : value
  }
  return out
}
