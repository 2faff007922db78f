import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { prepareAccess } from '../../src/connection/kubectl/access.js'
import {
  classifyKubectlError,
  kubectlMessage,
  remoteExitCode
} from '../../src/connection/kubectl/errors.js'
import { splitSimpleCommand } from '../../src/connection/kubectl/no-shell.js'
import { resolveKubectlTarget } from '../../src/connection/kubectl/settings.js'
import {
  findKubectl,
  kubectlDownloadUrl,
  kubectlPlatform,
  kubectlStableVersionUrl,
  kubectlVersion,
  parseSha256File,
  sha256OfFile,
  verifySha256
} from '../../src/connection/kubectl/binary.js'
import { createConnection, KubectlProcessCounter } from '../../src/connection/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'conn-settings-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('connection variables', () => {
  it('reads every kubernetes.core variable, first alias first, variables before K8S_AUTH_*', () => {
    const target = resolveKubectlTarget(
      {
        inventory_hostname: 'web',
        ansible_kubectl_config: '/k/config',
        ansible_kubectl_server: 'https://b',
        ansible_kubectl_host: 'https://a',
        ansible_kubectl_api_key: 'tok',
        ansible_kubectl_user: 'u',
        ansible_kubectl_client_cert: 'c.pem',
        ansible_kubectl_client_key: 'k.pem',
        ansible_kubectl_ca_cert: 'ca.pem',
        ansible_kubectl_validate_certs: 'no',
        ansible_kubectl_extra_args: '--v=1  --request-timeout=5s',
        ansible_kubectl_local_env_vars: '{"HTTPS_PROXY": "http://proxy:3128"}',
        ansible_shell_executable: '/bin/bash'
      },
      {
        K8S_AUTH_NAMESPACE: 'ns-from-env',
        K8S_AUTH_SERVER: 'https://env',
        K8S_AUTH_CONTAINER: 'c1'
      }
    )
    expect(target).toEqual({
      host: 'web',
      pod: 'web',
      container: 'c1',
      namespace: 'ns-from-env',
      kubeconfig: '/k/config',
      context: undefined,
      server: 'https://a',
      username: 'u',
      password: undefined,
      token: 'tok',
      clientCert: 'c.pem',
      clientKey: 'k.pem',
      caCert: 'ca.pem',
      validateCerts: false,
      extraArgs: ['--v=1', '--request-timeout=5s'],
      localEnv: { HTTPS_PROXY: 'http://proxy:3128' },
      shellExecutable: '/bin/bash',
      remoteTmp: '~/.ansible/tmp'
    })
  })

  it('takes the pod from ansible_kubectl_pod, then ansible_host, then the host name', () => {
    expect(resolveKubectlTarget({ inventory_hostname: 'h', ansible_host: 'p2' }, {}).pod).toBe('p2')
    expect(
      resolveKubectlTarget(
        { inventory_hostname: 'h', ansible_kubectl_pod: 'p1', ansible_host: 'p2' },
        {}
      ).pod
    ).toBe('p1')
    expect(resolveKubectlTarget({ inventory_hostname: 'h' }, { K8S_AUTH_POD: 'p3' }).pod).toBe('p3')
  })

  it('refuses values of the wrong type with the variable name', () => {
    expect(() =>
      resolveKubectlTarget({ inventory_hostname: 'h', ansible_kubectl_token: ['x'] }, {})
    ).toThrow(/ansible_kubectl_token must be a string, got a list/)
    expect(() =>
      resolveKubectlTarget({ inventory_hostname: 'h', ansible_kubectl_verify_ssl: 'maybe' }, {})
    ).toThrow(/ansible_kubectl_verify_ssl must be a boolean/)
    expect(() =>
      resolveKubectlTarget({ inventory_hostname: 'h', ansible_kubectl_local_env_vars: 'x=1' }, {})
    ).toThrow(/ansible_kubectl_local_env_vars must be a mapping/)
  })

  it('picks the connection type from ansible_connection and rejects unknown ones', () => {
    const runtime = {
      kubectlPath: 'kubectl',
      tempDir: dir,
      env: {},
      counter: new KubectlProcessCounter()
    }
    expect(
      createConnection({ inventory_hostname: 'h', ansible_connection: 'local' }, runtime).kind
    ).toBe('local')
    expect(createConnection({ inventory_hostname: 'localhost' }, runtime).kind).toBe('local')
    expect(createConnection({ inventory_hostname: 'pod-1' }, runtime).kind).toBe('kubectl')
    expect(
      createConnection(
        { inventory_hostname: 'h', ansible_connection: 'kubernetes.core.kubectl' },
        runtime
      ).kind
    ).toBe('kubectl')
    expect(() =>
      createConnection({ inventory_hostname: 'h', ansible_connection: 'ssh' }, runtime)
    ).toThrow(/host h: ansible_connection 'ssh' is not supported/)
  })
})

