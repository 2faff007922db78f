// Library API of the local test cluster: a Kubernetes API server that the real kubectl
// talks to, whose pods are bubblewrap sandboxes. See README.md in this folder.
import { randomBytes } from 'node:crypto'
import { constants, rmSync } from 'node:fs'
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { kubeconfigText } from './kubeconfig.js'
import { Pod } from './pods.js'
import { forgetImages } from './rootfs.js'
import { ApiHandler } from './server.js'
import { createServerTls, type ServerTls } from './tls.js'
import type { ClusterOptions, Faults, PodSpec } from './types.js'

export type {
  ClusterOptions,
  ContainerSpec,
  Faults,
  ImageVariant,
  PodPhase,
  PodSpec
} from './types.js'

export interface Cluster {
  /** Path of the kubeconfig file (mode 0600) for this cluster. */
  readonly kubeconfigPath: string
  readonly kubeconfig: string
  /** API server URL, e.g. https://127.0.0.1:40123. */
  readonly server: string
  readonly token: string
  /** CA certificate file (undefined in HTTP mode). */
  readonly caFile: string | undefined
  /** The cluster's own directory (pods' roots live under it). */
  readonly dir: string
  /** Exec requests that reached a container since start. */
  readonly execCount: number
  /** All API requests served (including exec upgrades) since start. */
  readonly requestCount: number
  addPod(spec: PodSpec): Promise<void>
  /** Kills every process of the pod; later gets and execs answer NotFound. */
  deletePod(namespace: string, name: string): Promise<void>
  /** Merge fault settings (a key set to undefined clears it); applies to new and running streams. */
  setFaults(faults: Faults): void
  readonly faults: Faults
  /** Closes the listener and every open connection, then listens again on the same port. */
  restartApi(): Promise<void>
  /** Host path of a container's root filesystem (default: the pod's first container). */
  podRoot(namespace: string, name: string, container?: string): string
  stop(): Promise<void>
}

const podKey = (namespace: string, name: string): string => `${namespace}/${name}`

class LocalCluster implements Cluster {
  kubeconfigPath = ''
  kubeconfig = ''
  server = ''
  execCount = 0
  requestCount = 0
  faults: Faults
  private readonly pods = new Map<string, Pod>()
  private podsCreated = 0
  private listener: Server | undefined
  private readonly sockets = new Set<Socket>()
  private readonly handler: ApiHandler
  private port: number
  private tls: ServerTls | undefined
  private stopped = false
  private readonly stopListeners: (() => void)[] = []

