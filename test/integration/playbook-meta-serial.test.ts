// meta actions under `serial`, as ansible-core 2.14 runs them with ansible_connection=local:
// end_play ends the whole play (no further batches), end_batch only the current batch;
// clear_facts and clear_host_errors act on the hosts of the current batch (Ansible restricts
// its inventory to the batch), and clear_host_errors also revives unreachable hosts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPlaybookCommand } from '../../src/cli/playbook.js'

const INVENTORY =
  '[all]\n' + ['h1', 'h2', 'h3', 'h4'].map(host => `${host} ansible_connection=local\n`).join('')

const dirs: string[] = []
afterAll(() => dirs.forEach(dir => rmSync(dir, { recursive: true, force: true })))

async function run(playbook: string): Promise<{ code: number; stdout: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pbmeta'))
  dirs.push(dir)
  writeFileSync(path.join(dir, 'inventory.ini'), INVENTORY)
  writeFileSync(path.join(dir, 'playbook.yml'), playbook.replace(/^\n/, ''))
  let stdout = ''
  const code = await runPlaybookCommand(['-i', 'inventory.ini', 'playbook.yml'], {
    stdout: text => void (stdout += text),
    stderr: () => undefined,
    cwd: dir,
    env: { PATH: process.env.PATH }
  })
  return { code, stdout }
}

/** The hosts with an `ok` result for the debug message `msg`, in order. */
function okHosts(stdout: string, msg: string): string[] {
  const pattern = new RegExp(`^ok: \\[(\\w+)\\] => \\{\\n    "msg": "${msg}"`, 'gm')
  return [...stdout.matchAll(pattern)].map(match => match[1])
}

function recap(stdout: string, host: string): string {
  const line = stdout.split('\n').find(entry => entry.startsWith(`${host} `))
  return (line ?? '').replace(/\s+/g, ' ').trim()
}

describe('meta actions under serial', () => {
  it('end_play ends the play, not only the batch, and the next play runs', async () => {
    const { code, stdout } = await run(`
- hosts: all
  gather_facts: false
  serial: 1
  tasks:
    - debug: msg=one
    - meta: end_play
- hosts: all
  gather_facts: false
  tasks:
    - debug: msg=two
`)
    expect(code).toBe(0)
    expect(okHosts(stdout, 'one')).toEqual(['h1'])
    expect(okHosts(stdout, 'two')).toEqual(['h1', 'h2', 'h3', 'h4'])
    // Only the first batch's PLAY banner, then the second play's.
    expect(stdout.match(/^PLAY \[all\]/gm)).toHaveLength(2)
    expect(stdout.match(/^TASK \[meta\]/gm)).toHaveLength(1)
    expect(recap(stdout, 'h1')).toBe(
      'h1 : ok=2 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0'
    )
    expect(recap(stdout, 'h2')).toBe(
      'h2 : ok=1 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0'
    )
  }, 60_000)

  it('end_play with a false condition continues the play and its batches', async () => {
    const { stdout } = await run(`
- hosts: all
  gather_facts: false
  serial: 2
  tasks:
    - debug: msg=one
    - meta: end_play
      when: inventory_hostname == 'h3'
    - debug: msg=three
`)
    expect(okHosts(stdout, 'one')).toEqual(['h1', 'h2', 'h3', 'h4'])
    expect(okHosts(stdout, 'three')).toEqual(['h1', 'h2'])
    expect(stdout).toContain('skipping: [h1]')
  }, 60_000)

  it('end_batch ends only the current batch', async () => {
    const { code, stdout } = await run(`
- hosts: all
  gather_facts: false
  serial: 1
  tasks:
    - debug: msg=one
    - meta: end_batch
    - debug: msg=never
`)
    expect(code).toBe(0)
    expect(okHosts(stdout, 'one')).toEqual(['h1', 'h2', 'h3', 'h4'])
    expect(okHosts(stdout, 'never')).toEqual([])
  }, 60_000)

  it('clear_facts clears the facts of the current batch only', async () => {
    const { stdout } = await run(`
- hosts: all
  gather_facts: false
  tasks:
    - set_fact: {f: set, cacheable: true}
- hosts: all
  gather_facts: false
  serial: 2
  tasks:
    - meta: clear_facts
      when: inventory_hostname == 'h1'
    - debug:
        msg: "{{ groups.all | map('extract', hostvars) | map(attribute='ansible_facts') | map(attribute='f', default='none') | join(',') }}"
`)
    expect(okHosts(stdout, 'none,none,set,set')).toEqual(['h1', 'h2', 'h3', 'h4'])
  }, 60_000)

  it('clear_host_errors clears failed and unreachable hosts of the batch', async () => {
    const { code, stdout } = await run(`
- hosts: all
  gather_facts: false
  serial: 2
  tasks:
    - fail: msg=boom
      when: inventory_hostname == 'h1'
    - ping:
      vars: {ansible_connection: ssh, ansible_host: 127.0.0.9, ansible_port: 1}
      when: inventory_hostname == 'h3'
    - meta: clear_host_errors
    - debug: msg=cleared
- hosts: all
  gather_facts: false
  tasks:
    - debug: msg=after
`)
    // h3 is unreachable (Ansible: connection refused; here: ssh is not supported). The failed
    // host does not resume its play; the unreachable one does, over a new connection.
    expect(okHosts(stdout, 'cleared')).toEqual(['h2', 'h3', 'h4'])
    expect(okHosts(stdout, 'after')).toEqual(['h1', 'h2', 'h3', 'h4'])
    expect(stdout).toMatch(/^fatal: \[h3\]: UNREACHABLE!/m)
    expect(recap(stdout, 'h1')).toBe(
      'h1 : ok=1 changed=0 unreachable=0 failed=1 skipped=0 rescued=0 ignored=0'
    )
    expect(recap(stdout, 'h3')).toBe(
      'h3 : ok=2 changed=0 unreachable=1 failed=0 skipped=1 rescued=0 ignored=0'
    )
    // No host is left failed or unreachable: ansible-playbook exits 0.
    expect(code).toBe(0)
  }, 60_000)
})
