// The CLI as a user meets it: an INI inventory of test-cluster pods (ansible_connection=kubectl),
// ad-hoc commands and playbooks run in-process through the real kubectl. Each case is a defect
// found by using the product the way an Ansible user would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAdhocCommand, runPlaybookCommand } from '../../src/cli/playbook.js'
import { formatWarning } from '../../src/inventory/warnings.js'
import { startCluster, type Cluster } from '../cluster/index.js'

let cluster: Cluster
let dir: string

beforeAll(async () => {
  cluster = await startCluster({ pods: [{ name: 'web-1' }, { name: 'web-2' }] })
  dir = mkdtempSync(path.join(tmpdir(), 'user-cli-'))
  writeFileSync(
    path.join(dir, 'hosts.ini'),
    [
      '[web]',
      'web1 ansible_kubectl_pod=web-1',
      'web2 ansible_kubectl_pod=web-2',
      '[web:vars]',
      'ansible_connection=kubectl',
      ''
    ].join('\n')
  )
})

afterAll(async () => {
  await cluster?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function cli(command: typeof runAdhocCommand, argv: string[], inventory = 'hosts.ini') {
  let stdout = ''
  let stderr = ''
  const code = await command(['-i', inventory, ...argv], {
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: cluster.kubeconfigPath }
  })
  return { code, stdout, stderr }
}

describe('kubectl-ansible adhoc prints like the ansible command (minimal callback)', () => {
  // stdout, stderr and msg are joined without a separator, as Ansible's minimal callback does.
  it('shows command output per host, with rc and CHANGED/FAILED, and no play banners', async () => {
    const run = await cli(runAdhocCommand, ['web', '-m', 'shell', '-a', 'hostname; echo err >&2'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('web1 | CHANGED | rc=0 >>\nweb-1err\n')
    expect(run.stdout).toContain('web2 | CHANGED | rc=0 >>\nweb-2err\n')
    expect(run.stdout).not.toContain('PLAY')
    const failed = await cli(runAdhocCommand, ['web1', '-m', 'shell', '-a', 'echo out; exit 3'])
    expect(failed.code).toBe(2)
    expect(failed.stdout).toBe('web1 | FAILED | rc=3 >>\noutnon-zero return code\n')
  })

  it('shows other modules as indented JSON, and warns when no host matched', async () => {
    const ping = await cli(runAdhocCommand, ['web1', '-m', 'ping'])
    expect(ping).toMatchObject({
      code: 0,
      stdout: 'web1 | SUCCESS => {\n    "changed": false,\n    "ping": "pong"\n}\n'
    })
    const none = await cli(runAdhocCommand, ['nomatch', '-m', 'ping'])
    expect(none).toMatchObject({ code: 0, stdout: '' })
    expect(none.stderr).toBe(
      '[WARNING]: Could not match supplied host pattern, ignoring: nomatch\n' +
        '[WARNING]: No hosts matched, nothing to do\n'
    )
  })
})

describe('until/retries as in ansible-playbook 2.14', () => {
  it('makes retries + 1 attempts and prints a FAILED - RETRYING line before each retry', async () => {
    writeFileSync(
      path.join(dir, 'until.yml'),
      [
        '- hosts: web1',
        '  gather_facts: false',
        '  tasks:',
        '    - name: wait for the fourth attempt',
        '      shell: echo x >> /tmp/attempts; wc -l < /tmp/attempts',
        '      register: counted',
        '      until: counted.stdout | int >= 4',
        '      retries: 3',
        '      delay: 0',
        '    - debug: var=counted.attempts',
        ''
      ].join('\n')
    )
    const run = await cli(runPlaybookCommand, ['until.yml'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      [3, 2, 1]
        .map(
          left => `FAILED - RETRYING: [web1]: wait for the fourth attempt (${left} retries left).\n`
        )
        .join('')
    )
    // Ansible prints a dotted var through a template, so as a string.
    expect(run.stdout).toContain('"counted.attempts": "4"')
  })
})

describe('warnings ansible-playbook gives about the hosts', () => {
  it('warns about a missing inventory and an empty host list, byte for byte', async () => {
    writeFileSync(path.join(dir, 'ping.yml'), '- hosts: all\n  tasks: [ping:]\n')
    const run = await cli(runPlaybookCommand, ['ping.yml'], 'missing.ini')
    expect(run.code).toBe(0)
    expect(run.stderr).toBe(
      formatWarning(`Unable to parse ${dir}/missing.ini as an inventory source`) +
        '[WARNING]: No inventory was parsed, only implicit localhost is available\n' +
        '[WARNING]: provided hosts list is empty, only localhost is available. Note that\n' +
        "the implicit localhost does not match 'all'\n"
    )
  })
})

describe('--diff as Ansible prints it', () => {
  it('marks content without a final newline', async () => {
    const run = await cli(runAdhocCommand, [
      'web1',
      '-m',
      'copy',
      '-a',
      'content=hi dest=/tmp/greeting',
      '--check',
      '--diff'
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      '@@ -0,0 +1 @@\n+hi\n\\ No newline at end of file\n\nweb1 | CHANGED'
    )
  })
})
