// The Connection primitives on top of a ShellSession: exec with per-command stdin/env/cwd and
// timeout, verified atomic put, verified fetch, read and stat. Transport-neutral: the kubectl
// connection adds process management, retries and error classification around these.
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { ExecOptions, ExecResult, RemoteStat, TransferResult } from '../connection.js'
import { createStreamHasher, type StreamHasher } from './checksum.js'
import { execScript, fetchScript, putScript, statScript, type PayloadPlan } from './requests.js'
import type { ShellSession } from './shell-session.js'
import { parseStatOutput } from './stat-output.js'

/** A transfer arrived damaged or incomplete; safe to retry (the destination is untouched). */
export class TransferVerificationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TransferVerificationError'
  }
}

/** Writes a payload into a file in the pod through another channel (one-off `cat >` exec). */
export type SideChannel = (sinkPath: string, payload: AsyncIterable<Buffer>) => Promise<void>

export interface Payload {
  size: number
  chunks(): AsyncIterable<Buffer>
}

export async function payloadOf(source: string | Buffer): Promise<Payload> {
  if (Buffer.isBuffer(source)) {
    return {
      size: source.length,
      chunks: async function* () {
        if (source.length > 0) yield source
      }
    }
  }
  const info = await stat(source)
  if (!info.isFile()) throw new Error(`${source} is not a regular file`)
  return {
    size: info.size,
    chunks: () => createReadStream(source, { highWaterMark: 256 * 1024 })
  }
}

/**
 * Exactly `size` bytes, whatever the source does meanwhile: a remote exact-length reader must
 * get the count it was promised or the session desynchronises. A source that grew or shrank
 * is reported through `state.changed` and the transfer is then refused.
 */
async function* exactly(
  size: number,
  chunks: AsyncIterable<Buffer>,
  hashers: StreamHasher[],
  state: { changed: boolean }
): AsyncIterable<Buffer> {
  let sent = 0
  for await (const chunk of chunks) {
    const part = chunk.subarray(0, Math.max(0, size - sent))
    if (part.length < chunk.length) state.changed = true
    if (part.length === 0) continue
    for (const hasher of hashers) hasher.update(part)
    sent += part.length
    yield part
  }
  if (sent < size) {
    state.changed = true
    yield Buffer.alloc(size - sent)
  }
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

function randomName(prefix: string): string {
  return `${prefix}${randomBytes(8).toString('hex')}`
}

function stderrText(result: { stderr: Buffer }): string {
  return result.stderr.toString('utf8').trim()
}

export interface SessionExecOptions extends ExecOptions {
  defaultExecutable: string
  sideChannel?: SideChannel
}

export async function sessionExec(
  session: ShellSession,
  cmd: string,
  options: SessionExecOptions
): Promise<ExecResult> {
  const stdin = options.stdin === undefined ? undefined : Buffer.from(options.stdin)
  let plan: PayloadPlan = { kind: 'none' }
  let sink: string | undefined
  let payload: AsyncIterable<Buffer> | undefined
  if (stdin && stdin.length > 0) {
    sink = `${session.tools.tmpDir}/${randomName('.ka-in-')}`
    const kind = session.payloadPlan(stdin.length)
    if (kind === 'stream') {
      plan = { kind, size: stdin.length }
      payload = (async function* () {
        yield stdin
      })()
    } else if (kind === 'inline') {
      plan = { kind, data: stdin }
    } else {
      if (!options.sideChannel) throw new Error('the pod has no way to receive this much stdin')
      await options.sideChannel(
        sink,
        (async function* () {
          yield stdin
        })()
      )
      plan = { kind: 'side' }
    }
  }
  const result = await session.request(
    id =>
      execScript({
        id,
        executable: options.executable ?? options.defaultExecutable,
        command: cmd,
        cwd: options.cwd,
        env: options.env,
        stdinSink: sink,
        stdin: plan
      }),
    { payload, timeoutMs: options.timeoutMs }
  )
  if (result.failed) throw new Error(`could not pass stdin to the command: ${stderrText(result)}`)
  return {
    rc: result.rc,
    stdout: result.stdout.toString('utf8'),
    stderr: result.stderr.toString('utf8'),
    stdoutBytes: result.stdout
  }
}

export interface SessionPutOptions {
  mode?: string
  sideChannel?: SideChannel
  /** Sink files of an earlier attempt that may have survived a dropped stream. */
  staleSinks?: string[]
  /** Receives the sink path before any byte is sent, so a retry can clean it up. */
  onSink?: (sink: string) => void
}

export async function sessionPut(
  session: ShellSession,
  source: string | Buffer,
  destination: string,
  options: SessionPutOptions = {}
): Promise<TransferResult> {
  const payload = await payloadOf(source)
  const sink = path.posix.join(path.posix.dirname(destination), randomName('.kubectl-ansible-'))
  options.onSink?.(sink)
  const sha256 = createStreamHasher('sha256')
  const check = session.tools.hash === 'sha256' ? sha256 : createStreamHasher(session.tools.hash)
  const hashers = check === sha256 ? [sha256] : [sha256, check]
  const state = { changed: false }
  const bytes = () => exactly(payload.size, payload.chunks(), hashers, state)
  const kind = session.payloadPlan(payload.size)
  let plan: PayloadPlan
  let stream: AsyncIterable<Buffer> | undefined
  if (kind === 'stream') {
    plan = { kind, size: payload.size }
    stream = bytes()
  } else if (kind === 'inline') {
    plan = { kind, data: await collect(bytes()) }
  } else {
    if (!options.sideChannel) throw new Error(`the pod has no way to receive ${destination}`)
    await options.sideChannel(sink, bytes())
    plan = { kind: 'side' }
  }
  const result = await session.request(
    id =>
      putScript({
        id,
        sink,
        destination,
        mode: options.mode,
        size: payload.size,
        payload: plan,
        staleSinks: options.staleSinks
      }),
    // A changed source sends a trailer no checksum equals, so the pod discards the sink.
    { payload: stream, trailer: () => (state.changed ? 'source-changed' : check.digest()) }
  )
  if (state.changed) throw new Error(`${String(source)} changed while it was being sent`)
  const message = stderrText(result)
  if (result.rc !== 0) {
    if (/transfer incomplete|checksum mismatch/.test(message)) {
      throw new TransferVerificationError(`put ${destination}: ${message}`)
    }
    throw new Error(`put ${destination}: ${message || `failed with rc ${result.rc}`}`)
  }
  const digest = sha256.digest()
  const [size, remoteHash = ''] = result.stdout.toString('utf8').trim().split(' ')
  if (Number(size) !== payload.size) {
    throw new TransferVerificationError(
      `put ${destination}: ${size} of ${payload.size} bytes arrived`
    )
  }
  if (session.tools.hash === 'sha256' && remoteHash !== digest) {
    throw new TransferVerificationError(`put ${destination}: checksum mismatch`)
  }
  return { size: payload.size, sha256: digest }
}

/**
 * A Writable that hashes what passes and writes it to a file; end() waits for the disk. A
 * local write error does not stall the pod's stream: later bytes are discarded and the error
 * is reported once the request is over.
 */
function hashingFileSink(
  file: string,
  hashers: StreamHasher[]
): { sink: Writable; failure: () => Error | undefined } {
  let failure: Error | undefined
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 })
  out.on('error', error => {
    failure ??= error
  })
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, done) {
      for (const hasher of hashers) hasher.update(chunk)
      if (failure || out.write(chunk)) {
        done()
        return
      }
      const resume = () => {
        out.off('drain', resume)
        out.off('error', resume)
        done()
      }
      out.on('drain', resume)
      out.on('error', resume)
    },
    final(done) {
      if (failure) done()
      else out.end(() => done())
    },
    destroy(error, done) {
      out.destroy()
      done(error)
    }
  })
  sink.on('error', () => undefined)
  return { sink, failure: () => failure }
}

