// One `pods/exec` over WebSocket, as the kubelet serves it through the API server:
// frames are [channel, ...bytes]; 0 stdin, 1 stdout, 2 stderr, 3 status (metav1.Status JSON),
// 4 resize, 255 close (v5: the client half-closes stdin with [255, 0]).
// The process is not killed when the client goes away — Kubernetes does not either.
import type { ChildProcess } from 'node:child_process'
import { constants } from 'node:os'
import type { WebSocket } from 'ws'
import { PacedQueue } from './pacing.js'
import type { Sandbox } from './sandbox.js'
import { execExitCode, execSuccess, internalError, type Status } from './status.js'
import type { Faults } from './types.js'

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io']

/**
 * How long the container runtime takes to report that the command is missing: tens of
 * milliseconds in a real cluster (kubelet, CRI, runc). Answering at once also trips a race in
 * some kubectl versions (seen with 1.33): kubectl reads frames before it has registered its
 * streams and drops the status as "Unknown stream id 3".
 */
const RUNTIME_EXEC_FAILURE_MS = 50

const STDIN = 0
const STDOUT = 1
const STDERR = 2
const STATUS = 3
const CLOSE = 255

export interface ExecRequest {
  argv: string[]
  stdin: boolean
  stdout: boolean
  stderr: boolean
  tty: boolean
}

/** The message containerd + runc give when the command is not in the image. */
function commandNotFound(command: string): Status {
  const why = command.includes('/')
    ? `stat ${command}: no such file or directory`
    : 'executable file not found in $PATH'
  return internalError(
    'error executing command in container: failed to exec in container: failed to start exec: ' +
      `OCI runtime exec failed: exec failed: unable to start container process: exec: "${command}": ${why}: unknown`
  )
}

class ExecStream {
  private readonly outbound: PacedQueue
  private readonly inbound: PacedQueue
  private remote: ChildProcess | undefined
  private bytesSeen = 0
  private dropped = false
  /** Why the client's frames are not being read: the process's stdin is full, the queue long. */
  private readonly inboundHeld = new Set<'stdin' | 'queue'>()

  constructor(
    private readonly ws: WebSocket,
    private readonly faults: () => Faults
  ) {
    this.outbound = new PacedQueue(
      faults,
      frame => ws.send(frame),
      paused => (paused ? this.remote?.stdout?.pause() : this.remote?.stdout?.resume())
    )
    this.inbound = new PacedQueue(
      faults,
      frame => this.writeStdin(frame),
      paused => this.holdInbound('queue', paused)
    )
  }

  start(sandbox: Sandbox, request: ExecRequest): void {
    const command = request.argv[0]
    if (sandbox.resolve(command) === null) {
      setTimeout(() => void this.finish(commandNotFound(command)), RUNTIME_EXEC_FAILURE_MS)
      return
    }
    const remote = sandbox.exec(request.argv, request.tty)
    this.remote = remote
    remote.stdout?.on('data', (chunk: Buffer) => this.send(STDOUT, chunk))
    // With a TTY the kubelet merges stderr into the terminal, i.e. stdout.
    remote.stderr?.on('data', (chunk: Buffer) => this.send(request.tty ? STDOUT : STDERR, chunk))
    remote.stdin?.on('error', () => {
      // The process closed its stdin early (e.g. `head -c`); the rest of the input is discarded.
    })
    if (!request.stdin) remote.stdin?.end()

    this.ws.on('message', (message: Buffer, isBinary: boolean) => {
      // v4 and earlier text frames carry base64; the binary protocols send bytes as they are.
      const frame = isBinary ? message : Buffer.from(message.toString(), 'base64')
      if (frame.length === 0) return
      if (frame[0] === STDIN && request.stdin) {
        if (!this.countAndMaybeDrop(frame.length - 1)) this.inbound.push(frame.subarray(1))
      } else if (frame[0] === CLOSE && frame[1] === STDIN) {
        void this.inbound.flushed().then(() => remote.stdin?.end())
      }
    })
    this.ws.on('close', () => {
      // The client is gone: the process keeps running with stdin at EOF and its output discarded.
      this.outbound.close()
      remote.stdout?.resume()
      void this.inbound.flushed().then(() => remote.stdin?.end())
    })
    remote.on('close', (code, signal) => {
      const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0)
      void this.finish(exitCode === 0 ? execSuccess() : execExitCode(request.argv, exitCode))
    })
  }

  private writeStdin(data: Buffer): void {
    const stdin = this.remote?.stdin
    if (!stdin || stdin.writableEnded) return
    if (!stdin.write(data) && !this.inboundHeld.has('stdin')) {
      this.holdInbound('stdin', true)
      stdin.once('drain', () => this.holdInbound('stdin', false))
    }
  }

  /** TCP-like flow control: a slow reader in the pod slows the client instead of filling memory. */
  private holdInbound(reason: 'stdin' | 'queue', held: boolean): void {
    const wasHeld = this.inboundHeld.size > 0
    if (held) this.inboundHeld.add(reason)
    else this.inboundHeld.delete(reason)
    const isHeld = this.inboundHeld.size > 0
    if (isHeld && !wasHeld) this.ws.pause()
    else if (!isHeld && wasHeld) this.ws.resume()
  }

  private countAndMaybeDrop(length: number): boolean {
    this.bytesSeen += length
    const limit = this.faults().dropExecAfterBytes
    if (!this.dropped && limit !== undefined && this.bytesSeen > limit) {
      this.dropped = true
      this.outbound.close()
      this.inbound.close()
      this.ws.terminate()
      this.remote?.stdin?.end()
    }
    return this.dropped
  }

  private send(channel: number, data: Buffer): void {
    if (this.dropped || this.ws.readyState !== this.ws.OPEN) return
    if (channel !== STATUS && this.countAndMaybeDrop(data.length)) return
    this.outbound.push(Buffer.concat([Buffer.from([channel]), data]))
  }

  private async finish(status: Status): Promise<void> {
    if (this.dropped) return
    await this.outbound.flushed()
    const { delayStatusMs, closeWithoutStatus } = this.faults()
    if (delayStatusMs) await new Promise(resolve => setTimeout(resolve, delayStatusMs))
    if (this.ws.readyState !== this.ws.OPEN) return
    if (!closeWithoutStatus) this.send(STATUS, Buffer.from(JSON.stringify(status)))
    await this.outbound.flushed()
    this.ws.close(1000)
  }
}

export function runExec(
  ws: WebSocket,
  sandbox: Sandbox,
  request: ExecRequest,
  faults: () => Faults
): void {
  ws.on('error', () => {
    // A broken connection also surfaces as 'close', which is where it is handled.
  })
  new ExecStream(ws, faults).start(sandbox, request)
}
