// Pod listing for `k8s://` sources until the connection layer offers its own: exactly one
// `kubectl get pods -o json` per namespace/selector. Credentials stay in the kubeconfig
// (never on argv); a failed listing is an InventoryError carrying kubectl's own message.
import { execFile } from 'node:child_process'
import { InventoryError } from './errors.js'
import type { ListPods, PodObject } from './pods.js'

export interface KubectlPodListerOptions {
  kubectl: string
  kubeconfig?: string
  context?: string
  env: Record<string, string | undefined>
}

export function kubectlPodLister(options: KubectlPodListerOptions): ListPods {
  return (namespace, selector) =>
    new Promise<PodObject[]>((resolve, reject) => {
      const args = ['get', 'pods', '--namespace', namespace, '--output', 'json']
      if (selector) args.push('--selector', selector)
      if (options.kubeconfig) args.unshift('--kubeconfig', options.kubeconfig)
      if (options.context) args.unshift('--context', options.context)
      execFile(
        options.kubectl,
        args,
        { env: options.env as NodeJS.ProcessEnv, maxBuffer: 256 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) {
            const detail = stderr.trim() || error.message
            reject(new InventoryError(`listing pods in namespace '${namespace}' failed: ${detail}`))
            return
          }
          try {
            const list = JSON.parse(stdout) as { items?: PodObject[] }
            resolve(list.items ?? [])
          } catch {
            reject(new InventoryError(`kubectl get pods printed something that is not JSON`))
          }
        }
      )
    })
}