describe('per-host kubeconfig', () => {
  const baseConfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'c1', cluster: { server: 'https://one', 'certificate-authority': 'ca.crt' } },
      { name: 'c2', cluster: { server: 'https://two', 'certificate-authority-data': 'Q0E=' } }
    ],
    users: [
      { name: 'u1', user: { 'client-certificate': 'certs/u.crt', 'client-key': '/abs/u.key' } }
    ],
    contexts: [
      { name: 'one', context: { cluster: 'c1', user: 'u1', namespace: 'ns1' } },
      { name: 'two', context: { cluster: 'c2', user: 'u1' } }
    ],
    'current-context': 'one'
  }
  const runtime = () => ({ tempDir: dir, cwd: dir, env: {} })
  const target = (extra: Record<string, unknown>) =>
    resolveKubectlTarget({ inventory_hostname: 'h', ...extra }, {})

  it('passes a plain kubeconfig path and context on argv, writing nothing', async () => {
    const access = await prepareAccess(
      target({
        ansible_kubectl_kubeconfig: 'kc',
        ansible_kubectl_context: 'two',
        ansible_kubectl_namespace: 'x'
      }),
      runtime()
    )
    expect(access.args).toEqual([
      '--kubeconfig',
      path.join(dir, 'kc'),
      '--context',
      'two',
      '-n',
      'x'
    ])
    expect(access.file).toBeUndefined()
  })

  it('folds a token into a 0600 file built from the selected context, with absolute paths', async () => {
    const file = path.join(dir, 'base.yaml')
    await writeFile(file, JSON.stringify(baseConfig))
    const access = await prepareAccess(
      target({ ansible_kubectl_kubeconfig: file, ansible_kubectl_token: 's3cret' }),
      runtime()
    )
    expect(access.args).toEqual(['--kubeconfig', access.file])
    expect(access.args.join(' ')).not.toContain('s3cret')
    expect((await stat(access.file!)).mode & 0o777).toBe(0o600)
    const written = parseYaml(await readFile(access.file!, 'utf8'))
    expect(written.clusters[0].cluster).toEqual({
      server: 'https://one',
      'certificate-authority': path.join(dir, 'ca.crt')
    })
    expect(written.users[0].user).toEqual({
      'client-certificate': path.join(dir, 'certs/u.crt'),
      'client-key': '/abs/u.key',
      token: 's3cret'
    })
    expect(written.contexts[0].context.namespace).toBe('ns1')
    await access.dispose()
    await expect(stat(access.file!)).rejects.toThrow()
  })

  it('validate_certs false skips TLS verification and drops the CA (not inverted)', async () => {
    const file = path.join(dir, 'base2.yaml')
    await writeFile(file, JSON.stringify(baseConfig))
    const off = await prepareAccess(
      target({
        ansible_kubectl_kubeconfig: file,
        ansible_kubectl_context: 'two',
        ansible_kubectl_verify_ssl: false
      }),
      runtime()
    )
    const cluster = parseYaml(await readFile(off.file!, 'utf8')).clusters[0].cluster
    expect(cluster).toEqual({ server: 'https://two', 'insecure-skip-tls-verify': true })
    const on = await prepareAccess(
      target({
        ansible_kubectl_kubeconfig: file,
        ansible_kubectl_verify_ssl: 'yes',
        ansible_kubectl_server: 'https://x'
      }),
      runtime()
    )
    expect(parseYaml(await readFile(on.file!, 'utf8')).clusters[0].cluster).toEqual({
      server: 'https://x',
      'certificate-authority': path.join(dir, 'ca.crt')
    })
  })

  it('writes a kubeconfig given as a mapping, and builds one from server + token alone', async () => {
    const mapped = await prepareAccess(
      target({ ansible_kubectl_kubeconfig: baseConfig }),
      runtime()
    )
    expect(parseYaml(await readFile(mapped.file!, 'utf8')).clusters[0].cluster.server).toBe(
      'https://one'
    )
    const bare = await prepareAccess(
      resolveKubectlTarget(
        { inventory_hostname: 'h' },
        { K8S_AUTH_HOST: 'https://api', K8S_AUTH_API_KEY: 'tok' }
      ),
      { ...runtime(), env: { HOME: dir } }
    )
    const config = parseYaml(await readFile(bare.file!, 'utf8'))
    expect(config.clusters[0].cluster).toEqual({ server: 'https://api' })
    expect(config.users[0].user).toEqual({ token: 'tok' })
  })

  it('names the missing context or unreadable file', async () => {
    const file = path.join(dir, 'base3.yaml')
    await writeFile(file, JSON.stringify(baseConfig))
    await expect(
      prepareAccess(
        target({
          ansible_kubectl_kubeconfig: file,
          ansible_kubectl_context: 'nope',
          ansible_kubectl_token: 't'
        }),
        runtime()
      )
    ).rejects.toThrow(/context "nope" does not exist/)
    await expect(
      prepareAccess(
        target({
          ansible_kubectl_kubeconfig: path.join(dir, 'missing'),
          ansible_kubectl_token: 't'
        }),
        runtime()
      )
    ).rejects.toThrow(/cannot read kubeconfig .*missing/)
  })
})

