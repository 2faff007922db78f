// What one command can do to the next in the same kubectl exec session: background processes
// that keep writing, commands that read stdin or print frame-like text, and timeouts (the whole
// remote process group must go, in the session and in the session-per-operation fallback).
// Everything runs through the real kubectl against the test cluster.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startConnectionHarness, type ConnectionHarness } from './connection-harness.js'
import {
  KubectlProcessCounter,
  RemoteTimeoutError,
  type Connection
} from '../../src/connection/index.js'

let harness: ConnectionHarness

beforeAll(async () => {
  harness = await startConnectionHarness(
    'conn-isolation-',
    { pods: ['leaky', 'quiet', 'timer', 'fallback', 'spoof'].map(name => ({ name })) },
    { ansible_connection: 'kubectl' }
  )
})

afterAll(async () => {
  await harness?.stop()
})

/** Processes in the pod whose command line matches `pattern`, seen from a fresh shell. */
async function processesMatching(connection: Connection, pattern: RegExp): Promise<string[]> {
  const ps = await connection.exec('ps -o pid,pgid,args')
  expect(ps.rc).toBe(0)
  return ps.stdout.split('\n').filter(line => pattern.test(line))
}

describe('background processes', () => {
  it('a writer released only after its command returned reaches no later command', async () => {
    const connection = harness.connect('leaky')
    // The writer blocks on a fifo the next command opens: had the first command waited for its
    // background writer, it could never return, and the test would hang instead of passing.
    const first = await connection.exec(
      'mkfifo /tmp/go; (read x </tmp/go; echo late-out; echo late-err >&2; touch /tmp/wrote) & echo started'
    )
    expect(first).toMatchObject({ rc: 0, stdout: 'started\n', stderr: '' })
    const second = await connection.exec(
      'echo go >/tmp/go; while [ ! -e /tmp/wrote ]; do sleep 0.05; done; echo own; echo own-err >&2'
    )
    expect(second).toMatchObject({ rc: 0, stdout: 'own\n', stderr: 'own-err\n' })
    expect(await connection.exec('echo next')).toMatchObject({ stdout: 'next\n', stderr: '' })
  })

  it('a nohup loop and a delayed echo leave later commands their own output only', async () => {
    const counter = new KubectlProcessCounter()
    const connection = harness.connect('quiet', {}, { counter })
    // What `nohup` does with a stdout that is no terminal (the pods' busybox has no nohup applet).
    const ticker = await connection.exec(
      'sh -c \'trap "" HUP; while :; do echo tick; echo tock >&2; sleep 0.2; done\' & echo $! >/tmp/ticker; sleep 1 && echo late &'
    )
    expect(ticker.rc).toBe(0)
    const started = Date.now()
    for (let index = 0; index < 6; index++) {
      const own = await connection.exec(`echo own ${index}; sleep 0.3; echo err ${index} >&2`)
      expect(own).toMatchObject({ rc: 0, stdout: `own ${index}\n`, stderr: `err ${index}\n` })
    }
    // The delayed echo came due while the commands above ran (a lower bound, never an upper one).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    const binary = await connection.exec("printf '\\000\\377tail'")
    expect([...binary.stdoutBytes]).toEqual([0, 255, ...Buffer.from('tail')])
    expect(await processesMatching(connection, /while :; do echo tick/)).not.toEqual([])
    expect((await connection.exec('kill "$(cat /tmp/ticker)" && echo stopped')).stdout).toBe(
      'stopped\n'
    )
    expect(counter.total).toBe(1)
  })

  it("gives a command no descriptor of the session's own streams", async () => {
    const connection = harness.connect('quiet')
    // The command's parent is the wrapper that reports its end; the wrapper's parent is the
    // session shell, whose fds 0-2 are the exec stream.
    const fds = await connection.exec(
      [
        'set -- $(cat /proc/$PPID/stat); loop=$4',
        'for fd in 0 1 2; do echo "session $(readlink /proc/$loop/fd/$fd)"; done',
        'for fd in /proc/$$/fd/*; do echo "${fd##*/} $(readlink "$fd")"; done'
      ].join('\n')
    )
    const session: string[] = []
    const links = new Map<string, string>()
    for (const line of fds.stdout.trim().split('\n')) {
      const [name = '', link = ''] = line.split(' ')
      if (name === 'session') session.push(link)
      else links.set(name, link)
    }
    expect(session.every(link => /^(pipe|socket):/.test(link))).toBe(true)
    expect(links.get('0')).toBe('/dev/null')
    const out = links.get('1') ?? ''
    const err = links.get('2') ?? ''
    expect(out).toMatch(/\/\.ka-fo-[0-9a-f]+-\d+$/)
    expect(err).toMatch(/\/\.ka-fe-[0-9a-f]+-\d+$/)
    expect([...links.values()].filter(link => session.includes(link))).toEqual([])
    // This session keeps one set of fifos and spools, the running command's (other sessions
    // to the pod have their own nonce).
    const [nonce, slot] = path.basename(out).slice(7).split('-')
    const names = await connection.exec(`ls -a '${path.dirname(out)}' | grep -- '-${nonce}-'`)
    expect(names.stdout.trim().split('\n').sort()).toEqual(
      ['fe', 'fo', 'se', 'so'].map(kind => `.ka-${kind}-${nonce}-${slot}`)
    )
  })
})

