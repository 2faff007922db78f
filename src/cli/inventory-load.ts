// The CLI's inventory loading: `k8s://` sources list pods through the connection layer (the
// same lister a run uses: K8S_AUTH_* credentials, counted kubectl processes), so the inventory
// layer itself stays free of kubectl.
import type { KubectlOptions } from '../context.js'
import { connectionRuntime } from '../executor/runtime.js'
import { loadInventory, type Inventory } from '../inventory/index.js'

export interface CliInventoryOptions {
  cwd: string
  env: Record<string, string | undefined>
  kubectl: KubectlOptions
}

export async function loadCliInventory(
  sources: string[],
  options: CliInventoryOptions
): Promise<Inventory> {
  const runtime = await connectionRuntime({ ...options, timeoutSec: 0 })
  try {
    return await loadInventory(sources, { cwd: options.cwd, listPods: runtime.listPods })
  } finally {
    await runtime.cleanup()
  }
}
