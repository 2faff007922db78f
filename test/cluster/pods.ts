// The cluster's pods: their Kubernetes object (what `kubectl get pods -o json` shows) and
// the sandboxes behind their containers.
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { Sandbox } from './sandbox.js'
import type { ContainerSpec, ImageVariant, PodPhase, PodSpec } from './types.js'

export const NODE_NAME = 'test-node'
const DEFAULT_IMAGE = 'busybox:stable'

export interface PodContainer {
  spec: ContainerSpec
  /** Undefined when the pod is not Running. */
  sandbox?: Sandbox
}

const VARIANT_KEYS: (keyof ImageVariant)[] = [
  'noDd',
  'noBase64',
  'noSha256sum',
  'noSh',
  'python3',
  'readOnlyRoot',
  'nonRoot'
]

function containerSpecs(pod: PodSpec): ContainerSpec[] {
  const declared = pod.containers ?? ['main']
  return declared.map(entry => {
    const spec: ContainerSpec = typeof entry === 'string' ? { name: entry } : { ...entry }
    for (const key of VARIANT_KEYS) spec[key] ??= pod[key]
    return spec
  })
}

export class Pod {
  readonly namespace: string
  readonly name: string
  readonly uid = randomUUID()
  readonly created = new Date()
  readonly phase: PodPhase
  readonly containers: PodContainer[]
  readonly ip: string
  private readonly dir: string

  constructor(
    readonly spec: PodSpec,
    clusterDir: string,
    index: number
  ) {
    this.namespace = spec.namespace ?? 'default'
    this.name = spec.name
    this.phase = spec.phase ?? 'Running'
    this.ip = `10.244.${Math.floor(index / 250) % 250}.${(index % 250) + 2}`
    this.dir = path.join(clusterDir, 'pods', this.namespace, this.name)
    this.containers = containerSpecs(spec).map(container => ({
      spec: container,
      sandbox:
        this.phase === 'Running'
          ? new Sandbox(
              path.join(this.dir, container.name),
              path.join(clusterDir, 'images'),
              this.name,
              container
            )
          : undefined
    }))
  }

  async start(): Promise<void> {
    await Promise.all(this.containers.map(container => container.sandbox?.start()))
  }

  async delete(): Promise<void> {
    await Promise.all(this.containers.map(container => container.sandbox?.kill()))
    await rm(this.dir, { recursive: true, force: true })
  }

  container(name: string): PodContainer | undefined {
    return this.containers.find(container => container.spec.name === name)
  }

  toJSON(): Record<string, unknown> {
    const started = this.created.toISOString().replace(/\.\d+Z$/, 'Z')
    const running = this.phase === 'Running'
    const metadata: Record<string, unknown> = {
      name: this.name,
      namespace: this.namespace,
      uid: this.uid,
      resourceVersion: '1',
      creationTimestamp: started,
      labels: this.spec.labels ?? {}
    }
    if (this.spec.annotations) metadata.annotations = this.spec.annotations
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata,
      spec: {
        containers: this.containers.map(({ spec }) => ({
          name: spec.name,
          image: spec.image ?? DEFAULT_IMAGE,
          command: ['sleep', 'infinity'],
          securityContext: {
            ...(spec.readOnlyRoot ? { readOnlyRootFilesystem: true } : {}),
            ...(spec.nonRoot ? { runAsUser: 1000, runAsNonRoot: true } : {})
          }
        })),
        nodeName: NODE_NAME,
        restartPolicy: 'Always'
      },
      status: {
        phase: this.phase,
        hostIP: '127.0.0.1',
        ...(running ? { podIP: this.ip, podIPs: [{ ip: this.ip }] } : {}),
        startTime: started,
        conditions: [
          { type: 'Ready', status: running ? 'True' : 'False', lastTransitionTime: started }
        ],
        containerStatuses: this.containers.map(({ spec }) => ({
          name: spec.name,
          image: spec.image ?? DEFAULT_IMAGE,
          imageID: `docker.io/library/${spec.image ?? DEFAULT_IMAGE}`,
          containerID: `containerd://${this.uid.replace(/-/g, '')}${spec.name}`,
          ready: running,
          started: running,
          restartCount: 0,
          state: containerState(this.phase, started)
        }))
      }
    }
  }
}

function containerState(phase: PodPhase, started: string): Record<string, unknown> {
  if (phase === 'Running') return { running: { startedAt: started } }
  if (phase === 'Succeeded')
    return { terminated: { exitCode: 0, reason: 'Completed', startedAt: started } }
  if (phase === 'Failed')
    return { terminated: { exitCode: 1, reason: 'Error', startedAt: started } }
  return { waiting: { reason: 'ContainerCreating' } }
}
