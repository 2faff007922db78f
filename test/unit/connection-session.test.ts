// The session protocol over plain local shells (dash, busybox sh, bash): everything the pod side
// does, minus kubectl. Tool variants are made with dash and a PATH of chosen busybox applets
// (busybox sh itself would find its applets without PATH).
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RemoteTimeoutError } from '../../src/connection/connection.js'
import { bootstrapProgram } from '../../src/connection/session/bootstrap.js'
import {
  ShellSession,
  SessionLostError,
  type SessionProcess
} from '../../src/connection/session/shell-session.js'
import {
  sessionExec,
  sessionFetch,
  sessionPut,
  sessionRead,
  sessionStat,
  TransferVerificationError
} from '../../src/connection/session/operations.js'

let dir: string
const sessions: ShellSession[] = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'conn-session-'))
})
afterEach(async () => {
  await Promise.all(sessions.splice(0).map(session => session.close()))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function localProcess(
  argv: string[],
  env?: Record<string, string>,
  event: 'close' | 'exit' = 'close'
): SessionProcess {
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: env ?? process.env
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve =>
    child.on(event, (code, signal) => resolve({ code, signal }))
  )
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    kill: () => child.kill('SIGKILL')
  }
}

async function open(
  argv: string[],
  env?: Record<string, string>,
  remoteTmp = path.join(dir, 'rtmp')
) {
  const session = await ShellSession.start(localProcess(argv, env), {
    remoteTmp,
    readyTimeoutMs: 10_000
  })
  sessions.push(session)
  return session
}

/** A PATH holding only the given busybox applets, for dash to find. */
async function appletPath(name: string, applets: string[]): Promise<string> {
  const bin = path.join(dir, `bin-${name}`)
  await mkdir(bin, { recursive: true })
  await Promise.all(applets.map(applet => symlink('/usr/bin/busybox', path.join(bin, applet))))
  return bin
}

const sh = { defaultExecutable: '/bin/sh' }
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

describe.each([['dash'], ['busybox', 'sh'], ['bash']])('session over %s', (...argv) => {
  it('gives each command its own rc, stdout, stderr, stdin, env and cwd', async () => {
    const session = await open(argv)
    expect(session.tools).toMatchObject({ reader: 'ddfb', hash: 'sha256', stat: true })
    const first = await sessionExec(session, 'echo out; echo err >&2; exit 3', sh)
    expect(first).toMatchObject({ rc: 3, stdout: 'out\n', stderr: 'err\n' })
    const second = await sessionExec(session, 'cat; echo "$A"; pwd', {
      ...sh,
      stdin: 'line\n',
      env: { A: "it's $(x) `y`" },
      cwd: dir
    })
    expect(second).toMatchObject({ rc: 0, stdout: `line\nit's $(x) \`y\`\n${dir}\n`, stderr: '' })
  })

  it('leaks no state between commands and never lets one read the session stdin', async () => {
    const session = await open(argv)
    await sessionExec(session, `cd '${dir}'; export LEAK=1; LOCAL=1; exit 0`, sh)
    const probe = await sessionExec(
      session,
      'pwd; echo "${LEAK-none} ${LOCAL-none}"; cat; read -r x; echo "read:$x"',
      sh
    )
    expect(probe.stdout).not.toContain(dir)
    expect(probe.stdout).toContain('none none\nread:\n')
    expect((await sessionExec(session, 'echo still here', sh)).stdout).toBe('still here\n')
  })

  it('keeps all output of a command that reopens /dev/stdout or /dev/stderr', async () => {
    const session = await open(argv)
    const result = await sessionExec(
      session,
      'echo a >&2; echo b >/dev/stderr; echo c >&2; echo 1; echo 2 | tee /dev/stdout; echo 3 >/dev/stdout',
      sh
    )
    expect(result).toMatchObject({ rc: 0, stdout: '1\n2\n2\n3\n', stderr: 'a\nb\nc\n' })
  })

  it('keeps what a background process writes after its command ended out of later commands', async () => {
    const session = await open(argv)
    const fifo = path.join(dir, `go-${argv[0]}`)
    const wrote = path.join(dir, `wrote-${argv[0]}`)
    // Released by the next command: had the first one waited for its writer, it never returned.
    const first = await sessionExec(
      session,
      `mkfifo '${fifo}'; (read x <'${fifo}'; echo late; echo late-err >&2; touch '${wrote}') & echo started`,
      sh
    )
    expect(first).toMatchObject({ rc: 0, stdout: 'started\n', stderr: '' })
    const second = await sessionExec(
      session,
      `echo go >'${fifo}'; while [ ! -e '${wrote}' ]; do sleep 0.05; done; echo own; echo err >&2`,
      sh
    )
    expect(second).toMatchObject({ rc: 0, stdout: 'own\n', stderr: 'err\n' })
    const spools = await sessionExec(session, `ls -a '${path.join(dir, 'rtmp')}'`, sh)
    // One set of fifos and spools is left: the late writer's were replaced and removed.
    const names = spools.stdout.split('\n').filter(name => name.startsWith('.ka-'))
    expect(new Set(names.map(name => name.slice(7))).size).toBe(1)
    expect(names).toHaveLength(4)
  })

  it('fails a command whose output the remote tmp dir cannot hold, without killing it', async () => {
    // A full tmp dir, simulated deterministically: the session shell runs under a file size
    // limit (ulimit -f 64, i.e. 32 KiB in dash) with SIGXFSZ ignored, so a relay's writes into
    // its spool file start failing (EFBIG) after 32 KiB, exactly as they fail with ENOSPC on a
    // full disk. The command writes only to its fifos, which no such limit touches.
    const session = await open([
      '/bin/sh',
      '-c',
      'ulimit -f 64; trap "" XFSZ; exec "$@"',
      'sh',
      ...argv
    ])
    const result = await sessionExec(
      session,
      "head -c 1000000 /dev/zero | tr '\\0' y; echo END; echo err >&2",
      sh
    )
    // Without draining after the failed write the command died of SIGPIPE: rc 141, no message.
    expect(result.rc).toBe(1)
    expect(result.stdout.length).toBeGreaterThan(0)
    expect(result.stdout.length).toBeLessThan(1_000_000)
    expect(result.stdout).toBe('y'.repeat(result.stdout.length))
    expect(result.stderr).toBe(
      `err\nkubectl-ansible: output of this command was cut: no space left in the remote tmp dir ${path.join(dir, 'rtmp')}\n`
    )
    const failing = await sessionExec(session, 'yes | head -c 100000 >/dev/null; exit 4', sh)
    expect(failing).toMatchObject({ rc: 4, stdout: '', stderr: '' })
    const next = await sessionExec(session, 'echo ok; echo fine >&2', sh)
    expect(next).toMatchObject({ rc: 0, stdout: 'ok\n', stderr: 'fine\n' })
  })
})

