// The inventory a run works with: hosts, groups and their merged variables with Ansible's
// precedence, host patterns, and the runtime changes add_host / group_by make.
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { LOCALHOST_NAMES } from './address.js'
import { Group, Host, InventoryData, compareCodePoints, sortGroups, type Vars } from './data.js'
import { InventoryError } from './errors.js'
import {
  HostPatternError,
  applySubscript,
  compileMatcher,
  orderPatterns,
  splitHostPattern,
  splitSubscript
} from './patterns.js'
import type { SkippedPod } from './pods.js'
import { VarsFileCache } from './vars-files.js'
import type { Warnings } from './warnings.js'

/** Magic and run-level variables ansible-inventory leaves out of its output. */
export const INTERNAL_VARS: ReadonlySet<string> = new Set([
  'ansible_diff_mode',
  'ansible_config_file',
  'ansible_facts',
  'ansible_forks',
  'ansible_inventory_sources',
  'ansible_limit',
  'ansible_playbook_python',
  'ansible_run_tags',
  'ansible_skip_tags',
  'ansible_verbosity',
  'ansible_version',
  'inventory_dir',
  'inventory_file',
  'inventory_hostname',
  'inventory_hostname_short',
  'groups',
  'group_names',
  'omit',
  'playbook_dir'
])

export interface ListHostsOptions {
  /** `--limit` pattern; `@file` entries read host names from a file, one per line. */
  limit?: string
  /** Keep only these hosts (e.g. a shard), after the pattern and the limit. */
  within?: Iterable<string>
}

export class Inventory {
  /** Warnings as Ansible prints them, in order, each once (format with formatWarning). */
  readonly warnings: string[]
  /** Pods of `k8s://` sources that are not hosts (not Running, being deleted, no such container). */
  readonly skippedPods: SkippedPod[]
  /** True when at least one source was parsed; otherwise only the implicit localhost exists. */
  readonly parsed: boolean
  private readonly varsFiles: VarsFileCache
  /** Directories whose group_vars/host_vars apply as "inventory" vars (one per source). */
  private readonly inventoryDirs: string[]
  /** Directories next to the playbook (loadVarsDirs): above inventory ones, same kind. */
  private readonly playDirs: string[] = []

  constructor(
    private readonly data: InventoryData,
    private readonly warningLog: Warnings,
    init: { inventoryDirs: string[]; parsed: boolean; skippedPods: SkippedPod[]; cwd: string }
  ) {
    this.warnings = warningLog.messages
    this.varsFiles = new VarsFileCache(warningLog)
    this.inventoryDirs = init.inventoryDirs
    this.parsed = init.parsed
    this.skippedPods = init.skippedPods
    this.cwd = init.cwd
  }

  private readonly cwd: string

  /** Hosts matching `pattern` in Ansible's order (ansible --list-hosts / a play's hosts). */
  listHosts(pattern: string, options: ListHostsOptions = {}): string[] {
    let hosts = this.evaluate(splitHostPattern(pattern))
    if (options.limit !== undefined) {
      const allowed = new Set(this.evaluate(this.limitPatterns(options.limit)))
      hosts = hosts.filter(host => allowed.has(host))
    }
    if (options.within !== undefined) {
      const allowed = new Set(options.within)
      hosts = hosts.filter(host => allowed.has(host.name))
    }
    const names = [...new Set(hosts.map(host => host.name))]
    if (names.length === 0 && LOCALHOST_NAMES.has(pattern)) return [pattern]
    return names
  }

  /** Every inventory host (pattern `all`), in inventory order. */
  allHosts(): string[] {
    return this.data.groups
      .get('all')!
      .allHosts()
      .map(host => host.name)
  }

  hasHost(name: string): boolean {
    return this.data.hosts.has(name)
  }

  /** The `groups` magic variable: every group with all its hosts (children included). */
  groups(): Record<string, string[]> {
    const result: Record<string, string[]> = {}
    for (const [name, group] of this.data.groups) result[name] = group.allHosts().map(h => h.name)
    return result
  }