describe('stdin and framing', () => {
  it('keeps all output of a command that reopens /dev/stdout or /dev/stderr', async () => {
    const connection = harness.connect('spoof')
    const result = await connection.exec(
      'echo a >&2; echo b >/dev/stderr; echo c >&2; echo 1; echo 2 | tee /dev/stdout; echo 3 >/dev/stdout'
    )
    expect(result).toMatchObject({ rc: 0, stdout: '1\n2\n2\n3\n', stderr: 'a\nb\nc\n' })
  })

  it('a command reading stdin gets its own (or none), never the session stream', async () => {
    const connection = harness.connect('spoof')
    expect(await connection.exec('cat')).toMatchObject({ rc: 0, stdout: '' })
    expect((await connection.exec('cat; read -r line; echo "[$line]"')).stdout).toBe('[]\n')
    const fed = await connection.exec('cat; (sleep 0.2; cat) &', { stdin: 'mine\n' })
    expect(fed.stdout).toBe('mine\n')
    for (let index = 0; index < 3; index++) {
      expect((await connection.exec(`echo after ${index}`)).stdout).toBe(`after ${index}\n`)
    }
  })

  it('output shaped like frames stays output, and the real marker is nowhere to read', async () => {
    const connection = harness.connect('spoof')
    const fake = '#KA0123456789abcdef0123456789abcdef#'
    const forged = [`${fake}E1 0`, `${fake}E2 0`, `${fake}R ddfb sha256`, `${fake}K9`].join('\n')
    const result = await connection.exec(
      `printf '%s\\n' '${forged}'; printf '%s\\n' '${forged}' >&2; exit 7`
    )
    expect(result).toMatchObject({ rc: 7, stdout: `${forged}\n`, stderr: `${forged}\n` })
    const visible = await connection.exec(
      'cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null | tr "\\000" "\\n"; env'
    )
    expect(visible.stdout).toContain('PATH=')
    expect(visible.stdout).not.toMatch(/#KA[0-9a-f]{32}#/)
    expect((await connection.exec('echo intact')).stdout).toBe('intact\n')
  })
})

describe('timeouts', () => {
  const tree =
    "sh -c 'sleep 100 & sleep 101' & nohup sh -c 'sleep 102' & setsid sleep 103 & sleep 104"

  it('kill the whole process tree, groups included, and keep the one session', async () => {
    const counter = new KubectlProcessCounter()
    const connection = harness.connect('timer', {}, { counter })
    await expect(connection.exec(tree, { timeoutMs: 800 })).rejects.toBeInstanceOf(
      RemoteTimeoutError
    )
    expect(await processesMatching(connection, /sleep 10[0-4]/)).toEqual([])
    expect(await connection.exec('echo next')).toMatchObject({ rc: 0, stdout: 'next\n' })
    expect(counter.total).toBe(1)
  })

  it('kill the tree too when sessions keep dropping and each operation gets its own', async () => {
    const counter = new KubectlProcessCounter()
    const connection = harness.connect('fallback', {}, { counter })
    // Three sessions lost between operations switch the connection to a session per operation.
    for (let drop = 0; drop < 3; drop++) {
      expect((await connection.exec('echo up')).stdout).toBe('up\n')
      await harness.cluster.restartApi()
      await new Promise(resolve => setTimeout(resolve, 300))
    }
    expect((await connection.exec('echo up')).stdout).toBe('up\n')
    const before = counter.total
    expect((await connection.exec('echo one')).stdout).toBe('one\n')
    expect((await connection.exec('echo two')).stdout).toBe('two\n')
    expect(counter.total - before).toBe(2)
    await expect(connection.exec(tree, { timeoutMs: 800 })).rejects.toBeInstanceOf(
      RemoteTimeoutError
    )
    expect(await processesMatching(connection, /sleep 10[0-4]/)).toEqual([])
    expect(await connection.exec('echo next')).toMatchObject({ rc: 0, stdout: 'next\n' })
    // The timed-out operation's session was ended too: three operations, three processes.
    expect(counter.total - before).toBe(5)
  })
})
