// `ansible_connection=kubectl`: one long-lived `kubectl exec -i POD [-c C] -- sh` per host,
// carrying every operation of the play through the framed session. Around the session: start
// it lazily, classify why it failed (unreachable / transient / no shell), reconnect once for
// operations that are safe to repeat, retry a transfer that arrived damaged, fall back to one
// session per operation when sessions keep dropping, and to plain argv execs when the pod has
// no shell at all.
import type {
  Connection,
  ExecOptions,
  ExecResult,
  PutOptions,
  RemoteStat,
  TransferResult
} from '../connection.js'
import { RemoteTimeoutError, UnreachableError } from '../connection.js'
import {
  sessionExec,
  sessionFetch,
  sessionPut,
  sessionRead,
  sessionStat,
  TransferVerificationError,
  type SideChannel
} from '../session/operations.js'
import { SessionLostError, ShellSession } from '../session/shell-session.js'
import type { KubectlAccess } from './access.js'
import { classifyKubectlError, kubectlMessage, remoteExitCode } from './errors.js'
import { splitSimpleCommand } from './no-shell.js'
import { runKubectlCommand, startKubectl, type KubectlInvocation } from './process.js'
import type { KubectlTarget } from './settings.js'

export interface KubectlConnectionOptions {
  target: KubectlTarget
  /** Credentials and global flags, prepared once per connection on first use. */
  access: () => Promise<KubectlAccess>
  invocation: Omit<KubectlInvocation, 'globalArgs'>
  defaultTimeoutMs?: number
  /** How long a new session may take to answer (API round trips + shell start). */
  readyTimeoutMs?: number
  /** Waits between reconnect attempts after transient failures. */
  retryDelaysMs?: number[]
}

/** The container has no shell: only plain argv commands can run. */
class NoShellError extends Error {}

const SESSION_DROPS_BEFORE_PER_OPERATION = 3
const DEFAULT_RETRY_DELAYS_MS = [250, 750, 1500, 3000]

export class KubectlConnection implements Connection {
  readonly kind = 'kubectl' as const
  private session?: ShellSession
  private starting?: Promise<ShellSession>
  private accessReady?: Promise<KubectlAccess>
  private noShell = false
  private everConnected = false
  private sessionDrops = 0
  private closed = false

  constructor(private readonly options: KubectlConnectionOptions) {}

  /** Where the pod is, for messages: `namespace/pod[:container]`. */
  get address(): string {
    const { target } = this.options
    const container = target.container ? `:${target.container}` : ''
    return `${target.namespace ? `${target.namespace}/` : ''}${target.pod}${container}`
  }

  async exec(cmd: string, options: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs
    if (this.noShell) return this.execWithoutShell(cmd, { ...options, timeoutMs })
    try {
      return await this.withSession(
        session =>
          sessionExec(session, cmd, {
            ...options,
            timeoutMs,
            defaultExecutable: this.options.target.shellExecutable,
            sideChannel: this.sideChannel()
          }),
        options.idempotent ?? false
      )
    } catch (error) {
      if (error instanceof NoShellError)
        return this.execWithoutShell(cmd, { ...options, timeoutMs })
      throw error
    }
  }

  async put(
    source: string | Buffer,
    remotePath: string,
    options: PutOptions = {}
  ): Promise<TransferResult> {
    const sinks: string[] = []
    return this.withSession(
      session =>
        sessionPut(session, source, remotePath, {
          mode: options.mode,
          sideChannel: this.sideChannel(),
          staleSinks: [...sinks],
          onSink: sink => sinks.push(sink)
        }),
      true
    )
  }

  fetch(remotePath: string, localPath: string): Promise<TransferResult> {
    return this.withSession(session => sessionFetch(session, remotePath, localPath), true)
  }

  read(remotePath: string): Promise<Buffer | null> {
    return this.withSession(session => sessionRead(session, remotePath), true)
  }

  stat(remotePath: string, options: { follow?: boolean } = {}): Promise<RemoteStat> {
    return this.withSession(
      session => sessionStat(session, remotePath, options.follow ?? false),
      true
    )
  }

  async close(): Promise<void> {
    this.closed = true
    const session = this.session ?? (await this.starting?.catch(() => undefined))
    this.session = undefined
    await session?.close()
    const access = await this.accessReady?.catch(() => undefined)
    await access?.dispose()
  }

  private invocation(access: KubectlAccess): KubectlInvocation {
    return {
      ...this.options.invocation,
      globalArgs: [...access.args, ...this.options.target.extraArgs]
    }
  }

  private async getAccess(): Promise<KubectlAccess> {
    this.accessReady ??= this.options.access()
    return this.accessReady
  }

  private execArgs(command: string[]): string[] {
    const { target } = this.options
    return [
      'exec',
      '-i',
      target.pod,
      ...(target.container ? ['-c', target.container] : []),
      '--',
      ...command
    ]
  }

  /**
   * Run `operation` on a live session. A session lost mid-operation is rebuilt and the
   * operation repeated once when it is safe to repeat; a damaged transfer is repeated once.
   */
  private async withSession<T>(
    operation: (session: ShellSession) => Promise<T>,
    idempotent: boolean
  ): Promise<T> {
    let retriedLoss = false
    let retriedTransfer = false
    for (;;) {
      const session = await this.ensureSession()
      try {
        return await operation(session)
      } catch (error) {
        if (error instanceof TransferVerificationError && !retriedTransfer) {
          retriedTransfer = true
          continue
        }
        if (!(error instanceof SessionLostError)) throw error
        this.forgetSession(session)
        // A request the pod never acknowledged did not run: repeating it is always safe.
        const safe = idempotent || !error.started
        if (classifyKubectlError(error.diagnostics) === 'unreachable' || !safe || retriedLoss) {
          throw new UnreachableError(this.reasonFor(error))
        }
        retriedLoss = true
      } finally {
        // Ended after a timeout too: the kill already went through this operation's session.
        if (this.sessionDrops >= SESSION_DROPS_BEFORE_PER_OPERATION && session.alive) {
          await this.endSession(session)
        }
      }
    }
  }

