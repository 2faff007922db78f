// The host/group graph with Ansible's own rules (ansible/inventory/{data,group,host}.py):
// insertion order everywhere, group depth for variable precedence, `ungrouped` bookkeeping,
// the implicit localhost, and the checks that reject loops.
import path from 'node:path'
import { statSync } from 'node:fs'
import { LOCALHOST_NAMES, addressPatterns } from './address.js'
import type { Warnings } from './warnings.js'

export type Vars = Record<string, unknown>

/** A parse problem that Ansible reports as "Failed to parse ... with X plugin: <message>". */
export class SourceParseError extends Error {}

/** `set_variable` with hash_behaviour=replace: a later value replaces the earlier one, even a mapping. */
function assignVariable(vars: Vars, key: string, value: unknown): void {
  vars[key] = value
}

export class Host {
  readonly vars: Vars = {}
  readonly groups: Group[] = []
  implicit = false

  constructor(
    readonly name: string,
    port?: number
  ) {
    if (port !== undefined) this.vars.ansible_port = port
  }

  setVariable(key: string, value: unknown): void {
    assignVariable(this.vars, key, value)
  }

  addGroup(group: Group): boolean {
    for (const ancestor of group.ancestors()) {
      if (!this.groups.includes(ancestor)) this.groups.push(ancestor)
    }
    if (this.groups.includes(group)) return false
    this.groups.push(group)
    return true
  }

  removeGroup(group: Group): void {
    const index = this.groups.indexOf(group)
    if (index === -1) return
    this.groups.splice(index, 1)
    for (const ancestor of group.ancestors()) {
      if (ancestor.name === 'all') continue
      const stillInherited = this.groups.some(g => g.ancestors().has(ancestor))
      if (!stillInherited) this.removeGroup(ancestor)
    }
  }

  /** inventory_hostname, inventory_hostname_short, group_names (Host.get_magic_vars). */
  magicVars(): Vars {
    const isIp = addressPatterns.ipv4.test(this.name) || addressPatterns.ipv6.test(this.name)
    return {
      inventory_hostname: this.name,
      inventory_hostname_short: isIp ? this.name : this.name.split('.')[0],
      group_names: this.groups
        .filter(g => g.name !== 'all')
        .map(g => g.name)
        .sort(compareCodePoints)
    }
  }
}

export class Group {
  readonly hosts: Host[] = []
  // Membership test for addHost: `hosts.includes` made loading N hosts into one group O(N²).
  private readonly hostSet = new Set<Host>()
  readonly childGroups: Group[] = []
  readonly parentGroups: Group[] = []
  readonly vars: Vars = {}
  depth = 0
  priority = 1

  constructor(readonly name: string) {}

  /** Every group above this one (ordering is not significant: callers sort or test membership). */
  ancestors(): Set<Group> {
    return walk(this, g => g.parentGroups, false)
  }

  /** This group and all below it, breadth first in insertion order. */
  descendants(): Group[] {
    return [...walk(this, g => g.childGroups, true)]
  }

  addChildGroup(child: Group): boolean {
    if (child === this) throw new SourceParseError("can't add group to itself")
    if (this.childGroups.includes(child)) return false
    const startAncestors = child.ancestors()
    const newAncestors = this.ancestors()
    if (newAncestors.has(child)) {
      throw new SourceParseError(
        `Adding group '${child.name}' as child to '${this.name}' creates a recursive dependency loop.`
      )
    }
    newAncestors.add(this)
    for (const known of startAncestors) newAncestors.delete(known)
    this.childGroups.push(child)
    child.depth = Math.max(this.depth + 1, child.depth)
    child.checkChildrenDepth()
    if (!child.parentGroups.some(g => g.name === this.name)) {
      child.parentGroups.push(this)
      for (const host of child.allHosts()) {
        for (const ancestor of newAncestors) {
          if (!host.groups.includes(ancestor)) host.groups.push(ancestor)
        }
      }
    }
    return true
  }

