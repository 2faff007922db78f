// The modules end to end on test-cluster pods over the real kubectl: a plain busybox pod and
// the no-dd, no-base64 and no-sha256sum variants, plus round trips per copy/template/lineinfile
// counted on the kubectl connection (goal: <= 3 unchanged, <= 4 changed), requests per file
// state, and a copy larger than any buffer (streamed; a dropped stream leaves no half file).
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../cluster/index.js'
import {
  createConnection,
  KubectlProcessCounter,
  UnreachableError,
  type Connection,
  type ConnectionRuntime
} from '../../src/connection/index.js'
import { runModule } from '../../src/modules/index.js'
import type { ModuleContext, ModuleResult } from '../../src/modules/types.js'
import { Templar } from '../../src/template/index.js'
import { counting, type CallCounts } from '../unit/modules-support.js'

const PODS = ['plain', 'no-dd', 'no-base64', 'no-sha']
let cluster: Cluster
let work: string
let runtime: ConnectionRuntime
const connections: Connection[] = []
const measured: Record<string, Record<string, number>> = {}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'modules-pods-'))
  cluster = await startCluster({
    pods: [
      { name: 'plain' },
      { name: 'no-dd', noDd: true },
      { name: 'no-base64', noBase64: true },
      { name: 'no-sha', noSha256sum: true }
    ]
  })
  runtime = {
    kubectlPath: '/usr/bin/kubectl',
    tempDir: work,
    env: { PATH: process.env.PATH, HOME: work },
    counter: new KubectlProcessCounter(),
    kubeconfig: cluster.kubeconfigPath,
    cwd: work
  }
  await mkdir(path.join(work, 'templates'))
  await mkdir(path.join(work, 'files'))
  await writeFile(
    path.join(work, 'templates', 'app.conf.j2'),
    'name={{ app }}\n{% for p in ports %}port={{ p }}\n{% endfor %}'
  )
  await writeFile(path.join(work, 'files', 'check.sh'), '#!/bin/sh\necho "args: $*"\nexit 0\n', {
    mode: 0o755
  })
}, 120_000)

afterAll(async () => {
  await Promise.all(connections.map(connection => connection.close()))
  await cluster?.stop()
  await rm(work, { recursive: true, force: true })
  console.log(`round trips per task on pods: ${JSON.stringify(measured)}`)
})

interface PodHarness {
  run(
    action: string,
    args: Record<string, unknown>,
    overrides?: Partial<ModuleContext>
  ): Promise<ModuleResult>
  calls: CallCounts
  total(): number
  reset(): void
  root: string
}

function onPod(pod: string): PodHarness {
  const inner = createConnection(
    {
      inventory_hostname: pod,
      ansible_connection: 'kubectl',
      ansible_kubectl_pod: pod,
      ansible_kubectl_namespace: 'default'
    },
    runtime
  )
  connections.push(inner)
  const counted = counting(inner)
  const templar = new Templar()
  const vars = { inventory_hostname: pod, app: 'demo', ports: [80, 443] }
  const ctx: ModuleContext = {
    connection: counted.connection,
    host: pod,
    check: false,
    diff: false,
    vars,
    playbookDir: work,
    verbosity: 0,
    render: (text, options) =>
      templar.renderTemplateFile(text, { ...vars, ...(options?.extraVars ?? {}) }, options ?? {}),
    template: value => templar.template(value, vars),
    evaluateConditional: condition => templar.evaluateConditional(condition, vars),
    findLocalFile: (name, kind) => path.join(work, kind, name)
  }
  return {
    run: (action, args, overrides = {}) => runModule(action, args, { ...ctx, ...overrides }),
    calls: counted.calls,
    total: counted.total,
    reset: counted.reset,
    root: cluster.podRoot('default', pod)
  }
}

async function trips(
  harness: PodHarness,
  label: string,
  action: string,
  args: Record<string, unknown>
) {
  harness.reset()
  const result = await harness.run(action, args)
  measured[label] = { ...(measured[label] ?? {}), [action]: harness.total() }
  return { result, trips: harness.total() }
}