  private reasonFor(error: SessionLostError): string {
    const message = kubectlMessage(error.diagnostics)
    const exit =
      error.exit?.code !== undefined && error.exit.code !== null
        ? ` (kubectl exit ${error.exit.code})`
        : ''
    return `lost the kubectl exec session to pod ${this.address}: ${message || error.message}${exit}`
  }

  private forgetSession(session: ShellSession): void {
    if (this.session === session) this.session = undefined
  }

  private async endSession(session: ShellSession): Promise<void> {
    this.forgetSession(session)
    await session.close()
  }

  private ensureSession(): Promise<ShellSession> {
    if (this.closed) return Promise.reject(new Error(`connection to ${this.address} is closed`))
    if (this.session?.alive) return Promise.resolve(this.session)
    if (this.session) {
      // It died between operations (API restart, idle timeout, pod gone).
      this.session = undefined
      this.sessionDrops++
    }
    this.starting ??= this.startSession().finally(() => {
      this.starting = undefined
    })
    return this.starting
  }

  private async startSession(): Promise<ShellSession> {
    const access = await this.getAccess()
    const { target } = this.options
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
    // `sh` from the pod's PATH unless a shell was named; commands still run via /bin/sh -c.
    const shell = target.shellExecutable === '/bin/sh' ? 'sh' : target.shellExecutable
    for (let attempt = 0; ; attempt++) {
      const process = startKubectl(this.invocation(access), this.execArgs([shell]))
      try {
        const session = await ShellSession.start(process, {
          remoteTmp: target.remoteTmp,
          readyTimeoutMs: this.options.readyTimeoutMs ?? 60_000
        })
        this.session = session
        this.everConnected = true
        return session
      } catch (error) {
        if (!(error instanceof SessionLostError)) throw error
        process.kill()
        const kind = classifyKubectlError(error.diagnostics)
        if (kind === 'no-shell') {
          this.noShell = true
          throw new NoShellError(kubectlMessage(error.diagnostics))
        }
        // After the pod was reachable once, "refused" is most likely an API server restart.
        const worthRetry =
          kind === 'transient' ||
          (this.everConnected && /refused|reset|EOF/i.test(error.diagnostics))
        if (!worthRetry || attempt >= delays.length) {
          throw new UnreachableError(
            `cannot open a kubectl exec session to pod ${this.address}: ${
              kubectlMessage(error.diagnostics) || error.message
            }`
          )
        }
        await new Promise(resolve => setTimeout(resolve, delays[attempt]))
      }
    }
  }

  /** Fills a sink file through a one-off exec, for pods that cannot take a payload in-band. */
  private sideChannel(): SideChannel {
    return async (sink, payload) => {
      const access = await this.getAccess()
      const script = 'umask 077; set -C; cat > "$1"'
      const output = await runKubectlCommand(
        this.invocation(access),
        this.execArgs([this.options.target.shellExecutable, '-c', script, 'sh', sink]),
        payload
      )
      if (output.code !== 0) {
        const message = kubectlMessage(output.stderr)
        if (classifyKubectlError(output.stderr) === 'unreachable') {
          throw new UnreachableError(`pod ${this.address}: ${message}`)
        }
        throw new Error(`could not write ${sink} in pod ${this.address}: ${message}`)
      }
    }
  }

  /**
   * A plain argv exec. Its timeout can only stop the local kubectl: the exec protocol has no
   * signal channel, Kubernetes leaves an exec'd process running when its stream goes away, and
   * without a shell in the pod there is nothing to send a kill from (the session path kills
   * from its own shell). The message says so.
   */
  private async execWithoutShell(cmd: string, options: ExecOptions): Promise<ExecResult> {
    if (options.env && Object.keys(options.env).length > 0) {
      throw new Error(`pod ${this.address} has no shell, so it cannot set environment variables`)
    }
    if (options.cwd)
      throw new Error(`pod ${this.address} has no shell, so it cannot change directory`)
    const argv = splitSimpleCommand(cmd)
    const access = await this.getAccess()
    const output = await runKubectlCommand(
      this.invocation(access),
      this.execArgs(argv),
      options.stdin === undefined ? undefined : Buffer.from(options.stdin),
      options.timeoutMs
    )
    if (output.timedOut) {
      throw new RemoteTimeoutError(
        `command timed out after ${(options.timeoutMs ?? 0) / 1000} seconds; pod ${this.address} has no shell to kill it with, so it may still run`
      )
    }
    const rc = remoteExitCode(output.stderr)
    const stderr = output.stderr.replace(/command terminated with exit code \d+\n?/, '')
    if (rc === undefined && output.code !== 0) {
      const kind = classifyKubectlError(output.stderr)
      if (kind === 'unreachable') {
        throw new UnreachableError(`pod ${this.address}: ${kubectlMessage(output.stderr)}`)
      }
      // The runtime could not start the program (e.g. not found): a command failure, like sh's 127.
      return result(kind === 'no-shell' ? 127 : output.code, output.stdout, stderr)
    }
    return result(rc ?? 0, output.stdout, stderr)
  }
}

function result(rc: number, stdout: Buffer, stderr: string): ExecResult {
  return { rc, stdout: stdout.toString('utf8'), stderr, stdoutBytes: stdout }
}
