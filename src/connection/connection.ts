// The contract between modules (which run on the runner) and the pod. Modules never start
// processes themselves: every remote effect goes through one of these primitives, so the
// transport can batch them over one long-lived `kubectl exec` session per host.

export interface ExecOptions {
  /** Bytes fed to the command's own stdin (never the session's stdin). */
  stdin?: string | Buffer
  /** Kill the remote process group and fail after this many milliseconds. */
  timeoutMs?: number
  /** Extra environment for this command only. */
  env?: Record<string, string>
  /** Working directory for this command only. */
  cwd?: string
  /** Shell to run the command with (ansible_shell_executable); default `/bin/sh`. */
  executable?: string
  /** Safe to re-run after a dropped session (read-only probes). Default false. */
  idempotent?: boolean
}

export interface ExecResult {
  rc: number
  /** stdout decoded as UTF-8 (invalid sequences replaced). */
  stdout: string
  stderr: string
  /** The exact stdout bytes, for binary-safe consumers. */
  stdoutBytes: Buffer
}

export interface PutOptions {
  /** Octal permission string applied before the atomic rename, e.g. '0644'. */
  mode?: string
}

export interface TransferResult {
  size: number
  /** Hex sha256 of the bytes transferred (verified on the remote side when it can). */
  sha256: string
}

export type RemoteFileType = 'file' | 'directory' | 'link' | 'other'

export interface RemoteStat {
  exists: boolean
  type?: RemoteFileType
  /** Four-digit octal permission bits, e.g. '0644'. */
  mode?: string
  size?: number
  uid?: number
  gid?: number
  owner?: string
  group?: string
  mtime?: number
  atime?: number
  ctime?: number
  /** Link target, for links (lstat semantics unless follow was asked). */
  linkTarget?: string
}

/** Primitive remote operations of one host. Implementations: kubectl (pods) and local. */
export interface Connection {
  readonly kind: 'kubectl' | 'local'
  /** Run `cmd` with `sh -c` semantics. A non-zero rc is a result, not an exception. */
  exec(cmd: string, options?: ExecOptions): Promise<ExecResult>
  /** Write a local file (path) or bytes (Buffer) to `remotePath` atomically, verified. */
  put(source: string | Buffer, remotePath: string, options?: PutOptions): Promise<TransferResult>
  /** Copy `remotePath` to `localPath` (written atomically, verified). */
  fetch(remotePath: string, localPath: string): Promise<TransferResult>
  /** Read a whole remote file into memory (small files: lineinfile, slurp, …). null if missing. */
  read(remotePath: string): Promise<Buffer | null>
  stat(remotePath: string, options?: { follow?: boolean }): Promise<RemoteStat>
  close(): Promise<void>
}

/**
 * The host cannot be reached (pod gone, exec refused, auth/TLS failure, session lost and not
 * safely retryable). The executor turns it into an `unreachable` result for that host.
 */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnreachableError'
  }
}

/** A command or transfer ran past its timeout; the remote process was killed. */
export class RemoteTimeoutError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RemoteTimeoutError'
  }
}