describe.each(PODS)('modules on pod %s', pod => {
  let pod_: PodHarness
  beforeAll(() => {
    pod_ = onPod(pod)
  })

  it('copy, template and lineinfile: changed then unchanged, within the round-trip goal', async () => {
    const changedCopy = await trips(pod_, `${pod} changed`, 'copy', {
      content: 'hello pods\n',
      dest: '/tmp/a.txt',
      mode: '0640'
    })
    expect(changedCopy.result).toMatchObject({
      changed: true,
      mode: '0640',
      checksum: 'e32c213e2529d67bc029ddab44d080ad4c781089'
    })
    expect(changedCopy.trips).toBeLessThanOrEqual(4)
    const unchangedCopy = await trips(pod_, `${pod} unchanged`, 'copy', {
      content: 'hello pods\n',
      dest: '/tmp/a.txt',
      mode: '0640'
    })
    expect(unchangedCopy.result.changed).toBe(false)
    expect(unchangedCopy.trips).toBeLessThanOrEqual(3)
    expect(await readFile(path.join(pod_.root, 'tmp/a.txt'), 'utf8')).toBe('hello pods\n')

    const changedTemplate = await trips(pod_, `${pod} changed`, 'template', {
      src: 'app.conf.j2',
      dest: '/tmp/app.conf'
    })
    expect(changedTemplate.result.changed).toBe(true)
    expect(changedTemplate.trips).toBeLessThanOrEqual(4)
    const unchangedTemplate = await trips(pod_, `${pod} unchanged`, 'template', {
      src: 'app.conf.j2',
      dest: '/tmp/app.conf'
    })
    expect(unchangedTemplate.result.changed).toBe(false)
    expect(unchangedTemplate.trips).toBeLessThanOrEqual(3)
    expect(await readFile(path.join(pod_.root, 'tmp/app.conf'), 'utf8')).toBe(
      'name=demo\nport=80\nport=443\n'
    )

    const changedLine = await trips(pod_, `${pod} changed`, 'lineinfile', {
      path: '/tmp/app.conf',
      regexp: '^name=',
      line: 'name=prod'
    })
    expect(changedLine.result).toMatchObject({ changed: true, msg: 'line replaced' })
    expect(changedLine.trips).toBeLessThanOrEqual(4)
    const unchangedLine = await trips(pod_, `${pod} unchanged`, 'lineinfile', {
      path: '/tmp/app.conf',
      regexp: '^name=',
      line: 'name=prod'
    })
    expect(unchangedLine.result.changed).toBe(false)
    expect(unchangedLine.trips).toBeLessThanOrEqual(3)
    expect(await readFile(path.join(pod_.root, 'tmp/app.conf'), 'utf8')).toBe(
      'name=prod\nport=80\nport=443\n'
    )
  })

  it('command, shell, raw and script run in the pod', async () => {
    expect(await pod_.run('command', { _raw_params: 'echo hello world' })).toMatchObject({
      rc: 0,
      stdout: 'hello world',
      cmd: ['echo', 'hello', 'world']
    })
    expect(await pod_.run('shell', { _raw_params: 'echo $0; echo err >&2; exit 3' })).toMatchObject(
      { rc: 3, failed: true, stdout: '/bin/sh', stderr: 'err' }
    )
    expect(
      await pod_.run('command', { _raw_params: 'touch /tmp/made', creates: '/tmp/made' })
    ).toMatchObject({ changed: true })
    expect(
      await pod_.run('command', { _raw_params: 'touch /tmp/made', creates: '/tmp/made' })
    ).toMatchObject({ changed: false, msg: "Did not run command since '/tmp/made' exists" })
    expect(await pod_.run('raw', { _raw_params: 'echo raw' })).toMatchObject({
      rc: 0,
      stdout: 'raw\n'
    })
    expect(await pod_.run('script', { _raw_params: 'check.sh one two' })).toMatchObject({
      rc: 0,
      stdout: 'args: one two\n'
    })
  })

  it('file, stat, slurp, fetch, find, replace and blockinfile', async () => {
    expect(
      await pod_.run('file', { path: '/tmp/d/e', state: 'directory', mode: '0750' })
    ).toMatchObject({ changed: true })
    expect(
      await pod_.run('file', { path: '/tmp/d/e', state: 'directory', mode: '0750' })
    ).toMatchObject({ changed: false, mode: '0750', state: 'directory' })
    await pod_.run('copy', { content: 'k=v\n', dest: '/tmp/d/e/cfg' })
    const stat = await pod_.run('stat', { path: '/tmp/d/e/cfg' })
    expect(stat.stat).toMatchObject({
      exists: true,
      isreg: true,
      mode: '0644',
      size: 4,
      checksum: createHash('sha1').update('k=v\n').digest('hex')
    })
    expect(await pod_.run('slurp', { src: '/tmp/d/e/cfg' })).toMatchObject({
      content: Buffer.from('k=v\n').toString('base64')
    })
    const fetched = await pod_.run('fetch', { src: '/tmp/d/e/cfg', dest: 'out', flat: false })
    expect(fetched).toMatchObject({ changed: true })
    expect(await readFile(path.join(work, 'out', pod, 'tmp/d/e/cfg'), 'utf8')).toBe('k=v\n')
    expect(await pod_.run('fetch', { src: '/tmp/d/e/cfg', dest: 'out' })).toMatchObject({
      changed: false
    })
    expect(
      await pod_.run('replace', {
        path: '/tmp/d/e/cfg',
        regexp: '^(\\w+)=(\\w+)$',
        replace: '\\2=\\1'
      })
    ).toMatchObject({ changed: true, msg: '1 replacements made' })
    expect(await pod_.run('blockinfile', { path: '/tmp/d/e/cfg', block: 'x=1' })).toMatchObject({
      changed: true,
      msg: 'Block inserted'
    })
    expect(await readFile(path.join(pod_.root, 'tmp/d/e/cfg'), 'utf8')).toBe(
      'v=k\n# BEGIN ANSIBLE MANAGED BLOCK\nx=1\n# END ANSIBLE MANAGED BLOCK\n'
    )
    const found = await pod_.run('find', { paths: '/tmp/d', recurse: true, patterns: 'cfg' })
    expect(found).toMatchObject({
      matched: 1,
      files: [expect.objectContaining({ path: '/tmp/d/e/cfg', isreg: true })]
    })
    expect(await pod_.run('file', { path: '/tmp/d', state: 'absent' })).toMatchObject({
      changed: true
    })
  })

  it("unarchive with the pod's tar, and wait_for a path", async () => {
    await pod_.run('shell', {
      _raw_params:
        'mkdir -p /tmp/src/sub /tmp/x && echo A > /tmp/src/a && echo B > /tmp/src/sub/b && tar -czf /tmp/a.tgz -C /tmp/src .'
    })
    expect(
      await pod_.run('unarchive', { src: '/tmp/a.tgz', dest: '/tmp/x', remote_src: true })
    ).toMatchObject({ changed: true, handler: 'TgzArchive' })
    expect(
      await pod_.run('unarchive', { src: '/tmp/a.tgz', dest: '/tmp/x', remote_src: true })
    ).toMatchObject({ changed: false })
    expect(await readFile(path.join(pod_.root, 'tmp/x/sub/b'), 'utf8')).toBe('B\n')
    expect(
      await pod_.run('wait_for', { path: '/tmp/x/a', search_regex: '^(A)$', timeout: 5 })
    ).toMatchObject({ changed: false, match_groups: ['A'] })
    expect(await pod_.run('wait_for', { path: '/tmp/never', timeout: 1, sleep: 1 })).toMatchObject({
      failed: true,
      msg: 'Timeout when waiting for file /tmp/never'
    })
  })
})

