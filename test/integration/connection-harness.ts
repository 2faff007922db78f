// What the connection integration tests share: a test cluster, a private work directory, a
// ConnectionRuntime using the real /usr/bin/kubectl against it, and connections that are all
// closed (with the cluster stopped and the directory removed) by stop().
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startCluster, type Cluster, type ClusterOptions } from '../cluster/index.js'
import {
  createConnection,
  KubectlProcessCounter,
  type Connection,
  type ConnectionRuntime
} from '../../src/connection/index.js'

export const KUBECTL = '/usr/bin/kubectl'

export interface ConnectionHarness {
  cluster: Cluster
  work: string
  runtime: ConnectionRuntime
  /** A connection to `host` with `vars` (over the harness defaults) and runtime overrides. */
  connect(
    host: string,
    vars?: Record<string, unknown>,
    overrides?: Partial<ConnectionRuntime>
  ): Connection
  stop(): Promise<void>
}

export async function startConnectionHarness(
  prefix: string,
  clusterOptions: ClusterOptions,
  defaultVars: Record<string, unknown> = {}
): Promise<ConnectionHarness> {
  const work = await mkdtemp(path.join(tmpdir(), prefix))
  const cluster = await startCluster(clusterOptions)
  const runtime: ConnectionRuntime = {
    kubectlPath: KUBECTL,
    tempDir: work,
    env: { PATH: process.env.PATH, HOME: work },
    counter: new KubectlProcessCounter(),
    kubeconfig: cluster.kubeconfigPath,
    cwd: work
  }
  const open: Connection[] = []
  return {
    cluster,
    work,
    runtime,
    connect(host, vars = {}, overrides = {}) {
      const connection = createConnection(
        { inventory_hostname: host, ...defaultVars, ...vars },
        { ...runtime, ...overrides }
      )
      open.push(connection)
      return connection
    },
    async stop() {
      await Promise.all(open.map(connection => connection.close()))
      await cluster.stop()
      await rm(work, { recursive: true, force: true })
    }
  }
}