  private checkChildrenDepth(): void {
    let depth = this.depth
    const seen = new Set<Group>()
    let unprocessed = new Set(this.childGroups)
    while (unprocessed.size > 0) {
      for (const g of unprocessed) seen.add(g)
      depth++
      const next = new Set<Group>()
      for (const g of unprocessed) {
        if (g.depth < depth) {
          g.depth = depth
          for (const c of g.childGroups) next.add(c)
        }
      }
      unprocessed = next
      if (depth - this.depth > seen.size) {
        throw new SourceParseError(
          `The group named '${this.name}' has a recursive dependency loop.`
        )
      }
    }
  }

  addHost(host: Host): boolean {
    if (this.hostSet.has(host)) return false
    this.hostSet.add(host)
    this.hosts.push(host)
    host.addGroup(this)
    return true
  }

  removeHost(host: Host): boolean {
    if (!this.hostSet.delete(host)) return false
    this.hosts.splice(this.hosts.indexOf(host), 1)
    host.removeGroup(this)
    return true
  }

  setVariable(key: string, value: unknown): void {
    if (key === 'ansible_group_priority') {
      const priority = Number(value)
      if (!Number.isInteger(priority)) {
        throw new SourceParseError(`invalid literal for int() with base 10: '${String(value)}'`)
      }
      this.priority = priority
    } else {
      assignVariable(this.vars, key, value)
    }
  }

  /** Hosts of this group and its descendants (Group.get_hosts); `all` skips the implicit localhost. */
  allHosts(): Host[] {
    const hosts: Host[] = []
    const seen = new Set<Host>()
    for (const group of this.descendants()) {
      for (const host of group.hosts) {
        if (seen.has(host)) continue
        seen.add(host)
        if (this.name === 'all' && host.implicit) continue
        hosts.push(host)
      }
    }
    return hosts
  }
}

/**
 * Breadth-first walk. Ansible walks sets of groups (memory order) below the first level; we use
 * insertion order there, the deterministic reading of the same traversal.
 */
function walk(start: Group, next: (g: Group) => Group[], includeSelf: boolean): Set<Group> {
  const ordered = new Set<Group>(includeSelf ? [start] : [])
  for (const g of next(start)) ordered.add(g)
  let frontier = includeSelf ? [start, ...next(start)] : [...next(start)]
  const seen = new Set(frontier)
  while (frontier.length > 0) {
    const discovered: Group[] = []
    for (const g of frontier) {
      for (const item of next(g)) {
        if (!seen.has(item) && !discovered.includes(item)) discovered.push(item)
      }
    }
    for (const g of discovered) {
      seen.add(g)
      ordered.add(g)
    }
    frontier = discovered
  }
  return ordered
}

export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Groups in variable-precedence order: depth, then ansible_group_priority, then name. */
export function sortGroups(groups: Iterable<Group>): Group[] {
  return [...groups].sort(
    (a, b) => a.depth - b.depth || a.priority - b.priority || compareCodePoints(a.name, b.name)
  )
}

/** Ansible's `basedir()`: the directory of an inventory source, or the string "None". */
function sourceDir(source: string): string {
  try {
    const stat = statSync(source)
    if (stat.isDirectory()) return path.resolve(source)
    if (stat.isFile()) return path.resolve(path.dirname(source))
  } catch {
    // not a path (host list, inline text): Ansible stores str(None)
  }
  return 'None'
}

export class InventoryData {
  readonly groups = new Map<string, Group>()
  readonly hosts = new Map<string, Host>()
  localhost: Host | undefined
  /** Source being parsed: new hosts record it as inventory_file / inventory_dir. */
  currentSource: string | undefined
  /** Display name of an inline (text) source, which has no file. */
  currentSourceIsInline = false
  // inventory_dir of the current source, stat'ed once per source rather than once per host.
  private sourceDirCache: { source: string; dir: string } | undefined

  constructor(private readonly warnings: Warnings) {
    this.addGroup('all')
    this.addGroup('ungrouped')
    this.addChild('all', 'ungrouped')
  }

