// What the engine needs from the transport layer for one run: a connection factory, the pod
// lister for k8s:// inventories, the kubectl process count, and cleanup of private files.
import type { RunOptions } from '../context.js'
import { LocalConnection } from '../connection/local.js'
import type { Connection } from '../connection/connection.js'
import type { ListPods } from '../inventory/index.js'
import { kubectlPodLister } from '../inventory/kubectl-pods.js'

export type ConnectionFactory = (hostVars: Record<string, unknown>) => Connection

export interface EngineRuntime {
  connection: ConnectionFactory
  kubectlProcesses(): number
  cleanup(): Promise<void>
  options: RunOptions
}

export async function connectionRuntime(options: RunOptions): Promise<EngineRuntime> {
  return {
    options,
    connection: hostVars => {
      const kind = String(hostVars.ansible_connection ?? 'kubectl')
      if (kind === 'local') {
        return new LocalConnection({
          shellExecutable:
            typeof hostVars.ansible_shell_executable === 'string'
              ? hostVars.ansible_shell_executable
              : undefined,
          env: options.env
        })
      }
      throw new Error(`ansible_connection=${kind} is not supported (use kubectl or local)`)
    },
    kubectlProcesses: () => 0,
    cleanup: async () => undefined
  }
}

export function podLister(runtime: EngineRuntime): ListPods {
  const { kubectl, env } = runtime.options
  return kubectlPodLister({
    kubectl: kubectl.path,
    kubeconfig: kubectl.kubeconfig,
    context: kubectl.context,
    env
  })
}
