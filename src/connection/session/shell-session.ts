// One long-lived shell in the pod (or any `sh` behind a pipe), speaking the framed protocol of
// bootstrap.ts. It knows nothing of kubectl: it runs over any process with stdin/stdout/stderr,
// which is how the unit tests drive it with a local `sh`. Operations are serialised; a timeout
// sends a kill request through the same session, so the session stays usable afterwards.
import type { Readable, Writable } from 'node:stream'
import { randomBytes } from 'node:crypto'
import { RemoteTimeoutError } from '../connection.js'
import { bootstrapProgram } from './bootstrap.js'
import { MarkerScanner } from './marker-scanner.js'
import { killScript, type PayloadPlan } from './requests.js'
import type { HashAlgorithm } from './checksum.js'

export interface ProcessExit {
  code: number | null
  signal: NodeJS.Signals | null
}

/** The process a session talks through: `kubectl exec -i … -- sh`, or a local `sh` in tests. */
export interface SessionProcess {
  stdin: Writable
  stdout: Readable
  stderr: Readable
  /** Resolves once the process has exited and its output streams are closed. */
  exited: Promise<ProcessExit>
  kill(): void
}

export interface SessionTools {
  /** Exact-length reader for payloads on the session's stdin. */
  reader: 'ddfb' | 'head' | 'dd1' | 'none'
  hash: HashAlgorithm
  cat: 'cat' | 'dd' | 'none'
  stat: boolean
  setsid: boolean
  /** The session's private temp dir in the pod (ansible_remote_tmp, else $TMPDIR or /tmp). */
  tmpDir: string
}

/** The session's process or stream ended: nothing more can be sent through it. */
export class SessionLostError extends Error {
  constructor(
    message: string,
    /** What the transport printed outside any request (kubectl's own error, usually). */
    readonly diagnostics: string,
    readonly exit?: ProcessExit,
    /** The lost request had begun running in the pod (it may have had effects). */
    readonly started = false
  ) {
    super(message)
    this.name = 'SessionLostError'
  }
}

export interface RequestResult {
  rc: number
  stdout: Buffer
  stderr: Buffer
  info: string[]
  /** The request failed before its command ran (the pod printed why on stderr). */
  failed: boolean
}

interface PendingRequest {
  id: number
  stdout: Buffer[]
  stderr: Buffer[]
  info: string[]
  failed: boolean
  /** The pod acknowledged the request (its stderr start frame arrived). */
  started: boolean
  rc?: number
  stderrDone: boolean
  sink?: Writable
  resolve(result: RequestResult): void
  reject(error: Error): void
}

export interface StartOptions {
  remoteTmp: string
  readyTimeoutMs: number
  /** Bytes of kubectl noise kept for diagnostics. */
  diagnosticsLimit?: number
}

const DIAGNOSTICS_LIMIT = 16 * 1024

export class ShellSession {
  private readonly marker = `#KA${randomBytes(16).toString('hex')}#`
  private readonly pending = new Map<number, PendingRequest>()
  private readonly noise: Buffer[] = []
  private noiseBytes = 0
  private stdoutOwner?: PendingRequest
  private stderrOwner?: PendingRequest
  private nextId = 1
  private queue: Promise<unknown> = Promise.resolve()
  private lost?: SessionLostError
  private ready?: { resolve(tools: SessionTools): void; reject(error: Error): void }
  private killWaiters = new Map<number, () => void>()
  tools!: SessionTools

  private constructor(private readonly process: SessionProcess) {}

  static async start(process: SessionProcess, options: StartOptions): Promise<ShellSession> {
    const session = new ShellSession(process)
    await session.boot(options)
    return session
  }

  get alive(): boolean {
    return this.lost === undefined
  }

  /** Stop the session: end its stdin so the loop exits, and make sure the process goes. */
  async close(): Promise<void> {
    if (!this.lost) this.fail(new SessionLostError('session closed', ''))
    this.process.stdin.end()
    const timer = setTimeout(() => this.process.kill(), 2000)
    await this.process.exited
    clearTimeout(timer)
  }

  /** Forcefully end the session (a wedged command, a broken stream). */
  destroy(reason: string): void {
    this.fail(new SessionLostError(reason, this.diagnostics()))
    this.process.kill()
  }

  diagnostics(): string {
    return Buffer.concat(this.noise).toString('utf8').trim()
  }

  /** Run one request; `payload` bytes and the `trailer` line follow the request on stdin. */
  request(
    build: (id: number) => string,
    options: {
      payload?: AsyncIterable<Buffer>
      trailer?: () => string
      sink?: Writable
      timeoutMs?: number
    } = {}
  ): Promise<RequestResult> {
    const run = this.queue.then(() => this.runRequest(build, options))
    this.queue = run.catch(() => undefined)
    return run
  }