interface FetchedInfo {
  size: number
  hash: string
}

function fetchInfo(remotePath: string, result: { info: string[] }): FetchedInfo | 'missing' {
  // The size comes before the bytes; the hash after them (the pod computes it alongside).
  const [size, hashLine] = result.info
  if (size === 'missing') return 'missing'
  if (size === undefined || !/^\d+$/.test(size)) {
    throw new Error(`fetch ${remotePath}: the pod sent no size for the file`)
  }
  return { size: Number(size), hash: hashLine?.replace(/^hash ?/, '') ?? '' }
}

function verifyFetched(
  remotePath: string,
  expected: FetchedInfo,
  size: number,
  checkDigest: string
): void {
  if (size !== expected.size) {
    throw new TransferVerificationError(
      `fetch ${remotePath}: ${size} of ${expected.size} bytes arrived`
    )
  }
  if (expected.hash !== '' && checkDigest !== expected.hash) {
    throw new TransferVerificationError(
      `fetch ${remotePath}: checksum mismatch (the file may have changed during the transfer)`
    )
  }
}

export async function sessionFetch(
  session: ShellSession,
  remotePath: string,
  localPath: string
): Promise<TransferResult> {
  const partial = path.join(
    path.dirname(localPath),
    `.${path.basename(localPath)}.${randomBytes(6).toString('hex')}.part`
  )
  const sha256 = createStreamHasher('sha256')
  const check = session.tools.hash === 'sha256' ? sha256 : createStreamHasher(session.tools.hash)
  let size = 0
  const counter: StreamHasher = { update: chunk => void (size += chunk.length), digest: () => '' }
  const hashers = check === sha256 ? [sha256, counter] : [sha256, check, counter]
  const local = hashingFileSink(partial, hashers)
  try {
    const result = await session.request(id => fetchScript(id, remotePath), { sink: local.sink })
    const failure = local.failure()
    if (failure)
      throw new Error(`fetch ${remotePath}: cannot write ${localPath}: ${failure.message}`)
    const info = fetchInfo(remotePath, result)
    if (info === 'missing') throw new Error(`fetch ${remotePath}: no such file`)
    if (result.rc !== 0 || result.failed) {
      throw new Error(`fetch ${remotePath}: ${stderrText(result) || `failed with rc ${result.rc}`}`)
    }
    const checkDigest = check.digest()
    verifyFetched(remotePath, info, size, checkDigest)
    await rename(partial, localPath)
    return { size, sha256: check === sha256 ? checkDigest : sha256.digest() }
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
}

export async function sessionRead(
  session: ShellSession,
  remotePath: string
): Promise<Buffer | null> {
  const result = await session.request(id => fetchScript(id, remotePath))
  const info = fetchInfo(remotePath, result)
  if (info === 'missing') return null
  if (result.rc !== 0 || result.failed) {
    throw new Error(`read ${remotePath}: ${stderrText(result) || `failed with rc ${result.rc}`}`)
  }
  const check = createStreamHasher(session.tools.hash)
  check.update(result.stdout)
  verifyFetched(remotePath, info, result.stdout.length, check.digest())
  return result.stdout
}

export async function sessionStat(
  session: ShellSession,
  remotePath: string,
  follow: boolean
): Promise<RemoteStat> {
  const result = await session.request(id => statScript(id, remotePath, follow))
  if (result.rc !== 0) {
    throw new Error(`stat ${remotePath}: ${stderrText(result) || `failed with rc ${result.rc}`}`)
  }
  return parseStatOutput(result.stdout.toString('utf8'))
}