describe.each(PODS)('file states on pod %s take one request each', pod => {
  it('directory, touch, file mode, link and absent', async () => {
    const harness = onPod(pod)
    const requests = async (args: Record<string, unknown>) => {
      harness.reset()
      const result = await harness.run('file', args)
      return { result, requests: harness.total() }
    }
    const onHost = (remote: string) => path.join(harness.root, remote)
    expect(await requests({ path: '/tmp/fs/a/b', state: 'directory', mode: '0750' })).toMatchObject(
      { requests: 1, result: { changed: true, mode: '0750', state: 'directory' } }
    )
    expect((await stat(onHost('tmp/fs/a'))).mode & 0o7777).toBe(0o750)
    expect(await requests({ path: '/tmp/fs/a/b', state: 'directory', mode: '0750' })).toMatchObject(
      { requests: 1, result: { changed: false } }
    )
    expect(await requests({ path: '/tmp/fs/a/b/t', state: 'touch', mode: '0600' })).toMatchObject({
      requests: 1,
      result: { changed: true, mode: '0600', size: 0 }
    })
    expect(await requests({ path: '/tmp/fs/a/b/t', state: 'file', mode: '0640' })).toMatchObject({
      requests: 1,
      result: { changed: true, mode: '0640' }
    })
    expect((await stat(onHost('tmp/fs/a/b/t'))).mode & 0o7777).toBe(0o640)
    expect(
      await requests({ path: '/tmp/fs/l', state: 'link', src: '/tmp/fs/a/b/t' })
    ).toMatchObject({ requests: 1, result: { changed: true, state: 'link' } })
    expect(
      await requests({ path: '/tmp/fs/l', state: 'link', src: '/tmp/fs/a/b/t' })
    ).toMatchObject({ requests: 1, result: { changed: false } })
    const removed = await requests({ path: '/tmp/fs', state: 'absent' })
    expect(removed).toMatchObject({ requests: 1, result: { changed: true } })
    expect(removed.result.diff).toMatchObject({
      before: {
        path_content: {
          directories: ['/tmp/fs/a', '/tmp/fs/a/b'],
          files: ['/tmp/fs/l', '/tmp/fs/a/b/t']
        }
      }
    })
    await expect(stat(onHost('tmp/fs'))).rejects.toThrow()
  })
})