  /**
   * Variables of `hostName` as Ansible's VariableManager merges inventory sources: `all` group
   * vars < other group vars (depth, priority, name) < group_vars/all < group_vars/<group>
   * (inventory dirs, then playbook dirs) < host vars < host_vars/<host> — plus
   * inventory_hostname(_short), group_names, inventory_file and inventory_dir.
   */
  hostVars(hostName: string): Vars {
    const host = this.data.getHost(hostName)
    if (!host) throw new InventoryError(`host '${hostName}' is not in the inventory`)
    const all = this.data.groups.get('all')!
    const hostGroups = sortGroups(host.groups.filter(group => group.name !== 'all'))
    let vars: Vars = { ...all.vars }
    for (const group of hostGroups) vars = { ...vars, ...group.vars }
    vars = { ...vars, ...this.groupFileVars([all], this.inventoryDirs) }
    vars = { ...vars, ...this.groupFileVars([all], this.playDirs) }
    vars = { ...vars, ...this.groupFileVars(hostGroups, this.inventoryDirs) }
    vars = { ...vars, ...this.groupFileVars(hostGroups, this.playDirs) }
    vars = { ...vars, ...host.vars, ...host.magicVars() }
    if (host.implicit) vars = { ...vars, inventory_file: null, inventory_dir: null }
    vars = { ...vars, ...this.hostFileVars(host, this.inventoryDirs) }
    vars = { ...vars, ...this.hostFileVars(host, this.playDirs) }
    return vars
  }

  /** `--export` host vars: the host's own vars and host_vars/ files only. */
  exportHostVars(hostName: string): Vars {
    const host = this.data.hosts.get(hostName)!
    return { ...host.vars, ...host.magicVars(), ...this.hostFileVars(host, this.inventoryDirs) }
  }

  /** `--export` group vars: the group's own vars, group_vars/ files, a non-default priority. */
  exportGroupVars(groupName: string): Vars {
    const group = this.data.groups.get(groupName)!
    const vars: Vars = { ...group.vars, ...this.groupFileVars([group], this.inventoryDirs) }
    if (group.priority !== 1) vars.ansible_group_priority = group.priority
    return vars
  }

  /** Group structure for `--list`: direct hosts and direct children, in insertion order. */
  groupTree(name: string): { hosts: string[]; children: string[] } | undefined {
    const group = this.data.groups.get(name)
    if (!group) return undefined
    return {
      hosts: group.hosts.map(host => host.name),
      children: group.childGroups.map(child => child.name)
    }
  }

  /** add_host: create (or update) a host, put it in `groups` (created as needed). */
  addHost(name: string, groups: string[] = [], vars: Vars = {}): void {
    if (!this.data.hosts.has(name)) this.data.addHost(name, 'all')
    const host = this.data.hosts.get(name)!
    Object.assign(host.vars, vars)
    for (const group of groups) {
      this.data.addGroup(group)
      this.data.groups.get(group)!.addHost(host)
    }
    this.data.reconcile()
  }

  /** group_by: put `host` into `group` (created as needed, under `parents` when given). */
  addToGroup(groupName: string, hostName: string, parents: string[] = []): void {
    const host = this.data.getHost(hostName)
    if (!host) throw new InventoryError(`${hostName} cannot be matched in inventory`)
    this.data.addGroup(groupName)
    const group = this.data.groups.get(groupName)!
    for (const parent of parents) {
      this.data.addGroup(parent)
      this.data.groups.get(parent)!.addChildGroup(group)
    }
    group.addHost(host)
    this.data.reconcile()
  }

  /** group_vars/ and host_vars/ next to the playbook: above the inventory's own, like Ansible. */
  loadVarsDirs(dir: string): void {
    const resolved = path.resolve(this.cwd, dir)
    if (!this.playDirs.includes(resolved)) this.playDirs.push(resolved)
  }