describe('kubectl messages', () => {
  it('classifies what kubectl prints', () => {
    expect(classifyKubectlError('Error from server (NotFound): pods "x" not found')).toBe(
      'unreachable'
    )
    expect(classifyKubectlError('error: You must be logged in to the server (Unauthorized)')).toBe(
      'unreachable'
    )
    expect(
      classifyKubectlError(
        'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?'
      )
    ).toBe('unreachable')
    expect(
      classifyKubectlError(
        'Unable to connect to the server: x509: certificate signed by unknown authority'
      )
    ).toBe('unreachable')
    expect(
      classifyKubectlError(
        'error: error reading from error stream: next reader: websocket: close 1006 (abnormal closure): unexpected EOF'
      )
    ).toBe('transient')
    expect(
      classifyKubectlError(
        'error: Internal error occurred: ... exec: "sh": executable file not found in $PATH: unknown'
      )
    ).toBe('no-shell')
    expect(classifyKubectlError('command terminated with exit code 3')).toBe('exit-code')
    expect(remoteExitCode('command terminated with exit code 42\n')).toBe(42)
  })

  it('drops client-go log noise from messages', () => {
    const stderr =
      'E1127 12:28:22.633436    9668 memcache.go:265] "Unhandled Error" err="couldn\'t get"\n' +
      'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?\n'
    expect(kubectlMessage(stderr)).toBe(
      'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?'
    )
  })
})

describe('commands for pods without a shell', () => {
  it('splits simple commands like sh and refuses shell syntax', () => {
    expect(splitSimpleCommand(`/app/bin --name 'a b' "c \\"d\\"" e\\ f`)).toEqual([
      '/app/bin',
      '--name',
      'a b',
      'c "d"',
      'e f'
    ])
    expect(() => splitSimpleCommand('echo hi | cat')).toThrow(/no shell to interpret '\|'/)
    expect(() => splitSimpleCommand('echo "$HOME"')).toThrow(/no shell to expand \$/)
    expect(() => splitSimpleCommand('A=1 run')).toThrow(/no shell to set A=1/)
    expect(() => splitSimpleCommand("echo 'open")).toThrow(/unterminated quote/)
  })
})

describe('kubectl binary helpers', () => {
  it('builds dl.k8s.io and mirror URLs for the runner platform', () => {
    expect(kubectlPlatform('linux', 'x64')).toEqual({ os: 'linux', arch: 'amd64' })
    expect(kubectlPlatform('darwin', 'arm64')).toEqual({ os: 'darwin', arch: 'arm64' })
    expect(() => kubectlPlatform('aix', 'ppc')).toThrow(/not published for aix\/ppc/)
    expect(kubectlDownloadUrl('v1.32.4', { os: 'linux', arch: 'amd64' })).toBe(
      'https://dl.k8s.io/release/v1.32.4/bin/linux/amd64/kubectl'
    )
    expect(
      kubectlDownloadUrl('v1.32.4', { os: 'windows', arch: 'amd64' }, 'http://mirror.local/k8s/')
    ).toBe('http://mirror.local/k8s/v1.32.4/bin/windows/amd64/kubectl.exe')
    expect(kubectlStableVersionUrl()).toBe('https://dl.k8s.io/release/stable.txt')
    expect(() => kubectlDownloadUrl('1.32', { os: 'linux', arch: 'amd64' })).toThrow(
      /invalid kubectl version '1.32'/
    )
  })

  it('verifies sha256 files and reports a mismatch', async () => {
    const file = path.join(dir, 'bin')
    await writeFile(file, 'kubectl bytes')
    const digest = await sha256OfFile(file)
    expect(parseSha256File(`${digest.toUpperCase()}  kubectl\n`)).toBe(digest)
    expect(() => parseSha256File('<html>not found</html>')).toThrow(/not a sha256 checksum file/)
    await verifySha256(file, digest)
    await expect(verifySha256(file, '0'.repeat(64))).rejects.toThrow(/checksum mismatch for bin/)
  })

  it('finds kubectl on PATH and reads its version, refusing impostors', async () => {
    expect(await findKubectl(`/nonexistent:${path.dirname('/usr/bin/kubectl')}`)).toBe(
      '/usr/bin/kubectl'
    )
    expect(await findKubectl('/nonexistent')).toBeNull()
    const version = await kubectlVersion('/usr/bin/kubectl')
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/)
    expect(version.major).toBe(1)
    const impostor = path.join(dir, 'kubectl')
    await writeFile(impostor, '#!/bin/sh\necho \'{"clientVersion":{"gitVersion":"banana"}}\'\n')
    await chmod(impostor, 0o755)
    await expect(kubectlVersion(impostor)).rejects.toThrow(
      /not a usable kubectl \(unexpected version string 'banana'\)/
    )
  })
})
