// The document `ansible-inventory --list [--export]` prints (cli/inventory.py json_inventory):
// every group reachable from `all` with its direct hosts and children, empty sections left out,
// and `_meta.hostvars` with the merged (or, with export, the host's own) variables.
import { INTERNAL_VARS, type Inventory } from './inventory.js'
import type { Vars } from './data.js'

function withoutInternal(vars: Vars): Vars {
  return Object.fromEntries(Object.entries(vars).filter(([key]) => !INTERNAL_VARS.has(key)))
}

export function inventoryListJson(inventory: Inventory, options: { export?: boolean } = {}): Vars {
  const results: Vars = {}
  const seen = new Set<string>()

  const formatGroup = (name: string): void => {
    const tree = inventory.groupTree(name)!
    const entry: Vars = {}
    if (name !== 'all' && tree.hosts.length > 0) entry.hosts = tree.hosts
    if (tree.children.length > 0) entry.children = tree.children
    for (const child of tree.children) {
      if (!seen.has(child)) {
        formatGroup(child)
        seen.add(child)
      }
    }
    if (options.export) {
      const vars = withoutInternal(inventory.exportGroupVars(name))
      if (Object.keys(vars).length > 0) entry.vars = vars
    }
    if (Object.keys(entry).length > 0) results[name] = entry
    else delete results[name]
  }
  formatGroup('all')

  const hostvars: Vars = {}
  for (const host of inventory.allHosts()) {
    const vars = withoutInternal(
      options.export ? inventory.exportHostVars(host) : inventory.hostVars(host)
    )
    if (Object.keys(vars).length > 0) hostvars[host] = vars
  }
  results._meta = { hostvars }
  return results
}
