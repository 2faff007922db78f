// Public entry of the inventory layer: read every `-i` source into one Inventory.
import path from 'node:path'
import { statSync } from 'node:fs'
import { InventoryData } from './data.js'
import { Inventory } from './inventory.js'
import { InventoryError } from './errors.js'
import {
  K8S_SCHEME,
  addPods,
  parsePodSource,
  type ListPods,
  type PodObject,
  type SkippedPod
} from './pods.js'
import { isInlineText, parseSource } from './sources.js'
import { Warnings } from './warnings.js'

export { Inventory, INTERNAL_VARS, type ListHostsOptions } from './inventory.js'
export { InventoryError } from './errors.js'
export { HostPatternError } from './patterns.js'
export { inventoryListJson } from './list-json.js'
export { pythonJsonDumps } from './python-json.js'
export { formatWarning } from './warnings.js'
export {
  parsePodSource,
  safeGroupName,
  type ListPods,
  type PodObject,
  type PodSource,
  type SkippedPod
} from './pods.js'

export interface LoadInventoryOptions {
  /** Directory relative sources (and group_vars/host_vars next to them) are resolved against. */
  cwd: string
  /** Required for `k8s://` sources: one `kubectl get pods -o json` per call. */
  listPods?: ListPods
}

/**
 * Build the inventory from `sources` in order, like `-i` given several times: files,
 * directories, `h1,h2,` host lists, inline INI/YAML text, `k8s://NS?selector=...&container=C`.
 * Sources Ansible cannot parse become warnings (as in Ansible); `InventoryError` is thrown
 * for what cannot be reported that way (unsupported `!vault`, bad k8s:// URL, a failed pod listing).
 */
export async function loadInventory(
  sources: string[],
  options: LoadInventoryOptions
): Promise<Inventory> {
  const warnings = new Warnings()
  const data = new InventoryData(warnings)
  const skippedPods: SkippedPod[] = []
  const inventoryDirs: string[] = []
  let parsed = false
  for (const source of sources) {
    if (!source) continue
    if (source.startsWith(K8S_SCHEME)) {
      const podSource = parsePodSource(source)
      if (!options.listPods) {
        throw new InventoryError(`${source}: pods cannot be listed here (no pod lister was given)`)
      }
      let pods: PodObject[]
      try {
        pods = await options.listPods(podSource.namespace, podSource.selector)
      } catch (error) {
        if (error instanceof InventoryError) throw error
        // Whatever the pod lister throws (kubectl failed, not JSON) is an inventory error: exit 4.
        throw new InventoryError(
          `${source}: ${error instanceof Error ? error.message : String(error)}`
        )
      }
      for (const skipped of addPods(data, podSource, pods)) skippedPods.push(skipped)
      parsed = true
      continue
    }
    if (parseSource(data, source, options.cwd, warnings)) parsed = true
    const dir = varsDirOf(source, options.cwd)
    if (dir !== undefined && !inventoryDirs.includes(dir)) inventoryDirs.push(dir)
  }
  if (parsed) data.reconcile()
  else warnings.add('No inventory was parsed, only implicit localhost is available')
  for (const pod of skippedPods) {
    warnings.add(
      `pod ${pod.namespace}/${pod.pod} is not a host: ${pod.reason} (phase ${pod.phase})`
    )
  }
  return new Inventory(data, warnings, { inventoryDirs, parsed, skippedPods, cwd: options.cwd })
}

/** Where group_vars/ and host_vars/ of a source live: the directory itself, or the file's. */
function varsDirOf(source: string, cwd: string): string | undefined {
  if (isInlineText(source, cwd)) return undefined
  const resolved = path.resolve(cwd, source)
  let isDirectory = false
  try {
    isDirectory = statSync(resolved).isDirectory()
  } catch {
    if (source.includes(',')) return undefined
  }
  return isDirectory ? resolved : path.dirname(resolved)
}
