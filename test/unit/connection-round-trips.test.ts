// Round trips per operation, counted rather than timed: everything an operation sends (request,
// payload, checksum trailer) must leave before the first byte of its answer arrives. Waiting for
// an acknowledgement between pieces would cost one more network round trip per piece.
import { spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ShellSession } from '../../src/connection/session/shell-session.js'
import {
  sessionExec,
  sessionFetch,
  sessionPut,
  sessionStat,
  TransferVerificationError
} from '../../src/connection/session/operations.js'

let dir: string
let session: ShellSession
/** Bytes the shell has answered so far, and, per write to it, how many had been answered then. */
const wire = { answered: 0, writes: [] as number[] }

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'conn-round-trips-'))
  session = await countingSession()
})

async function countingSession(env: NodeJS.ProcessEnv = process.env): Promise<ShellSession> {
  const child = spawn('dash', [], { stdio: ['pipe', 'pipe', 'pipe'], env })
  child.stdout.on('data', (chunk: Buffer) => (wire.answered += chunk.length))
  const stdin = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      wire.writes.push(wire.answered)
      if (child.stdin.write(chunk)) done()
      else child.stdin.once('drain', () => done())
    },
    final(done) {
      child.stdin.end(done)
    }
  })
  return ShellSession.start(
    {
      stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited: new Promise(resolve =>
        child.on('close', (code, signal) => resolve({ code, signal }))
      ),
      kill: () => child.kill('SIGKILL')
    },
    { remoteTmp: path.join(dir, 'rtmp'), readyTimeoutMs: 10_000 }
  )
}

afterAll(async () => {
  await session?.close()
  await rm(dir, { recursive: true, force: true })
})

/** Sending bursts of the operation: a new burst starts whenever an answer came in between. */
async function roundTrips(operation: () => Promise<unknown>): Promise<number> {
  wire.writes = []
  const before = wire.answered
  await operation()
  expect(wire.answered).toBeGreaterThan(before)
  return new Set(wire.writes).size
}

const sh = { defaultExecutable: '/bin/sh' }

describe('one round trip per operation', () => {
  it('exec, with and without stdin, env and cwd', async () => {
    expect(await roundTrips(() => sessionExec(session, 'echo hi', sh))).toBe(1)
    expect(
      await roundTrips(() =>
        sessionExec(session, 'cat; echo "$A"', {
          ...sh,
          stdin: 'x'.repeat(200_000),
          env: { A: 'a' },
          cwd: dir
        })
      )
    ).toBe(1)
  })

  it('put of a small buffer and of a streamed 4 MiB file, checksum trailer included', async () => {
    expect(
      await roundTrips(() => sessionPut(session, Buffer.from('abc'), path.join(dir, 'small')))
    ).toBe(1)
    const big = path.join(dir, 'big.bin')
    await writeFile(big, Buffer.alloc(4 << 20, 7))
    expect(await roundTrips(() => sessionPut(session, big, path.join(dir, 'big.copy')))).toBe(1)
  })

  it('fetch and stat', async () => {
    expect(
      await roundTrips(() =>
        sessionFetch(session, path.join(dir, 'big.copy'), path.join(dir, 'back'))
      )
    ).toBe(1)
    expect(await roundTrips(() => sessionStat(session, dir, true))).toBe(1)
  })
})

describe('hashes computed in the pod while the bytes flow', () => {
  it('are still compared: a pod whose sha256sum lies fails put and fetch', async () => {
    const bin = path.join(dir, 'lying-bin')
    await mkdir(bin, { recursive: true })
    await writeFile(path.join(bin, 'sha256sum'), '#!/bin/sh\ncat >/dev/null\necho 0000 -\n')
    await chmod(path.join(bin, 'sha256sum'), 0o755)
    const lying = await countingSession({ ...process.env, PATH: `${bin}:${process.env.PATH}` })
    try {
      await expect(sessionPut(lying, Buffer.from('abc'), path.join(dir, 'lied'))).rejects.toThrow(
        TransferVerificationError
      )
      await expect(
        sessionFetch(lying, path.join(dir, 'small'), path.join(dir, 'lied-back'))
      ).rejects.toThrow(TransferVerificationError)
    } finally {
      await lying.close()
    }
  })
})
