// Pods for the `k8s://` / selector inventory: one `kubectl get pods -o json` call, parsed.
import type { ConnectionRuntime } from '../index.js'
import { prepareAccess } from './access.js'
import { kubectlMessage } from './errors.js'
import { kubectlEnvironment, runKubectlCommand } from './process.js'
import { resolveKubectlTarget } from './settings.js'

/** A pod as the API returns it (the fields the inventory uses are typed). */
export interface PodObject {
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    uid?: string
    [key: string]: unknown
  }
  spec?: {
    containers?: { name: string; image?: string; [key: string]: unknown }[]
    nodeName?: string
    [key: string]: unknown
  }
  status?: {
    phase?: string
    podIP?: string
    [key: string]: unknown
  }
  [key: string]: unknown
}

export async function listPods(
  namespace: string | undefined,
  selector: string | undefined,
  runtime: ConnectionRuntime
): Promise<PodObject[]> {
  // Credentials come from the run (kubeconfig/context) and the K8S_AUTH_* environment.
  const target = resolveKubectlTarget({ ansible_kubectl_pod: 'inventory' }, runtime.env)
  const access = await prepareAccess(
    { ...target, namespace: namespace || target.namespace },
    {
      tempDir: runtime.tempDir,
      kubeconfig: runtime.kubeconfig,
      context: runtime.context,
      cwd: runtime.cwd ?? process.cwd(),
      env: runtime.env
    }
  )
  try {
    const args = ['get', 'pods', '-o', 'json', ...(selector ? ['-l', selector] : [])]
    const output = await runKubectlCommand(
      {
        kubectlPath: runtime.kubectlPath,
        globalArgs: [...access.args, ...target.extraArgs],
        env: kubectlEnvironment(runtime.env, target.localEnv),
        counter: runtime.counter
      },
      args
    )
    const where = `${namespace ? `namespace ${namespace}` : 'the current namespace'}${selector ? ` with selector ${selector}` : ''}`
    if (output.code !== 0) {
      throw new Error(`cannot list pods in ${where}: ${kubectlMessage(output.stderr)}`)
    }
    let list: unknown
    try {
      list = JSON.parse(output.stdout.toString('utf8'))
    } catch {
      throw new Error(`kubectl get pods in ${where} did not print JSON`)
    }
    const items = (list as { items?: unknown }).items
    if (!Array.isArray(items)) throw new Error(`kubectl get pods in ${where} returned no item list`)
    return items as PodObject[]
  } finally {
    await access.dispose()
  }
}
