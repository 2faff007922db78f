// The transport's front door: the executor asks for a host's Connection with the host's
// variables and the run's shared runtime; the inventory asks for pods; the action and the CLI
// ask where kubectl is and which version it is.
import type { Connection } from './connection.js'
import { KubectlConnection } from './kubectl/kubectl-connection.js'
import { prepareAccess } from './kubectl/access.js'
import { resolveKubectlTarget } from './kubectl/settings.js'
import { kubectlEnvironment } from './kubectl/process.js'
import { LocalConnection } from './local.js'
import type { KubectlProcessCounter } from './process-counter.js'

export type {
  Connection,
  ExecOptions,
  ExecResult,
  PutOptions,
  RemoteStat,
  TransferResult
} from './connection.js'
export { RemoteTimeoutError, UnreachableError } from './connection.js'
export { KubectlProcessCounter } from './process-counter.js'
export { LocalConnection } from './local.js'
export { KubectlConnection } from './kubectl/kubectl-connection.js'
export { listPods, type PodObject } from './kubectl/pods.js'
export {
  findKubectl,
  kubectlVersion,
  kubectlDownloadUrl,
  kubectlStableVersionUrl,
  kubectlPlatform,
  parseSha256File,
  sha256OfFile,
  verifySha256,
  type KubectlVersionInfo
} from './kubectl/binary.js'

/** What every connection of one run shares. */
export interface ConnectionRuntime {
  /** Absolute path of the kubectl binary. */
  kubectlPath: string
  /** Private per-run directory (0700); generated kubeconfigs are written here. */
  tempDir: string
  /** Environment for kubectl (K8S_AUTH_* are read from here too). */
  env: Record<string, string | undefined>
  counter: KubectlProcessCounter
  /** Per-command timeout (ms) when a task gives none. */
  defaultTimeoutMs?: number
  /** Run-level kubeconfig (action input / CLI) and context, used when a host names none. */
  kubeconfig?: string
  context?: string
  /** Directory relative kubeconfig and certificate paths are resolved against. */
  cwd?: string
}

const KUBECTL_NAMES = new Set([
  'kubectl',
  'kubernetes.core.kubectl',
  'community.kubernetes.kubectl'
])
const LOCAL_NAMES = new Set(['local', 'ansible.builtin.local', 'ansible.legacy.local'])
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1'])

export function createConnection(
  hostVars: Record<string, unknown>,
  runtime: ConnectionRuntime
): Connection {
  const host = String(hostVars.inventory_hostname ?? '')
  const declared = hostVars.ansible_connection
  // Without ansible_connection a host is a pod (this tool's purpose), except the implicit
  // localhost, which Ansible also runs locally.
  const connection =
    declared === undefined || declared === null || declared === ''
      ? LOCAL_HOSTS.has(host)
        ? 'local'
        : 'kubectl'
      : String(declared)
  if (LOCAL_NAMES.has(connection)) {
    const shell = hostVars.ansible_shell_executable
    return new LocalConnection({
      shellExecutable: typeof shell === 'string' && shell !== '' ? shell : undefined,
      env: runtime.env,
      defaultTimeoutMs: runtime.defaultTimeoutMs
    })
  }
  if (!KUBECTL_NAMES.has(connection)) {
    throw new Error(
      `host ${host}: ansible_connection '${connection}' is not supported (use kubectl, kubernetes.core.kubectl or local)`
    )
  }
  const target = resolveKubectlTarget(hostVars, runtime.env)
  const cwd = runtime.cwd ?? process.cwd()
  return new KubectlConnection({
    target,
    access: () =>
      prepareAccess(target, {
        tempDir: runtime.tempDir,
        kubeconfig: runtime.kubeconfig,
        context: runtime.context,
        cwd,
        env: runtime.env
      }),
    invocation: {
      kubectlPath: runtime.kubectlPath,
      env: kubectlEnvironment(runtime.env, target.localEnv),
      counter: runtime.counter,
      host: target.host
    },
    defaultTimeoutMs: runtime.defaultTimeoutMs
  })
}
