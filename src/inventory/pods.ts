// Pods as hosts (SPEC §6): a `k8s://NAMESPACE?selector=...&container=C` source (or the action's
// namespace/selector/container inputs) becomes hosts from ONE pod listing. Running pods become
// hosts with kubectl connection variables and the hostvars of the old kubernetes.core `k8s`
// inventory; other pods are reported, never silently dropped.
import type { InventoryData } from './data.js'
import { InventoryError } from './errors.js'

/** The fields of a Kubernetes Pod (as `kubectl get pods -o json` prints it) that we read. */
export interface PodObject {
  metadata: {
    name: string
    namespace?: string
    uid?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    resourceVersion?: string
    selfLink?: string
    deletionTimestamp?: string
  }
  spec?: {
    nodeName?: string
    containers?: { name: string; image?: string }[]
  }
  status?: {
    phase?: string
    podIP?: string
    hostIP?: string
    containerStatuses?: {
      name: string
      image?: string
      ready?: boolean
      state?: { running?: unknown; waiting?: unknown; terminated?: unknown }
    }[]
  }
}

/** Lists pods of a namespace matching a label selector (one `kubectl get pods -o json`). */
export type ListPods = (namespace: string, selector: string) => Promise<PodObject[]>

export interface PodSource {
  namespace: string
  selector: string
  /** A container name, `*` for one host per container, or undefined for the default container. */
  container?: string
}

/** A pod that did not become a host, and why. */
export interface SkippedPod {
  namespace: string
  pod: string
  phase: string
  reason: string
}

export const K8S_SCHEME = 'k8s://'

/** Parse `k8s://NAMESPACE?selector=app%3Dweb&container=C`. */
export function parsePodSource(source: string): PodSource {
  let url: URL
  let namespace: string
  try {
    url = new URL(source)
    namespace = decodeURIComponent(url.hostname || url.pathname.replace(/^\/+/, ''))
  } catch {
    throw new InventoryError(`not a valid k8s:// inventory URL: ${source}`)
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
    throw new InventoryError(
      `k8s:// inventory '${source}': '${namespace}' is not a valid namespace name (expected k8s://NAMESPACE?selector=KEY%3DVALUE)`
    )
  }
  for (const key of url.searchParams.keys()) {
    if (key !== 'selector' && key !== 'container') {
      throw new InventoryError(
        `k8s:// inventory '${source}': unknown parameter '${key}' (expected selector and container)`
      )
    }
  }
  const container = url.searchParams.get('container') ?? undefined
  return {
    namespace,
    selector: url.searchParams.get('selector') ?? '',
    container: container || undefined
  }
}

/** Ansible's `to_safe_group_name(name, force=True)`: invalid characters become `_`. */
export function safeGroupName(name: string): string {
  return name.replace(/[^\p{L}\p{N}\p{M}_]/gu, '_').replace(/^\p{N}/u, '_')
}

function defaultContainer(pod: PodObject): string | undefined {
  return (
    pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ??
    pod.spec?.containers?.[0]?.name
  )
}

/** Add the pods of one listing to `data`; returns the pods that were not added. */
export function addPods(data: InventoryData, source: PodSource, pods: PodObject[]): SkippedPod[] {
  const skipped: SkippedPod[] = []
  const namespaceGroup = safeGroupName(`namespace_${source.namespace}`)
  data.addGroup(namespaceGroup)
  const sorted = [...pods].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
  for (const pod of sorted) {
    const phase = pod.status?.phase ?? 'Unknown'
    const skip = (reason: string) =>
      skipped.push({ namespace: source.namespace, pod: pod.metadata.name, phase, reason })
    if (phase !== 'Running') {
      skip(`pod phase is ${phase}`)
      continue
    }
    if (pod.metadata.deletionTimestamp) {
      skip('pod is being deleted')
      continue
    }
    const declared = (pod.spec?.containers ?? []).map(container => container.name)
    let containers: { host: string; container: string | undefined }[]
    if (source.container === '*') {
      containers = declared.map(name => ({ host: `${pod.metadata.name}_${name}`, container: name }))
    } else if (source.container !== undefined) {
      if (!declared.includes(source.container)) {
        skip(`pod has no container '${source.container}'`)
        continue
      }
      containers = [{ host: pod.metadata.name, container: source.container }]
    } else {
      containers = [{ host: pod.metadata.name, container: defaultContainer(pod) }]
    }
    const labelGroups = Object.entries(pod.metadata.labels ?? {}).map(([key, value]) =>
      safeGroupName(`label_${key}_${value}`)
    )
    for (const { host, container } of containers) {
      data.addHost(host, namespaceGroup)
      for (const group of labelGroups) {
        data.addGroup(group)
        data.addChild(group, host)
      }
      for (const [key, value] of Object.entries(podHostVars(pod, source.namespace, container))) {
        data.setVariable(host, key, value)
      }
    }
  }
  return skipped
}

function podHostVars(pod: PodObject, namespace: string, container: string | undefined) {
  const status = pod.status?.containerStatuses?.find(s => s.name === container)
  const spec = pod.spec?.containers?.find(c => c.name === container)
  const state = status?.state
  const vars: Record<string, unknown> = {
    ansible_connection: 'kubectl',
    ansible_kubectl_pod: pod.metadata.name,
    ansible_kubectl_namespace: namespace,
    ansible_remote_tmp: '/tmp/',
    object_type: 'pod',
    labels: { ...(pod.metadata.labels ?? {}) },
    annotations: { ...(pod.metadata.annotations ?? {}) },
    pod_name: pod.metadata.name,
    pod_namespace: namespace,
    pod_node_name: pod.spec?.nodeName ?? null,
    pod_host_ip: pod.status?.hostIP ?? null,
    pod_phase: pod.status?.phase ?? null,
    pod_ip: pod.status?.podIP ?? null,
    pod_self_link: pod.metadata.selfLink ?? null,
    pod_resource_version: pod.metadata.resourceVersion ?? null,
    pod_uid: pod.metadata.uid ?? null,
    container_name: container ?? null,
    container_image: status?.image ?? spec?.image ?? null,
    container_ready: status?.ready ?? false
  }
  if (container !== undefined) vars.ansible_kubectl_container = container
  if (state?.running) vars.container_state = 'Running'
  if (state?.terminated) vars.container_state = 'Terminated'
  if (state?.waiting) vars.container_state = 'Waiting'
  return vars
}
