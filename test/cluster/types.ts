// Shapes shared by the test cluster's pieces: what a test asks for (PodSpec, ClusterOptions)
// and the faults it can inject while the cluster runs.

/** What a container image offers; real images differ in exactly these ways. */
export interface ImageVariant {
  /** No `dd` applet (transfers must fall back to cat/head). */
  noDd?: boolean
  /** No `base64` applet. */
  noBase64?: boolean
  /** No `sha256sum` applet (transfers cannot verify remotely). */
  noSha256sum?: boolean
  /** No shell and no applets at all (a distroless image): exec of /bin/sh fails like a kubelet. */
  noSh?: boolean
  /** The host's /usr/bin/python3 and its libraries are present (for real Ansible). */
  python3?: boolean
  /** Root filesystem is read-only (securityContext.readOnlyRootFilesystem); /tmp stays writable. */
  readOnlyRoot?: boolean
  /** Commands run as uid/gid 1000 (`app`, HOME=/home/app) instead of root. */
  nonRoot?: boolean
}

export interface ContainerSpec extends ImageVariant {
  name: string
  image?: string
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown'

export interface PodSpec extends ImageVariant {
  name: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** Container names or specs; default one container `main`. Variants set here override the pod's. */
  containers?: (string | ContainerSpec)[]
  /** Only Running pods get sandboxes; others are listed but cannot be exec'd into. */
  phase?: PodPhase
}

export interface Faults {
  /** Added to every API request, and a round trip's worth to every exec frame exchange. */
  latencyMs?: number
  /** Per exec stream and direction. */
  bandwidthBytesPerSec?: number
  /** Cut the exec connection (no status frame) once this many stream bytes have passed. */
  dropExecAfterBytes?: number
  /** Hold back the status frame of every exec by this long. */
  delayStatusMs?: number
  /** End every exec by closing the connection without a status frame. */
  closeWithoutStatus?: boolean
}

export interface ClusterOptions {
  pods?: PodSpec[]
  latencyMs?: number
  bandwidthBytesPerSec?: number
  /** Bearer token clients must send; random by default. */
  token?: string
  /** Plain HTTP instead of HTTPS (debugging). */
  http?: boolean
  /** Port to listen on (127.0.0.1); 0 = a free one. */
  port?: number
  /** Directory for the cluster's files; a fresh temp dir by default (removed on stop()). */
  dir?: string
}