describe('session payloads and files (dash)', () => {
  it('carries 1 MiB of binary stdout and binary stdin byte for byte', async () => {
    const session = await open(['dash'])
    const bytes = randomBytes(1 << 20)
    const file = path.join(dir, 'bin.dat')
    await writeFile(file, bytes)
    const out = await sessionExec(session, `cat '${file}'`, sh)
    expect(out.stdoutBytes.equals(bytes)).toBe(true)
    const echoed = await sessionExec(session, 'cat', { ...sh, stdin: bytes })
    expect(sha256(echoed.stdoutBytes)).toBe(sha256(bytes))
  })

  it('does not take output containing marker-like text for a frame', async () => {
    const session = await open(['dash'])
    const tricky = '#KA00000000000000000000000000000000#E1 0\n'
    const out = await sessionExec(session, `printf '%s' '${tricky}'; printf 'no newline'`, sh)
    expect(out.stdout).toBe(`${tricky}no newline`)
  })

  it('puts, stats, reads and fetches paths with hostile characters', async () => {
    const session = await open(['dash'])
    const hostile = path.join(dir, "a dir 'q' $(touch pwned) `x`; \n ü")
    await mkdir(hostile, { recursive: true })
    const dest = path.join(hostile, 'f "1".txt')
    const put = await sessionPut(session, Buffer.from('payload'), dest, { mode: '0640' })
    expect(put).toEqual({ size: 7, sha256: sha256('payload') })
    expect(await readFile(dest, 'utf8')).toBe('payload')
    expect(await sessionStat(session, dest, false)).toMatchObject({
      exists: true,
      type: 'file',
      mode: '0640',
      size: 7
    })
    expect((await sessionRead(session, dest))?.toString()).toBe('payload')
    const local = path.join(dir, 'fetched.txt')
    expect(await sessionFetch(session, dest, local)).toEqual({ size: 7, sha256: sha256('payload') })
    expect(await readFile(local, 'utf8')).toBe('payload')
    expect(await readdir(hostile)).toEqual(['f "1".txt'])
    expect(await readdir(process.cwd())).not.toContain('pwned')
  })

  it('keeps a destination mode, applies umask to new files and reports links', async () => {
    const session = await open(['dash'])
    const kept = path.join(dir, 'kept.txt')
    await writeFile(kept, 'old', { mode: 0o600 })
    await sessionPut(session, Buffer.from('new'), kept)
    expect((await sessionStat(session, kept, false)).mode).toBe('0600')
    const fresh = path.join(dir, 'fresh.txt')
    await sessionPut(session, Buffer.from('x'), fresh)
    expect((await sessionStat(session, fresh, false)).mode).toBe('0644')
    await symlink('kept.txt', path.join(dir, 'link'))
    expect(await sessionStat(session, path.join(dir, 'link'), false)).toMatchObject({
      type: 'link',
      linkTarget: 'kept.txt'
    })
    expect(await sessionStat(session, path.join(dir, 'link'), true)).toMatchObject({
      type: 'file',
      size: 3
    })
    expect(await sessionStat(session, path.join(dir, 'missing'), false)).toEqual({ exists: false })
    expect(await sessionRead(session, path.join(dir, 'missing'))).toBeNull()
  })

  it('reports a put into a missing directory clearly and stays usable', async () => {
    const session = await open(['dash'])
    await expect(
      sessionPut(session, Buffer.from('x'), path.join(dir, 'no/such/file'))
    ).rejects.toThrow(/put .*no\/such\/file: .*(nonexistent|No such file)/)
    await expect(
      sessionFetch(session, path.join(dir, 'missing'), path.join(dir, 'o'))
    ).rejects.toThrow(/no such file/)
    const big = path.join(dir, 'big-source')
    await writeFile(big, randomBytes(3 << 20))
    await expect(sessionFetch(session, big, path.join(dir, 'no-dir', 'x'))).rejects.toThrow(
      /cannot write .*no-dir\/x: ENOENT/
    )
    expect((await sessionExec(session, 'echo ok', sh)).stdout).toBe('ok\n')
  })

  it('kills the whole remote process tree on timeout and keeps the session', async () => {
    const session = await open(['dash'])
    const pids = path.join(dir, 'pids')
    await expect(
      sessionExec(
        session,
        `sleep 60 & echo $! > '${pids}'; sh -c 'sleep 61' & echo $! >> '${pids}'; wait`,
        {
          ...sh,
          timeoutMs: 300
        }
      )
    ).rejects.toBeInstanceOf(RemoteTimeoutError)
    for (const pid of (await readFile(pids, 'utf8')).trim().split('\n').map(Number)) {
      const state = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
      expect(state === '' || state.slice(state.lastIndexOf(')') + 2).startsWith('Z')).toBe(true)
    }
    expect((await sessionExec(session, 'echo alive', sh)).stdout).toBe('alive\n')
  })
})

