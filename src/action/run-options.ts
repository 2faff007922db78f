// From validated inputs to the engine's RunOptions (src/context.ts). Inline content (playbook,
// task list, inventory) becomes private files in the run directory, so the engine only ever
// sees paths and its error messages can name a file and a line.
import { parseDocument } from 'yaml'
import type { RunOptions } from '../context.js'
import type { Inputs, InventoryInput, PodSelection } from './inputs.js'
import { writePrivateFile } from './run-dir.js'

export interface RunSetup {
  cwd: string
  runDir: string
  kubectlPath: string
  /** Kubeconfig written by the action, or the one the environment points at. */
  kubeconfig?: string
  env: Record<string, string | undefined>
}

export async function buildRunOptions(inputs: Inputs, setup: RunSetup): Promise<RunOptions> {
  const inventorySources = await inventorySourcesOf(inputs.inventory, setup.runDir)
  if (inputs.pods) inventorySources.push(podSource(inputs.pods))
  const options: RunOptions = {
    cwd: setup.cwd,
    inventorySources,
    extraVars:
      inputs.extraVars === undefined ? [] : [await extraVarsSource(inputs.extraVars, setup.runDir)],
    limit: inputs.limit,
    tags: inputs.tags,
    skipTags: inputs.skipTags,
    check: inputs.check,
    diff: inputs.diff,
    forks: inputs.forks,
    timeoutSec: inputs.timeoutSec,
    verbosity: inputs.verbosity,
    shard: inputs.shard,
    kubectl: {
      path: setup.kubectlPath,
      kubeconfig: setup.kubeconfig,
      context: inputs.access.context
    },
    env: { ...engineEnv(setup.env), ...(setup.kubeconfig ? { KUBECONFIG: setup.kubeconfig } : {}) }
  }
  const workload = inputs.workload
  switch (workload.kind) {
    case 'playbook':
      options.playbook = workload.path
      break
    case 'inline-playbook':
      options.playbook = await writePrivateFile(setup.runDir, 'playbook.yml', `${workload.text}\n`)
      break
    case 'tasks':
      options.playbook = await writePrivateFile(
        setup.runDir,
        'tasks.yml',
        tasksPlaybook(workload.text, workload.hosts)
      )
      break
    case 'module':
      options.adhoc = { pattern: workload.hosts, module: workload.module, args: workload.args }
      break
  }
  return options
}

/**
 * The runner's environment minus the action's own inputs: INPUT_TOKEN / INPUT_KUBECONFIG hold
 * secrets that kubectl processes and `lookup('env')` have no business seeing.
 */
function engineEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('INPUT_')))
}

/**
 * `-e` takes `@file`, `key=value` pairs, or text starting with `{`/`[`; a block YAML mapping
 * from the input goes through a private file so the engine's YAML 1.1 loader reads it.
 */
async function extraVarsSource(extraVars: string, runDir: string): Promise<string> {
  if (extraVars.startsWith('@') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(extraVars)) return extraVars
  return `@${await writePrivateFile(runDir, 'extra-vars.yml', `${extraVars}\n`)}`
}

/** `k8s://NS?selector=…&container=…`, the inventory layer's pod source (SPEC §4, §6). */
export function podSource(pods: PodSelection): string {
  const query = new URLSearchParams()
  if (pods.selector) query.set('selector', pods.selector)
  if (pods.container) query.set('container', pods.container)
  const queryText = query.toString()
  return `k8s://${pods.namespace}${queryText ? `?${queryText}` : ''}`
}

/**
 * The `tasks` input as one play on `hosts`, without fact gathering (like an ad-hoc run).
 * The task text is indented as a block, so every relative indentation inside it is kept.
 */
export function tasksPlaybook(tasksText: string, hosts: string): string {
  const indented = tasksText
    .replace(/\n+$/, '')
    .split('\n')
    .map(line => (line === '' ? '' : `    ${line}`))
    .join('\n')
  return `- hosts: ${JSON.stringify(hosts)}\n  gather_facts: false\n  tasks:\n${indented}\n`
}

async function inventorySourcesOf(inventory: InventoryInput[], runDir: string): Promise<string[]> {
  const sources: string[] = []
  for (const [index, entry] of inventory.entries()) {
    if (entry.kind === 'source') {
      sources.push(entry.source)
    } else {
      // Ansible picks the parser partly by extension: YAML inventories are mappings of groups.
      const extension = isYamlInventory(entry.text) ? 'yml' : 'ini'
      sources.push(
        await writePrivateFile(runDir, `inventory-${index + 1}.${extension}`, `${entry.text}\n`)
      )
    }
  }
  return sources
}

function isYamlInventory(text: string): boolean {
  const document = parseDocument(text, { version: '1.1', uniqueKeys: false })
  if (document.errors.length > 0) return false
  const value: unknown = document.toJS()
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(
      group => group === null || (typeof group === 'object' && !Array.isArray(group))
    )
  )
}
