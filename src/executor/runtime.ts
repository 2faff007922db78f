// What the engine needs from the transport layer for one run: a connection factory, the pod
// lister for k8s:// inventories, the kubectl process count, and a private directory for the
// kubeconfigs the transport writes (removed when the run ends).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { RunOptions } from '../context.js'
import type { Connection } from '../connection/connection.js'
import {
  createConnection,
  KubectlProcessCounter,
  listPods,
  type ConnectionRuntime
} from '../connection/index.js'
import type { ListPods } from '../inventory/index.js'

export type ConnectionFactory = (hostVars: Record<string, unknown>) => Connection

export interface EngineRuntime {
  connection: ConnectionFactory
  listPods: ListPods
  kubectlProcesses(): number
  cleanup(): Promise<void>
}

/** Only what the transport needs, so the CLI can list pods without a full run's options. */
export type RuntimeOptions = Pick<RunOptions, 'kubectl' | 'env' | 'cwd' | 'timeoutSec'>

export async function connectionRuntime(options: RuntimeOptions): Promise<EngineRuntime> {
  const tempDir = await mkdtemp(path.join(options.env.RUNNER_TEMP || tmpdir(), 'kubectl-ansible-'))
  const counter = new KubectlProcessCounter()
  const runtime: ConnectionRuntime = {
    kubectlPath: options.kubectl.path,
    tempDir,
    env: options.env,
    counter,
    defaultTimeoutMs: options.timeoutSec > 0 ? options.timeoutSec * 1000 : undefined,
    kubeconfig: options.kubectl.kubeconfig,
    context: options.kubectl.context,
    cwd: options.cwd
  }
  return {
    connection: hostVars => createConnection(hostVars, runtime),
    listPods: (namespace, selector) =>
      listPods(namespace, selector, runtime) as ReturnType<ListPods>,
    kubectlProcesses: () => counter.total,
    cleanup: () => rm(tempDir, { recursive: true, force: true })
  }
}
