// `group_vars/` and `host_vars/` files as Ansible's host_group_vars plugin finds them: for
// entity NAME in DIR/group_vars (or host_vars), the first of NAME, NAME.yml, NAME.yaml,
// NAME.json that exists; a directory is read recursively (sorted, hidden and `~` files
// skipped, only those extensions or none). Files are merged in that order, shallowly.
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { InventoryError } from './errors.js'
import type { Vars } from './data.js'
import { SourceParseError } from './data.js'
import type { Warnings } from './warnings.js'
import { loadYaml } from './yaml-load.js'

const EXTENSIONS = ['', '.yml', '.yaml', '.json']

export class VarsFileCache {
  private readonly files = new Map<string, Vars | null>()
  // Resolved group_vars/host_vars directory per base (null: none). Looked up once, not per
  // entity: with 100,000+ hosts the per-host existence checks dominated loading.
  private readonly dirs = new Map<string, string | null>()

  constructor(private readonly warnings: Warnings) {}

  /** Variables for entity `name` from `<baseDir>/<subdir>/`, merged in Ansible's order. */
  varsFor(baseDir: string, subdir: 'group_vars' | 'host_vars', name: string): Vars {
    // Ansible skips "chroot"-style names such as /path/to/chroot.
    if (name.startsWith(path.sep)) return {}
    const realDir = this.varsDir(path.join(baseDir, subdir), subdir)
    if (realDir === null) return {}
    let merged: Vars = {}
    for (const file of findVarsFiles(realDir, name)) {
      const data = this.load(file)
      if (data) merged = { ...merged, ...data }
    }
    return merged
  }

  private varsDir(dir: string, subdir: string): string | null {
    let realDir = this.dirs.get(dir)
    if (realDir !== undefined) return realDir
    realDir = existsSync(dir) ? realpathSync(dir) : null
    if (realDir !== null && !statSync(realDir).isDirectory()) {
      this.warnings.add(`Found ${subdir} that is not a directory, skipping: ${realDir}`)
      realDir = null
    }
    this.dirs.set(dir, realDir)
    return realDir
  }

  private load(file: string): Vars | null {
    if (!this.files.has(file)) this.files.set(file, loadVarsFile(file, this.warnings))
    return this.files.get(file)!
  }
}

function findVarsFiles(dir: string, name: string): string[] {
  for (const ext of EXTENSIONS) {
    const candidate = path.join(dir, name) + ext
    if (!existsSync(candidate)) continue
    return statSync(candidate).isDirectory() ? filesInDir(candidate) : [candidate]
  }
  return []
}

function filesInDir(dir: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue
    const full = path.join(dir, entry)
    const ext = path.extname(entry)
    const stat = statSync(full)
    if (stat.isDirectory() && !ext) found.push(...filesInDir(full))
    else if (stat.isFile() && EXTENSIONS.includes(ext)) found.push(full)
  }
  return found
}

function loadVarsFile(file: string, warnings: Warnings): Vars | null {
  let data: unknown
  try {
    data = loadYaml(readFileSync(file, 'utf8'), file, message => warnings.add(message))
  } catch (error) {
    if (error instanceof SourceParseError) throw new InventoryError(error.message, file)
    throw error
  }
  // Empty files are ignored, like Ansible does.
  if (data === null || data === undefined || data === '' || data === false) return null
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new InventoryError(
      `failed to combine variables, expected dicts but got a 'dict' and a '${Array.isArray(data) ? 'list' : typeof data}'`,
      file
    )
  }
  return data as Vars
}