describe('session tool variants', () => {
  const base = [
    'sh',
    'cat',
    'mv',
    'rm',
    'chmod',
    'chown',
    'mkdir',
    'wc',
    'ls',
    'sleep',
    'stat',
    'readlink',
    'setsid'
  ]

  it('without dd: busybox head over-reads, so small payloads go inline and big ones need a side channel', async () => {
    const bin = await appletPath('nodd', [...base, 'head', 'sha256sum'])
    const session = await open(['/usr/bin/dash'], { PATH: bin })
    expect(session.tools.reader).toBe('none')
    const data = randomBytes(40_000)
    // Inline chunks are printf formats; one starting with '-' was once taken for an option.
    data[0] = data[4096] = 0x2d
    const dest = path.join(dir, 'inline.bin')
    expect((await sessionPut(session, data, dest)).sha256).toBe(sha256(data))
    expect(sha256(await readFile(dest))).toBe(sha256(data))
    const echoed = await sessionExec(session, 'wc -c', { ...sh, stdin: data })
    expect(echoed.stdout.trim()).toBe('40000')
    await expect(
      sessionPut(session, randomBytes(100_000), path.join(dir, 'big.bin'))
    ).rejects.toThrow(/no way to receive/)
    const sideChannelled = path.join(dir, 'side.bin')
    const big = randomBytes(200_000)
    await sessionPut(session, big, sideChannelled, {
      sideChannel: async (sink, payload) => {
        const parts: Buffer[] = []
        for await (const chunk of payload) parts.push(chunk)
        await writeFile(sink, Buffer.concat(parts), { flag: 'wx', mode: 0o600 })
      }
    })
    expect(sha256(await readFile(sideChannelled))).toBe(sha256(big))
  })

  it('without sha256sum or busybox: falls back to cksum and still verifies', async () => {
    const bin = await appletPath('cksum', [...base, 'dd'])
    await symlink('/usr/bin/cksum', path.join(bin, 'cksum'))
    const session = await open(['/usr/bin/dash'], { PATH: bin })
    expect(session.tools).toMatchObject({ reader: 'ddfb', hash: 'cksum' })
    const data = randomBytes(300_000)
    const dest = path.join(dir, 'ck.bin')
    expect((await sessionPut(session, data, dest)).sha256).toBe(sha256(data))
    const local = path.join(dir, 'ck.out')
    expect((await sessionFetch(session, dest, local)).sha256).toBe(sha256(data))
  })

  it('without stat: ls gives mode, size and ids', async () => {
    const bin = await appletPath('nostat', base.filter(applet => applet !== 'stat').concat('dd'))
    const session = await open(['/usr/bin/dash'], { PATH: bin })
    expect(session.tools.stat).toBe(false)
    const file = path.join(dir, 'setuid')
    await writeFile(file, 'abc', { mode: 0o4751 })
    expect(await sessionStat(session, file, false)).toMatchObject({
      exists: true,
      type: 'file',
      mode: '4751',
      size: 3,
      uid: 0
    })
  })
})

