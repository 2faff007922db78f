// Ansible's YAML inventory plugin (plugins/inventory/yaml.py): top-level keys are groups, each
// with optional `hosts`, `children` and `vars` mappings; hosts may carry ports and ranges.
import { UnsafeText } from '../template/unsafe.js'
import { AddressError, expandHostPattern } from './address.js'
import { SourceParseError, type InventoryData } from './data.js'
import type { Warnings } from './warnings.js'
import { nonStringKeysOf } from './yaml-load.js'

function isMapping(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof UnsafeText)
  )
}

/** The Python class name Ansible prints for a loaded YAML value in its error messages. */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return "<class 'ansible.parsing.yaml.objects.AnsibleSequence'>"
  if (isMapping(value)) return "<class 'ansible.parsing.yaml.objects.AnsibleMapping'>"
  if (typeof value === 'string' || value instanceof UnsafeText) {
    return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>"
  }
  if (typeof value === 'boolean') return "<class 'bool'>"
  if (typeof value === 'number')
    return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>"
  return "<class 'NoneType'>"
}

export function parseYamlInventory(
  inventory: InventoryData,
  data: unknown,
  warnings: Warnings
): void {
  if (data === null || data === undefined || (isMapping(data) && Object.keys(data).length === 0)) {
    throw new SourceParseError('Parsed empty YAML file')
  }
  if (!isMapping(data)) {
    throw new SourceParseError(
      `YAML inventory has invalid structure, it should be a dictionary, got: ${pythonTypeName(data)}`
    )
  }
  if (data.plugin) throw new SourceParseError('Plugin configuration YAML file, not YAML inventory')
  for (const [groupName, groupData] of Object.entries(data)) {
    parseGroup(inventory, groupName, groupData, warnings)
  }
}

function parseGroup(
  inventory: InventoryData,
  group: string,
  groupData: unknown,
  warnings: Warnings
): string {
  if (!(isMapping(groupData) || groupData === null)) {
    warnings.add(`Skipping '${group}' as this is not a valid group definition`)
    return group
  }
  try {
    inventory.addGroup(group)
  } catch (error) {
    if (error instanceof SourceParseError) {
      throw new SourceParseError(`Unable to add group ${group}: ${error.message}`)
    }
    throw error
  }
  if (groupData === null) return group

  for (const section of ['vars', 'children', 'hosts']) {
    if (!(section in groupData)) continue
    if (typeof groupData[section] === 'string') groupData[section] = { [groupData[section]]: null }
    const value = groupData[section]
    if (!(isMapping(value) || value === null)) {
      throw new SourceParseError(
        `Invalid "${section}" entry for "${group}" group, requires a dictionary, found "${pythonTypeName(value)}" instead.`
      )
    }
  }

  for (const [key, value] of Object.entries(groupData)) {
    if (!(isMapping(value) || value === null)) {
      warnings.add(
        `Skipping key (${key}) in group (${group}) as it is not a mapping, it is a ${pythonTypeName(value)}`
      )
      continue
    }
    if (value === null) continue
    if (key === 'vars') {
      for (const [name, varValue] of Object.entries(value))
        inventory.setVariable(group, name, varValue)
    } else if (key === 'children') {
      for (const [subgroup, subgroupData] of Object.entries(value)) {
        parseGroup(inventory, subgroup, subgroupData, warnings)
        inventory.addChild(group, subgroup)
      }
    } else if (key === 'hosts') {
      const typedKeys = nonStringKeysOf(value)
      for (const [hostPattern, hostVars] of Object.entries(value)) {
        if (typedKeys.has(hostPattern)) {
          throw new SourceParseError(
            `Host pattern ${hostPattern} must be a string. Enclose integers/floats in quotation marks.`
          )
        }
        let expanded: { hostnames: string[]; port: number | undefined }
        try {
          expanded = expandHostPattern(hostPattern)
        } catch (error) {
          if (error instanceof AddressError) throw new SourceParseError(error.message)
          throw error
        }
        const variables = hostVars ?? {}
        if (!isMapping(variables)) {
          throw new SourceParseError(
            `Invalid data from file, expected dictionary and got:\n\n${String(variables)}`
          )
        }
        for (const host of expanded.hostnames) {
          inventory.addHost(host, group, expanded.port)
          for (const [name, varValue] of Object.entries(variables)) {
            inventory.setVariable(host, name, varValue)
          }
        }
      }
    } else {
      warnings.add(
        `Skipping unexpected key (${key}) in group (${group}), only "vars", "children" and "hosts" are valid`
      )
    }
  }
  return group
}