describe('copy of a file larger than any buffer', () => {
  const SIZE = 64 << 20

  async function sha1Of(file: string): Promise<string> {
    const hash = createHash('sha1')
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
    return hash.digest('hex')
  }

  /** A sparse file of `size` bytes: zeros, with `marker` written at its start. */
  async function sparse(name: string, marker: string, size = SIZE): Promise<string> {
    const file = path.join(work, 'files', name)
    const handle = await open(file, 'w')
    await handle.truncate(size)
    await handle.write(marker, 0)
    await handle.close()
    return file
  }

  it('streams 64 MiB in with the right checksum; a dropped stream leaves the old file whole', async () => {
    const first = await sparse('big-1.bin', 'one')
    const harness = onPod('plain')
    const copied = await harness.run('copy', { src: 'big-1.bin', dest: '/tmp/big.bin' })
    const expected = await sha1Of(first)
    expect(copied).toMatchObject({ changed: true, checksum: expected, size: SIZE })
    expect(await sha1Of(path.join(harness.root, 'tmp/big.bin'))).toBe(expected)
    const tmpBefore = (await readdir(path.join(harness.root, 'tmp'))).sort()

    // Another size: the probe does not hash the 64 MiB already there (it cannot be equal).
    await sparse('big-2.bin', 'two', SIZE + 1)
    const fresh = onPod('plain')
    cluster.setFaults({ dropExecAfterBytes: 8 << 20 })
    try {
      await expect(
        fresh.run('copy', { src: 'big-2.bin', dest: '/tmp/big.bin' })
      ).rejects.toBeInstanceOf(UnreachableError)
    } finally {
      cluster.setFaults({ dropExecAfterBytes: undefined })
    }
    expect(await sha1Of(path.join(harness.root, 'tmp/big.bin'))).toBe(expected)
    expect((await readdir(path.join(harness.root, 'tmp'))).sort()).toEqual(tmpBefore)
  }, 120_000)
})