describe('session waits', () => {
  it('a wait whose fractional sleep fails tries it once, then sleeps 1 s, never spinning', async () => {
    // busybox builds without fractional sleep fail `sleep 0.01` at once; a loop calling it would
    // spin. The bootstrap's __nap, run alone with a sleep that logs and refuses fractions.
    const program = bootstrapProgram('#M#', '/tmp', 'n')
    const nap = /^__zz=1\n__nap\(\) \{.*\}$/m.exec(program)
    expect(nap).not.toBeNull()
    const bin = path.join(dir, 'bin-nap')
    await mkdir(bin, { recursive: true })
    const log = path.join(dir, 'nap.log')
    await writeFile(
      path.join(bin, 'sleep'),
      `#!/bin/sh\necho "$1" >>'${log}'\ncase $1 in *.*) exit 1 ;; esac\n`,
      { mode: 0o755 }
    )
    const child = spawn('dash', ['-c', `${nap![0]}\n__nap; __nap; __nap`], {
      env: { PATH: `${bin}:/usr/bin:/bin` },
      stdio: 'ignore'
    })
    await new Promise(resolve => child.on('close', resolve))
    expect(await readFile(log, 'utf8')).toBe('0.01\n1\n1\n1\n')
  })
})

describe('session failures', () => {
  it('a dropped stream mid-put leaves neither a partial destination nor a temp file', async () => {
    const child = localProcess(['dash'])
    const cut = new PassThrough()
    let budget = 200_000
    cut.on('data', (chunk: Buffer) => {
      if (budget <= 0) return
      child.stdin.write(chunk.subarray(0, budget))
      budget -= chunk.length
      if (budget <= 0) child.stdin.end()
    })
    const session = await ShellSession.start(
      { ...child, stdin: cut },
      { remoteTmp: path.join(dir, 'rtmp'), readyTimeoutMs: 10_000 }
    )
    sessions.push(session)
    const target = path.join(dir, 'drop-target')
    await mkdir(target)
    await writeFile(path.join(target, 'file'), 'old content')
    const error = await sessionPut(session, randomBytes(1 << 20), path.join(target, 'file')).catch(
      e => e
    )
    expect(error).toBeInstanceOf(Error)
    expect(error instanceof SessionLostError || error instanceof TransferVerificationError).toBe(
      true
    )
    expect(await readdir(target)).toEqual(['file'])
    expect(await readFile(path.join(target, 'file'), 'utf8')).toBe('old content')
  })

  it('a session process that dies turns pending and later requests into SessionLostError', async () => {
    // Like kubectl dying: the process the session talks through exits (its orphans may live on).
    const process = localProcess(['dash'], undefined, 'exit')
    const session = await ShellSession.start(process, {
      remoteTmp: path.join(dir, 'rtmp'),
      readyTimeoutMs: 10_000
    })
    sessions.push(session)
    setTimeout(() => process.kill(), 200)
    await expect(sessionExec(session, 'sleep 2', sh)).rejects.toBeInstanceOf(SessionLostError)
    expect(session.alive).toBe(false)
    await expect(sessionExec(session, 'true', sh)).rejects.toBeInstanceOf(SessionLostError)
  })

  it('a process that never becomes a shell fails the start with its message', async () => {
    const start = ShellSession.start(
      localProcess(['sh', '-c', 'echo "no shell here" >&2; exit 126']),
      {
        remoteTmp: '/tmp',
        readyTimeoutMs: 10_000
      }
    )
    const error = await start.catch(e => e)
    expect(error).toBeInstanceOf(SessionLostError)
    expect(error.diagnostics).toContain('no shell here')
    expect(error.exit).toEqual({ code: 126, signal: null })
  })
})
