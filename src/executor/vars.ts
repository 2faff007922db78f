// Variable precedence of one run, as the corpus shows Ansible 2.14 applying it (low → high):
// role defaults < inventory (group < host, group_vars/ host_vars/ files) < gathered facts
// < play vars < vars_files < role vars < block vars < task vars < include_vars
// < set_fact / register < extra vars, with magic variables on top.
import type { Inventory } from '../inventory/index.js'
import type { BlockNode, Play, PlayItem, RoleInstance } from '../playbook/objects.js'
import { markEachUnsafe } from '../template/unsafe.js'

export interface PlayScope {
  play: Play
  /** vars_files of the play, already loaded. */
  varsFiles: Record<string, unknown>
  /** Hosts of the play (all batches) and of this batch, for the magic variables. */
  playHostsAll: string[]
  batchHosts: string[]
  /** Hosts of the batch still running (ansible_play_hosts). */
  activeHosts: () => string[]
}

export interface RunMagic {
  playbookDir: string
  check: boolean
  diff: boolean
  verbosity: number
  runTags: string[]
  skipTags: string[]
  omit: string
}

function blockChain(item: PlayItem | undefined): BlockNode[] {
  const chain: BlockNode[] = []
  for (let node = item?.parent; node; node = node.parent) chain.unshift(node)
  return chain
}

function mapping(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

export class VariableStore {
  /** Gathered facts (ansible_facts) per host. */
  readonly facts = new Map<string, Record<string, unknown>>()
  /** set_fact and registered results per host (persist across plays, like Ansible). */
  readonly hostFacts = new Map<string, Record<string, unknown>>()
  /** include_vars results per host. */
  readonly includeVars = new Map<string, Record<string, unknown>>()

  constructor(
    readonly inventory: Inventory,
    readonly extraVars: Record<string, unknown>,
    readonly magic: RunMagic
  ) {}

  setHostFacts(host: string, values: Record<string, unknown>): void {
    this.hostFacts.set(host, { ...(this.hostFacts.get(host) ?? {}), ...values })
  }

  setIncludeVars(host: string, values: Record<string, unknown>): void {
    this.includeVars.set(host, { ...(this.includeVars.get(host) ?? {}), ...values })
  }

  setGatheredFacts(host: string, facts: Record<string, unknown>): void {
    this.facts.set(host, { ...(this.facts.get(host) ?? {}), ...facts })
  }

  /**
   * Facts a module returned (setup, gather_facts, ...) come from the pod: like Ansible's
   * wrap_var on them, they are never rendered, so an env value holding `{{ }}` stays text.
   */
  setModuleFacts(host: string, facts: Record<string, unknown>): void {
    this.setGatheredFacts(host, markEachUnsafe(facts))
  }

  clearFacts(host: string): void {
    this.facts.delete(host)
    this.hostFacts.delete(host)
  }

  /** Variables of `host` as a task (or, without task, the play) sees them. */
  forHost(
    host: string,
    scope: PlayScope | undefined,
    item?: PlayItem,
    taskVars = true,
    withHostvars = true
  ): Record<string, unknown> {
    const vars: Record<string, unknown> = {}
    const roles: RoleInstance[] = scope?.play.roles ?? []
    for (const role of roles) Object.assign(vars, role.defaults)
    if (item?.role) Object.assign(vars, item.role.defaults)
    Object.assign(vars, this.inventory.hostVars(host))
    const facts = this.facts.get(host) ?? {}
    for (const [key, value] of Object.entries(facts)) vars[`ansible_${key}`] = value
    if (scope) {
      Object.assign(vars, scope.play.vars, scope.varsFiles)
      for (const role of roles) Object.assign(vars, role.vars)
    }
    if (item?.role) Object.assign(vars, item.role.vars)
    if (taskVars) {
      for (const block of blockChain(item)) Object.assign(vars, mapping(block.keywords.vars))
      if (item) Object.assign(vars, mapping(item.keywords.vars))
    }
    Object.assign(
      vars,
      this.includeVars.get(host) ?? {},
      this.hostFacts.get(host) ?? {},
      this.extraVars
    )
    Object.assign(vars, this.magicVars(host, scope, item))
    // hostvars[h] holds h's variables, not another `hostvars` (that would nest without end).
    if (!withHostvars) delete vars.hostvars
    return vars
  }

  private magicVars(
    host: string,
    scope: PlayScope | undefined,
    item?: PlayItem
  ): Record<string, unknown> {
    const magic: Record<string, unknown> = {
      inventory_hostname: host,
      inventory_hostname_short: host.split('.')[0],
      groups: this.inventory.groups(),
      group_names: this.inventory.hostVars(host).group_names ?? [],
      hostvars: this.hostvarsProxy(scope),
      playbook_dir: this.magic.playbookDir,
      ansible_check_mode: this.magic.check,
      ansible_diff_mode: this.magic.diff,
      ansible_verbosity: this.magic.verbosity,
      ansible_run_tags: this.magic.runTags.length > 0 ? this.magic.runTags : ['all'],
      ansible_skip_tags: this.magic.skipTags,
      ansible_version: { full: '2.14.18', major: 2, minor: 14, revision: 18, string: '2.14.18' },
      ansible_facts: this.facts.get(host) ?? {},
      omit: this.magic.omit
    }
    if (scope) {
      const active = scope.activeHosts()
      Object.assign(magic, {
        ansible_play_name: scope.play.name,
        play_hosts: active,
        ansible_play_hosts: active,
        ansible_play_batch: active,
        ansible_play_hosts_all: scope.playHostsAll
      })
    }
    if (item?.role) {
      Object.assign(magic, {
        role_name: item.role.name,
        role_path: item.role.path,
        ansible_role_name: item.role.name
      })
    }
    return magic
  }

  /** `hostvars`: each host's play-level variables, computed only when a template reads them. */
  private hostvarsProxy(scope: PlayScope | undefined): Record<string, unknown> {
    const cache = new Map<string, Record<string, unknown>>()
    // Hosts outside the inventory (the implicit localhost) appear once facts were set for them.
    let known: string[] | undefined
    const hosts = (): string[] =>
      (known ??= [
        ...new Set([...this.inventory.allHosts(), ...this.hostFacts.keys(), ...this.facts.keys()])
      ])
    const get = (name: string): Record<string, unknown> | undefined => {
      if (!hosts().includes(name)) return undefined
      let value = cache.get(name)
      if (!value) {
        value = this.forHost(name, scope, undefined, false, false)
        cache.set(name, value)
      }
      return value
    }
    return new Proxy({} as Record<string, unknown>, {
      get: (_target, key) => (typeof key === 'string' ? get(key) : undefined),
      has: (_target, key) => typeof key === 'string' && hosts().includes(key),
      ownKeys: () => hosts(),
      getOwnPropertyDescriptor: (_target, key) =>
        typeof key === 'string' && hosts().includes(key)
          ? { enumerable: true, configurable: true, value: get(key) }
          : undefined
    })
  }
}