  constructor(
    readonly dir: string,
    readonly token: string,
    private readonly options: ClusterOptions,
    private readonly ownsDir: boolean
  ) {
    this.faults = {
      latencyMs: options.latencyMs,
      bandwidthBytesPerSec: options.bandwidthBytesPerSec
    }
    this.port = options.port ?? 0
    this.handler = new ApiHandler({
      token,
      serverAddress: () => this.server.replace(/^https?:\/\//, ''),
      faults: () => this.faults,
      pods: () => [...this.pods.values()],
      findPod: (namespace, name) => this.pods.get(podKey(namespace, name)),
      countExec: () => void this.execCount++
    })
  }

  get caFile(): string | undefined {
    return this.tls?.caFile
  }

  async start(): Promise<void> {
    if (!this.options.http) this.tls = await createServerTls(this.dir)
    await this.listen()
    this.server = `${this.options.http ? 'http' : 'https'}://127.0.0.1:${this.port}`
    this.kubeconfig = kubeconfigText(this.server, this.token, this.tls?.caPem)
    this.kubeconfigPath = path.join(this.dir, 'kubeconfig')
    await writeFile(this.kubeconfigPath, this.kubeconfig, { mode: 0o600 })
    await Promise.all((this.options.pods ?? []).map(spec => this.addPod(spec)))
  }

  private async listen(): Promise<void> {
    const onRequest = (
      request: Parameters<ApiHandler['handle']>[0],
      response: Parameters<ApiHandler['handle']>[1]
    ): void => {
      this.requestCount++
      void this.handler.handle(request, response)
    }
    const listener = this.tls
      ? createHttpsServer({ cert: this.tls.certPem, key: this.tls.keyPem }, onRequest)
      : createHttpServer(onRequest)
    listener.on('upgrade', (request, socket, head) => {
      this.requestCount++
      void this.handler.upgrade(request, socket, head)
    })
    listener.on(this.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    listener.on('clientError', (_error, socket) => socket.destroy())
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject)
      listener.listen(this.port, '127.0.0.1', () => resolve())
    })
    this.port = (listener.address() as AddressInfo).port
    this.listener = listener
  }

  async addPod(spec: PodSpec): Promise<void> {
    const key = podKey(spec.namespace ?? 'default', spec.name)
    if (this.pods.has(key)) throw new Error(`pod ${key} already exists in the test cluster`)
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(spec.name))
      throw new Error(`pod name ${JSON.stringify(spec.name)} is not a valid Kubernetes name`)
    const pod = new Pod(spec, this.dir, this.podsCreated++)
    this.pods.set(key, pod)
    try {
      await pod.start()
    } catch (error) {
      this.pods.delete(key)
      await pod.delete()
      throw error
    }
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    const pod = this.pods.get(podKey(namespace, name))
    if (!pod) throw new Error(`pod ${podKey(namespace, name)} does not exist in the test cluster`)
    this.pods.delete(podKey(namespace, name))
    await pod.delete()
  }

  setFaults(faults: Faults): void {
    this.faults = { ...this.faults, ...faults }
  }

  podRoot(namespace: string, name: string, container?: string): string {
    const pod = this.pods.get(podKey(namespace, name))
    const chosen = container === undefined ? pod?.containers[0] : pod?.container(container)
    if (!chosen?.sandbox)
      throw new Error(`no running container ${container ?? ''} in pod ${podKey(namespace, name)}`)
    return chosen.sandbox.root
  }

  private async closeListener(): Promise<void> {
    const listener = this.listener
    this.listener = undefined
    if (!listener) return
    const closed = new Promise(resolve => listener.close(resolve))
    this.handler.dropConnections()
    for (const socket of this.sockets) socket.destroy()
    await closed
  }

  async restartApi(): Promise<void> {
    await this.closeListener()
    await this.listen()
  }

  onStop(listener: () => void): void {
    this.stopListeners.push(listener)
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    for (const listener of this.stopListeners) listener()
    await this.closeListener()
    await Promise.all([...this.pods.values()].map(pod => pod.delete()))
    this.pods.clear()
    forgetImages(path.join(this.dir, 'images'))
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true })
  }
}

/**
 * Pod roots are thousands of tiny files written at start: on a tmpfs that takes milliseconds,
 * on a busy VM disk seconds. Prefer /dev/shm when the machine has it.
 */
async function scratchBase(): Promise<string> {
  try {
    await access('/dev/shm', constants.W_OK)
    return '/dev/shm'
  } catch {
    return tmpdir()
  }
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const ownsDir = options.dir === undefined
  const dir = options.dir ?? (await mkdtemp(path.join(await scratchBase(), 'k8s-test-cluster-')))
  if (!ownsDir) await mkdir(dir, { recursive: true })
  const token = options.token ?? randomBytes(24).toString('hex')
  const cluster = new LocalCluster(dir, token, options, ownsDir)
  // A test runner that exits without stop() still must not leave pod roots in /dev/shm; the
  // sandboxes themselves die with this process (--die-with-parent).
  const removeOnExit = (): void => {
    if (ownsDir) rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', removeOnExit)
  cluster.onStop(() => process.off('exit', removeOnExit))
  try {
    await cluster.start()
  } catch (error) {
    await cluster.stop()
    throw error
  }
  return cluster
}
