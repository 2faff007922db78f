// Reading `-i` sources the way InventoryManager.parse_source does: directories as collections
// of inventories, `h1,h2,` host lists, and files offered to the auto, yaml and ini plugins in
// turn. A source no plugin can parse is reported with every plugin's reason, then skipped —
// Ansible carries on with the rest (and keeps whatever a failed plugin added before failing).
import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { AddressError, parseAddress } from './address.js'
import { SourceParseError, type InventoryData } from './data.js'
import { parseIni } from './ini.js'
import type { Warnings } from './warnings.js'
import { parseYamlInventory } from './yaml-inventory.js'
import { loadYaml } from './yaml-load.js'

const YAML_EXTENSIONS = ['.yaml', '.yml', '.json']
// IGNORED in manager.py: hidden files, vars directories, INVENTORY_IGNORE_EXTS defaults.
const IGNORED_IN_DIRECTORY =
  /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/

/** Display name of inline inventory text (the action's `inventory` input). */
export const INLINE_SOURCE_NAME = '<inline inventory>'

interface Failure {
  plugin: string
  message: string
}

type Plugin = {
  name: string
  wants(source: FileSource): boolean
  parse(data: InventoryData, source: FileSource, warnings: Warnings): void
}

interface FileSource {
  /** Absolute path, or INLINE_SOURCE_NAME. */
  name: string
  text: string
  extension: string
}

const plugins: Plugin[] = [
  {
    name: 'auto',
    wants: source => source.name.endsWith('.yml') || source.name.endsWith('.yaml'),
    parse: (_data, source, warnings) => {
      const config = loadYaml(source.text, source.name, message => warnings.add(message))
      const plugin =
        typeof config === 'object' && config !== null && !Array.isArray(config)
          ? (config as Record<string, unknown>).plugin
          : undefined
      if (!plugin) {
        throw new SourceParseError(
          `no root 'plugin' key found, '${source.name}' is not a valid YAML inventory plugin config file`
        )
      }
      throw new SourceParseError(
        `inventory config '${source.name}' specifies plugin '${String(plugin)}', and inventory plugins are not supported by kubectl-ansible (for pods use -i 'k8s://NAMESPACE?selector=...')`
      )
    }
  },
  {
    name: 'yaml',
    wants: source => source.extension === '' || YAML_EXTENSIONS.includes(source.extension),
    parse: (data, source, warnings) =>
      parseYamlInventory(
        data,
        loadYaml(source.text, source.name, message => warnings.add(message)),
        warnings
      )
  },
  {
    name: 'ini',
    wants: () => true,
    parse: (data, source) => parseIni(data, source.name, source.text)
  }
]

/** Parse one `-i` value (not `k8s://`) into `data`; true when some plugin accepted it. */
export function parseSource(
  data: InventoryData,
  source: string,
  cwd: string,
  warnings: Warnings
): boolean {
  if (isInlineText(source, cwd)) {
    return parseFile(data, { name: INLINE_SOURCE_NAME, text: source, extension: '' }, warnings)
  }
  if (source.includes(',') && !exists(path.resolve(cwd, source))) {
    return parseHostList(data, source)
  }
  return parsePath(data, path.resolve(cwd, source), warnings)
}

/** Inline inventory text: not an existing path, and more than one line. */
export function isInlineText(source: string, cwd: string): boolean {
  return source.includes('\n') && !exists(path.resolve(cwd, source))
}

function exists(file: string): boolean {
  try {
    statSync(file)
    return true
  } catch {
    return false
  }
}

function parsePath(data: InventoryData, source: string, warnings: Warnings): boolean {
  let isDirectory = false
  try {
    isDirectory = statSync(source).isDirectory()
  } catch {
    // Missing: no plugin wants it, reported below like Ansible does.
  }
  if (isDirectory) {
    let parsed = false
    for (const entry of readdirSync(source).sort()) {
      if (IGNORED_IN_DIRECTORY.test(entry)) continue
      if (parsePath(data, path.join(source, entry), warnings)) parsed = true
    }
    return parsed
  }
  let text: string | undefined
  try {
    text = readFileSync(source, 'utf8')
  } catch {
    warnings.add(`Unable to parse ${source} as an inventory source`)
    return false
  }
  return parseFile(data, { name: source, text, extension: path.extname(source) }, warnings)
}

function parseFile(data: InventoryData, source: FileSource, warnings: Warnings): boolean {
  const failures: Failure[] = []
  data.currentSource = source.name
  data.currentSourceIsInline = source.name === INLINE_SOURCE_NAME
  try {
    for (const plugin of plugins) {
      if (!plugin.wants(source)) continue
      try {
        plugin.parse(data, source, warnings)
        return true
      } catch (error) {
        if (!(error instanceof SourceParseError)) throw error
        failures.push({ plugin: plugin.name, message: error.message })
      }
    }
  } finally {
    data.currentSource = undefined
    data.currentSourceIsInline = false
  }
  for (const failure of failures) {
    warnings.add(
      `\n* Failed to parse ${source.name} with ${failure.plugin} plugin: ${failure.message}`
    )
  }
  warnings.add(`Unable to parse ${source.name} as an inventory source`)
  return false
}

/** The host_list plugin: `h1,h2:2222,` adds each host to `ungrouped`. */
function parseHostList(data: InventoryData, source: string): boolean {
  data.currentSource = source
  try {
    for (const item of source.split(',')) {
      const entry = item.trim()
      if (!entry) continue
      let host = entry
      let port: number | undefined
      try {
        ;({ host, port } = parseAddress(entry, false))
      } catch (error) {
        if (!(error instanceof AddressError)) throw error
      }
      if (!data.hosts.has(host)) data.addHost(host, 'ungrouped', port)
    }
  } finally {
    data.currentSource = undefined
  }
  return true
}