describe('file recurse with a name holding a newline', () => {
  it('fails naming the path and touches nothing outside the tree', async () => {
    const harness = onPod('plain')
    const onHost = (remote: string) => path.join(harness.root, remote)
    await mkdir(onHost('tmp/nl-victim'), { recursive: true, mode: 0o755 })
    await mkdir(onHost('tmp/nl-tree/evil\n/tmp/nl-victim'), { recursive: true, mode: 0o755 })
    await mkdir(onHost('tmp/nl-tree/ok'), { mode: 0o755 })
    const before = (await stat(onHost('tmp/nl-victim'))).mode & 0o7777
    for (const check of [false, true]) {
      const result = await harness.run(
        'file',
        { path: '/tmp/nl-tree', state: 'directory', mode: '0700', recurse: true },
        { check }
      )
      expect(result).toMatchObject({ failed: true })
      expect(String(result.msg)).toContain('/tmp/nl-tree/evil?')
    }
    expect((await stat(onHost('tmp/nl-victim'))).mode & 0o7777).toBe(before)
    expect((await stat(onHost('tmp'))).mode & 0o7777).not.toBe(0o700)
    expect((await stat(onHost('tmp/nl-tree/ok'))).mode & 0o7777).toBe(0o755)
    // Removing the tree is safe (rm -rf takes the path whole); its diff leaves the name out.
    const removed = await harness.run('file', { path: '/tmp/nl-tree', state: 'absent' })
    expect(removed).toMatchObject({ changed: true })
    await expect(stat(onHost('tmp/nl-tree'))).rejects.toThrow()
    expect((await stat(onHost('tmp/nl-victim'))).mode & 0o7777).toBe(before)
  })
})

describe('lineinfile and blockinfile create through a dangling symlink', () => {
  it('write the target when its directory exists, fail as Ansible does when it is missing', async () => {
    const harness = onPod('plain')
    const onHost = (remote: string) => path.join(harness.root, remote)
    const { symlink, lstat } = await import('node:fs/promises')
    await mkdir(onHost('tmp/dl'), { recursive: true })
    await symlink('/tmp/dl/f1', onHost('tmp/dl/l1'))
    await symlink('f2', onHost('tmp/dl/l2'))
    await symlink('/tmp/dl/missing1/f', onHost('tmp/dl/l3'))
    await symlink('missing2/f', onHost('tmp/dl/l4'))
    expect(
      await harness.run('lineinfile', { path: '/tmp/dl/l1', line: 'hello', create: true })
    ).toMatchObject({ changed: true })
    expect(
      await harness.run('blockinfile', { path: '/tmp/dl/l2', block: 'hello', create: true })
    ).toMatchObject({ changed: true })
    expect(await readFile(onHost('tmp/dl/f1'), 'utf8')).toBe('hello\n')
    expect(await readFile(onHost('tmp/dl/f2'), 'utf8')).toContain('hello\n')
    // busybox `readlink -f` resolves a dangling relative link against the cwd.
    await expect(stat(onHost('f2'))).rejects.toThrow()
    // ansible-playbook 2.14: "Could not replace file: ... to /tmp/dl/missing1/f: [Errno 2] ..."
    // and neither the link nor a target directory changes.
    for (const [action, link, target] of [
      ['lineinfile', 'l3', '/tmp/dl/missing1/f'],
      ['blockinfile', 'l4', '/tmp/dl/missing2/f']
    ]) {
      const args = action === 'lineinfile' ? { line: 'hello' } : { block: 'hello' }
      const result = await harness.run(action, { path: `/tmp/dl/${link}`, create: true, ...args })
      expect(result).toMatchObject({ changed: false, failed: true })
      expect(String(result.msg)).toContain(`Could not replace file: /tmp/dl/${link} to ${target}`)
      expect((await lstat(onHost(`tmp/dl/${link}`))).isSymbolicLink()).toBe(true)
      await expect(stat(onHost(path.dirname(target.slice(1))))).rejects.toThrow()
      const checked = await harness.run(
        action,
        { path: `/tmp/dl/${link}`, create: true, ...args },
        { check: true }
      )
      expect(checked).toMatchObject({ changed: true })
    }
    for (const entry of await readdir(onHost('tmp/dl'))) expect(entry).toMatch(/^(l[1-4]|f[12])$/)
  })
})
