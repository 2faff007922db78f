// What some actions change besides their result: set_fact and registered facts, include_vars,
// gathered facts, add_host and group_by (the modules return the data; the executor applies it,
// like Ansible's strategy does).
import type { TaskNode } from '../playbook/objects.js'
import type { Result } from './results.js'
import type { RunContext } from './run-context.js'

function itemsOf(result: Result): Result[] {
  return Array.isArray(result.results) ? (result.results as Result[]) : [result]
}

export function applyEffects(
  run: RunContext,
  task: TaskNode,
  host: string,
  delegatedTo: string | undefined,
  result: Result,
  delegateFacts: boolean
): void {
  for (const item of itemsOf(result)) {
    if (item.failed === true || item.skipped === true) continue
    const facts = item.ansible_facts
    if (typeof facts === 'object' && facts !== null && task.module !== 'debug') {
      const target = delegateFacts && delegatedTo ? delegatedTo : host
      if (task.module === 'include_vars')
        run.store.setIncludeVars(target, facts as Record<string, unknown>)
      else if (task.module === 'set_fact') {
        run.store.setHostFacts(target, facts as Record<string, unknown>)
        // cacheable: an actual fact too (ansible_facts.X), as Ansible's strategy stores it.
        if (item._ansible_facts_cacheable === true)
          run.store.setGatheredFacts(target, facts as Record<string, unknown>)
      } else run.store.setModuleFacts(target, facts as Record<string, unknown>)
    }
    const added = item.add_host as
      { host_name?: string; groups?: string[]; host_vars?: Record<string, unknown> } | undefined
    if (added && typeof added.host_name === 'string') {
      run.inventory.addHost(added.host_name, added.groups ?? [], added.host_vars ?? {})
    }
    if (typeof item.add_group === 'string') {
      run.inventory.addToGroup(item.add_group, host)
    }
  }
}