  payloadPlan(size: number): PayloadPlan['kind'] | 'side' {
    const { reader } = this.tools
    if (reader === 'ddfb' || reader === 'head') return 'stream'
    if (reader === 'dd1' && size <= 1024 * 1024) return 'stream'
    if (size <= 64 * 1024) return 'inline'
    return 'side'
  }

  private async runRequest(
    build: (id: number) => string,
    options: {
      payload?: AsyncIterable<Buffer>
      trailer?: () => string
      sink?: Writable
      timeoutMs?: number
    }
  ): Promise<RequestResult> {
    if (this.lost) throw this.lost
    const id = this.nextId++
    const script = build(id)
    if (script.includes(this.marker)) throw new Error('request contains the session marker')
    const done = new Promise<RequestResult>((resolve, reject) => {
      const request: PendingRequest = {
        id,
        stdout: [],
        stderr: [],
        info: [],
        failed: false,
        started: false,
        stderrDone: false,
        sink: options.sink,
        resolve,
        reject
      }
      this.pending.set(id, request)
      this.stdoutOwner = request
    })
    // Keep an unobserved rejection from surfacing before we await it below.
    done.catch(() => undefined)
    await this.write(`${script}\n${this.marker}\n`)
    if (options.payload) {
      for await (const chunk of options.payload) await this.write(chunk)
    }
    if (options.trailer) await this.write(`${options.trailer()}\n`)
    if (options.timeoutMs === undefined || options.timeoutMs <= 0) return done
    return this.withTimeout(done, options.timeoutMs)
  }

  private async withTimeout(
    done: Promise<RequestResult>,
    timeoutMs: number
  ): Promise<RequestResult> {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<'expired'>(resolve => {
      timer = setTimeout(() => resolve('expired'), timeoutMs)
    })
    const first = await Promise.race([done, expired])
    clearTimeout(timer)
    if (first !== 'expired') return first
    const message = `command timed out after ${timeoutMs / 1000} seconds; its remote processes were killed`
    const killed = await this.killRunning(done)
    if (!killed) {
      this.destroy('command did not stop after its timeout')
      throw new RemoteTimeoutError(`${message} by ending the session`)
    }
    throw new RemoteTimeoutError(message)
  }

  /** Ask the loop to kill the running command's process tree; true once its end frame came. */
  private async killRunning(done: Promise<RequestResult>): Promise<boolean> {
    const id = this.nextId++
    const acknowledged = new Promise<void>(resolve => this.killWaiters.set(id, resolve))
    try {
      await this.write(`${killScript(id)}\n${this.marker}\n`)
    } catch {
      return false
    }
    const graceMs = 15_000
    let timer: NodeJS.Timeout | undefined
    const gaveUp = new Promise<false>(resolve => {
      timer = setTimeout(() => resolve(false), graceMs)
    })
    const finished = Promise.all([acknowledged, done]).then(
      () => true,
      () => false
    )
    const outcome = await Promise.race([finished, gaveUp])
    clearTimeout(timer)
    return outcome
  }

  private async boot(options: StartOptions): Promise<void> {
    const { stdout, stderr, stdin } = this.process
    const outScanner = new MarkerScanner(
      this.marker,
      chunk => this.onStdoutData(chunk),
      token => this.onStdoutFrame(token)
    )
    const errScanner = new MarkerScanner(
      this.marker,
      chunk => this.onStderrData(chunk),
      token => this.onStderrFrame(token)
    )
    stdout.on('data', (chunk: Buffer) => outScanner.push(chunk))
    stderr.on('data', (chunk: Buffer) => errScanner.push(chunk))
    stdin.on('error', () => undefined)
    // The reason a session ends is on stderr (kubectl's message): fail only once both output
    // streams are closed or the process is gone, so the diagnostics are complete.
    let openStreams = 2
    const streamEnded = () => {
      if (--openStreams > 0) return
      // The exit status usually follows the streams closely; it makes a better diagnostic.
      const timer = setTimeout(
        () => this.fail(new SessionLostError('session ended', this.diagnostics())),
        1000
      )
      void this.process.exited.then(() => clearTimeout(timer))
    }
    stdout.on('end', streamEnded)
    stderr.on('end', streamEnded)
    void this.process.exited.then(exit =>
      this.fail(new SessionLostError('session process exited', this.diagnostics(), exit))
    )
    const ready = new Promise<SessionTools>((resolve, reject) => {
      this.ready = { resolve, reject }
    })
    ready.catch(() => undefined)
    const timer = setTimeout(() => {
      this.destroy(`no answer from the shell within ${options.readyTimeoutMs / 1000} seconds`)
    }, options.readyTimeoutMs)
    try {
      await this.write(
        bootstrapProgram(this.marker, options.remoteTmp, randomBytes(8).toString('hex'))
      )
      this.tools = await ready
    } finally {
      clearTimeout(timer)
    }
  }