  /** Slice `index` (1-based) of `count` of the sorted host list: contiguous, sizes differ by ≤ 1. */
  shard(index: number, count: number): string[] {
    if (
      !Number.isInteger(count) ||
      count < 1 ||
      !Number.isInteger(index) ||
      index < 1 ||
      index > count
    ) {
      throw new InventoryError(`invalid shard ${index}/${count}: expected i/n with 1 <= i <= n`)
    }
    const sorted = this.allHosts().sort(compareCodePoints)
    const start = Math.floor(((index - 1) * sorted.length) / count)
    const end = Math.floor((index * sorted.length) / count)
    return sorted.slice(start, end)
  }

  private groupFileVars(groups: Group[], dirs: string[]): Vars {
    let vars: Vars = {}
    for (const dir of dirs) {
      for (const group of groups)
        vars = { ...vars, ...this.varsFiles.varsFor(dir, 'group_vars', group.name) }
    }
    return vars
  }

  private hostFileVars(host: Host, dirs: string[]): Vars {
    let vars: Vars = {}
    for (const dir of dirs)
      vars = { ...vars, ...this.varsFiles.varsFor(dir, 'host_vars', host.name) }
    return vars
  }

  private limitPatterns(limit: string): string[] {
    const patterns: string[] = []
    for (const item of splitHostPattern(limit)) {
      if (item[0] !== '@') {
        patterns.push(item)
        continue
      }
      const file = path.resolve(this.cwd, item.slice(1))
      let isFile: boolean
      try {
        isFile = statSync(file).isFile()
      } catch {
        throw new HostPatternError(`Unable to find limit file b'${item.slice(1)}'`)
      }
      if (!isFile)
        throw new HostPatternError(
          `Limit starting with "@" must be a file, not a directory: ${file}`
        )
      patterns.push(
        ...readFileSync(file, 'utf8')
          .split('\n')
          .map(line => line.trim())
      )
    }
    return patterns
  }

  /** `_evaluate_patterns`: unions in order, then intersections, then exclusions. */
  private evaluate(patterns: string[]): Host[] {
    let hosts: Host[] = []
    for (const pattern of orderPatterns(patterns)) {
      const plain = this.data.hosts.get(pattern)
      if (plain) {
        hosts.push(plain)
        continue
      }
      const matched = this.matchOne(pattern)
      if (pattern[0] === '!') {
        const excluded = new Set(matched)
        hosts = hosts.filter(host => !excluded.has(host))
      } else if (pattern[0] === '&') {
        const kept = new Set(matched)
        hosts = hosts.filter(host => kept.has(host))
      } else {
        const existing = new Set(hosts.map(host => host.name))
        // One push per host: spreading 100,000+ hosts into push() overflows the call stack.
        for (const host of matched) if (!existing.has(host.name)) hosts.push(host)
      }
    }
    return [...new Set(hosts)]
  }

  private matchOne(rawPattern: string): Host[] {
    const pattern =
      rawPattern[0] === '&' || rawPattern[0] === '!' ? rawPattern.slice(1) : rawPattern
    const { expression, subscript } = splitSubscript(pattern, message =>
      this.warningLog.add(message)
    )
    return applySubscript(this.enumerate(expression), subscript, pattern)
  }

  /** `_enumerate_matches`: groups by name first; hosts when no group matched or for globs/regexes. */
  private enumerate(pattern: string): Host[] {
    const matches = compileMatcher(pattern)
    const results: Host[] = []
    const matchingGroups = [...this.data.groups.keys()].filter(name => matches(name))
    for (const name of matchingGroups) {
      for (const host of this.data.groups.get(name)!.allHosts()) results.push(host)
    }
    if (matchingGroups.length === 0 || pattern[0] === '~' || /[.?*[]/.test(pattern)) {
      for (const [name, host] of this.data.hosts) if (matches(name)) results.push(host)
    }
    if (results.length === 0 && LOCALHOST_NAMES.has(pattern)) {
      const implicit = this.data.getHost(pattern)
      if (implicit) results.push(implicit)
    }
    if (results.length === 0 && matchingGroups.length === 0 && pattern !== 'all') {
      this.warningLog.add(`Could not match supplied host pattern, ignoring: ${pattern}`)
    }
    return results
  }
}