  private currentSourceDir(source: string): string {
    if (this.sourceDirCache?.source !== source) {
      this.sourceDirCache = { source, dir: sourceDir(source) }
    }
    return this.sourceDirCache.dir
  }

  addGroup(name: string): string {
    if (!name) throw new SourceParseError(`Invalid empty/false group name provided: ${name}`)
    if (!this.groups.has(name)) {
      // TRANSFORM_INVALID_GROUP_CHARS defaults to 'never': keep the name, but say so.
      if (/^\p{N}|[^\p{L}\p{N}\p{M}_]/u.test(name)) {
        this.warnings.add(
          'Invalid characters were found in group names but not replaced, use -vvvv to see details'
        )
      }
      this.groups.set(name, new Group(name))
    }
    return name
  }

  addHost(name: string, groupName?: string, port?: number): string {
    if (!name) throw new SourceParseError(`Invalid empty host name provided: ${name}`)
    let group: Group | undefined
    if (groupName) {
      group = this.groups.get(groupName)
      if (!group) throw new SourceParseError(`Could not find group ${groupName} in inventory`)
    }
    let host = this.hosts.get(name)
    if (!host) {
      host = new Host(name, port)
      this.hosts.set(name, host)
      if (this.currentSource !== undefined && !this.currentSourceIsInline) {
        host.setVariable('inventory_file', this.currentSource)
        host.setVariable('inventory_dir', this.currentSourceDir(this.currentSource))
      } else {
        host.setVariable('inventory_file', null)
        host.setVariable('inventory_dir', null)
      }
      if (LOCALHOST_NAMES.has(name)) {
        if (this.localhost === undefined) this.localhost = host
        else {
          this.warnings.add(
            `A duplicate localhost-like entry was found (${name}). First found localhost was ${this.localhost.name}`
          )
        }
      }
    }
    group?.addHost(host)
    return name
  }

  setVariable(entity: string, key: string, value: unknown): void {
    const target = this.groups.get(entity) ?? this.hosts.get(entity)
    if (!target) throw new SourceParseError(`Could not identify group or host named ${entity}`)
    target.setVariable(key, value)
  }

  addChild(groupName: string, child: string): boolean {
    const group = this.groups.get(groupName)
    if (!group) throw new SourceParseError(`${groupName} is not a known group`)
    const childGroup = this.groups.get(child)
    if (childGroup) return group.addChildGroup(childGroup)
    const childHost = this.hosts.get(child)
    if (childHost) return group.addHost(childHost)
    throw new SourceParseError(`${child} is not a known host nor group`)
  }

  /** The host, creating the implicit localhost on demand for `localhost`-like names. */
  getHost(name: string): Host | undefined {
    const host = this.hosts.get(name)
    if (host || !LOCALHOST_NAMES.has(name)) return host
    if (!this.localhost) {
      const implicit = new Host(name)
      implicit.implicit = true
      implicit.setVariable('ansible_connection', 'local')
      this.localhost = implicit
    }
    return this.localhost
  }

  /** `reconcile_inventory`: top-level groups under `all`, lone hosts into `ungrouped`. */
  reconcile(): void {
    const all = this.groups.get('all')!
    const ungrouped = this.groups.get('ungrouped')!
    for (const group of this.groups.values()) {
      if (group.name !== 'all' && group.ancestors().size === 0) this.addChild('all', group.name)
    }
    for (const host of this.hosts.values()) {
      const groups = host.groups
      if (groups.includes(ungrouped)) {
        if (groups.some(g => g !== all && g !== ungrouped)) ungrouped.removeHost(host)
      } else if (!host.implicit) {
        if (groups.length === 0 || (groups.length === 1 && groups[0] === all)) {
          this.addChild('ungrouped', host.name)
        }
      }
      if (host.implicit) Object.assign(host.vars, { ...all.vars, ...host.vars })
    }
    for (const name of this.groups.keys()) {
      if (this.hosts.has(name))
        this.warnings.add(`Found both group and host with same name: ${name}`)
    }
  }
}
