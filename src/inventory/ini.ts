// Ansible's INI inventory dialect (plugins/inventory/ini.py), statement for statement: one pass
// over the lines, `[group]`, `[group:vars]`, `[group:children]` (children may be declared
// later), host lines split like shlex and values read as Python literals. Everything added
// before an error stays in the inventory, as in Ansible (its "partial inventory").
import { AddressError, expandHostPattern } from './address.js'
import { SourceParseError, type InventoryData } from './data.js'
import { iniValue } from '../python/literal.js'
import { ShlexError, shlexSplit } from './shlex.js'

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/

interface PendingDeclaration {
  line: number
  state: 'vars' | 'children'
  name: string
  parents: string[]
}

/** Parse INI `text` of `file` into `inventory`; a SourceParseError leaves what was added so far. */
export function parseIni(inventory: InventoryData, file: string, text: string): void {
  const lines = text.split(/\r\n|\r|\n/)
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  const pending = new Map<string, PendingDeclaration>()
  let groupName = 'ungrouped'
  let state = 'hosts'
  let lineNumber = 0
  const fail = (message: string): never => {
    throw new SourceParseError(`${file}:${lineNumber}: ${message}`)
  }

  for (const rawLine of lines) {
    lineNumber++
    const line = rawLine.trim()
    if (line === '' || line[0] === ';' || line[0] === '#') continue

    const section = SECTION.exec(line)
    if (section) {
      groupName = section[1]
      state = section[2] ?? 'hosts'
      if (!['hosts', 'children', 'vars'].includes(state)) {
        fail(`Section [${section.slice(1).join(':')}] has unknown type: ${state}`)
      }
      if (!inventory.groups.has(groupName)) {
        if (state === 'vars' && !pending.has(groupName)) {
          pending.set(groupName, { line: lineNumber, state: 'vars', name: groupName, parents: [] })
        }
        inventory.addGroup(groupName)
      }
      const declaration = pending.get(groupName)
      if (declaration && state !== 'vars') {
        if (declaration.state === 'children') addPendingChildren(inventory, groupName, pending)
        else pending.delete(groupName)
      }
      continue
    } else if (line.startsWith('[') && line.endsWith(']')) {
      fail(
        `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`
      )
    }

    if (state === 'hosts') {
      const { hostnames, port, variables } = parseHostDefinition(line, fail)
      for (const host of hostnames) {
        inventory.addHost(host, groupName, port)
        for (const [key, value] of Object.entries(variables))
          inventory.setVariable(host, key, value)
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=')
      if (eq === -1) fail(`Expected key=value, got: ${line}`)
      inventory.setVariable(
        groupName,
        line.slice(0, eq).trim(),
        iniValue(line.slice(eq + 1).trim())
      )
    } else {
      const m = GROUP_NAME.exec(line)
      if (!m) fail(`Expected group name, got: ${line}`)
      const child = m![1]
      if (!inventory.groups.has(child)) {
        const declaration = pending.get(child)
        if (declaration) declaration.parents.push(groupName)
        else
          pending.set(child, {
            line: lineNumber,
            state: 'children',
            name: child,
            parents: [groupName]
          })
      } else {
        inventory.addChild(groupName, child)
      }
    }
  }

  // Unresolved references: Ansible reports only the first one.
  for (const declaration of pending.values()) {
    if (declaration.state === 'vars') {
      throw new SourceParseError(
        `${file}:${declaration.line}: Section [${declaration.name}:vars] not valid for undefined group: ${declaration.name}`
      )
    }
    throw new SourceParseError(
      `${file}:${declaration.line}: Section [${declaration.parents.at(-1)}:children] includes undefined group: ${declaration.name}`
    )
  }
}

function addPendingChildren(
  inventory: InventoryData,
  group: string,
  pending: Map<string, PendingDeclaration>
): void {
  for (const parent of pending.get(group)!.parents) {
    inventory.addChild(parent, group)
    if (pending.get(parent)?.state === 'children') addPendingChildren(inventory, parent, pending)
  }
  pending.delete(group)
}

function parseHostDefinition(
  line: string,
  fail: (message: string) => never
): { hostnames: string[]; port: number | undefined; variables: Record<string, unknown> } {
  let tokens: string[]
  try {
    tokens = shlexSplit(line)
  } catch (error) {
    if (!(error instanceof ShlexError)) throw error
    fail(`Error parsing host definition '${line}': ${error.message}`)
  }
  const hostPattern = tokens![0]
  if (hostPattern === undefined) {
    // A line that is only a comment after shlex (e.g. `  #x` cannot reach here); Python would
    // fail with an IndexError on tokens[0].
    throw new SourceParseError('list index out of range')
  }
  let expanded: { hostnames: string[]; port: number | undefined }
  try {
    expanded = expandHostPattern(hostPattern)
  } catch (error) {
    if (error instanceof AddressError) throw new SourceParseError(error.message)
    throw error
  }
  if (hostPattern.trim().endsWith(':') && expanded.port === undefined) {
    throw new SourceParseError(
      `Invalid host pattern '${hostPattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`
    )
  }
  if (expanded.hostnames.some(name => name.trim() === '---')) {
    throw new SourceParseError(
      `Invalid host pattern '${hostPattern}' supplied, '---' is normally a sign this is a YAML file.`
    )
  }
  const variables: Record<string, unknown> = {}
  for (const token of tokens!.slice(1)) {
    const eq = token.indexOf('=')
    if (eq === -1) fail(`Expected key=value host variable assignment, got: ${token}`)
    variables[token.slice(0, eq)] = iniValue(token.slice(eq + 1))
  }
  return { ...expanded, variables }
}