  private write(data: string | Buffer): Promise<void> {
    if (this.lost) return Promise.reject(this.lost)
    const { stdin } = this.process
    if (stdin.write(data)) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        cleanup()
        resolve()
      }
      const onLost = (error: Error) => {
        cleanup()
        reject(error)
      }
      const cleanup = () => {
        stdin.off('drain', onDrain)
        this.lostListeners.delete(onLost)
      }
      stdin.on('drain', onDrain)
      this.lostListeners.add(onLost)
    })
  }

  private readonly lostListeners = new Set<(error: Error) => void>()

  private fail(error: SessionLostError): void {
    if (this.lost) return
    this.lost = error
    this.ready?.reject(error)
    for (const request of this.pending.values()) {
      const lost = new SessionLostError(
        error.message,
        error.diagnostics,
        error.exit,
        request.started
      )
      // The caller learns of the loss through the rejection; the sink is just closed.
      request.sink?.destroy()
      request.reject(lost)
    }
    this.pending.clear()
    for (const listener of this.lostListeners) listener(error)
    this.lostListeners.clear()
    for (const waiter of this.killWaiters.values()) waiter()
    this.killWaiters.clear()
  }

  private onStdoutData(chunk: Buffer): void {
    const owner = this.stdoutOwner
    if (!owner || !this.pending.has(owner.id)) {
      this.addNoise(chunk)
      return
    }
    if (!owner.sink) {
      owner.stdout.push(Buffer.from(chunk))
      return
    }
    if (owner.sink.destroyed) return
    // Backpressure: a slow local disk pauses the pod's output instead of filling memory.
    if (!owner.sink.write(chunk)) {
      this.process.stdout.pause()
      owner.sink.once('drain', () => this.process.stdout.resume())
    }
  }

  private onStderrData(chunk: Buffer): void {
    const owner = this.stderrOwner
    if (owner && this.pending.has(owner.id)) owner.stderr.push(Buffer.from(chunk))
    else this.addNoise(chunk)
  }

  private addNoise(chunk: Buffer): void {
    this.noise.push(Buffer.from(chunk))
    this.noiseBytes += chunk.length
    while (this.noiseBytes > DIAGNOSTICS_LIMIT && this.noise.length > 1) {
      this.noiseBytes -= this.noise.shift()!.length
    }
  }

  private onStdoutFrame(token: string): void {
    const kind = token[0]
    if (kind === 'R') {
      this.ready?.resolve(parseTools(token))
      this.ready = undefined
      return
    }
    const match = /^([EIXK])(\d+)(?: (.*))?$/s.exec(token)
    if (!match) return
    const id = Number(match[2])
    if (kind === 'K') {
      this.killWaiters.get(id)?.()
      this.killWaiters.delete(id)
      return
    }
    const request = this.pending.get(id)
    if (!request) return
    if (kind === 'I') request.info.push(match[3] ?? '')
    else if (kind === 'X') request.failed = true
    else {
      request.rc = Number(match[3])
      this.settleIfDone(request)
    }
  }

  private onStderrFrame(token: string): void {
    const match = /^([SE])(\d+)$/.exec(token)
    if (!match) return
    const request = this.pending.get(Number(match[2]))
    if (!request) return
    if (match[1] === 'S') {
      request.started = true
      this.stderrOwner = request
    } else {
      request.stderrDone = true
      if (this.stderrOwner === request) this.stderrOwner = undefined
      this.settleIfDone(request)
    }
  }

  private settleIfDone(request: PendingRequest): void {
    if (request.rc === undefined || !request.stderrDone) return
    this.pending.delete(request.id)
    if (this.stdoutOwner === request) this.stdoutOwner = undefined
    const result: RequestResult = {
      rc: request.rc,
      stdout: Buffer.concat(request.stdout),
      stderr: Buffer.concat(request.stderr),
      info: request.info,
      failed: request.failed
    }
    if (!request.sink) {
      request.resolve(result)
      return
    }
    request.sink.end(() => request.resolve(result))
  }
}

function parseTools(token: string): SessionTools {
  const [, reader, hash, cat, stat, setsid, ...tmp] = token.split(' ')
  return {
    reader: reader as SessionTools['reader'],
    hash: hash as HashAlgorithm,
    cat: cat as SessionTools['cat'],
    stat: stat === '1',
    setsid: setsid === 'setsid',
    tmpDir: tmp.join(' ')
  }
}
