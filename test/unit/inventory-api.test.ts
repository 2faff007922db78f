// The Inventory API the executor, the CLI and the action use: sources of every kind, merged
// host variables with magic vars, runtime add_host/group_by, playbook-side vars dirs, limits,
// shards, the implicit localhost and pods from a pod listing.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  HostPatternError,
  InventoryError,
  inventoryListJson,
  loadInventory,
  pythonJsonDumps,
  type PodObject
} from '../../src/inventory/index.js'

let dir: string

function write(relative: string, text: string): string {
  const file = path.join(dir, relative)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, text)
  return file
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'inv-api-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('loadInventory sources', () => {
  it('reads inline INI and YAML text, host lists and files together', async () => {
    write('more.yml', 'all:\n  children:\n    db:\n      hosts:\n        d1:\n')
    const inventory = await loadInventory(
      ['[web]\nw1 x=1\nw2\n', 'h1,h2:2222,', 'more.yml', 'all:\n  hosts:\n    y1:\n'],
      {
        cwd: dir
      }
    )
    // Ansible's order: hosts put straight into `all` first, then `all`'s children in the order
    // they were attached (YAML attaches `db` while parsing, INI groups only at reconcile time).
    expect(inventory.allHosts()).toEqual(['y1', 'h1', 'h2', 'd1', 'w1', 'w2'])
    expect(inventory.hostVars('h2')).toMatchObject({
      ansible_port: 2222,
      inventory_file: 'h1,h2:2222,'
    })
    expect(inventory.hostVars('w1')).toMatchObject({
      x: 1,
      inventory_file: null,
      inventory_dir: null
    })
    expect(inventory.hostVars('d1')).toMatchObject({
      inventory_file: path.join(dir, 'more.yml'),
      inventory_dir: dir
    })
    expect(inventory.warnings).toEqual([])
  })

  it('warns like Ansible for a source it cannot parse, and says nothing was parsed', async () => {
    const inventory = await loadInventory(['missing.ini'], { cwd: dir })
    expect(inventory.parsed).toBe(false)
    expect(inventory.warnings).toEqual([
      `Unable to parse ${path.join(dir, 'missing.ini')} as an inventory source`,
      'No inventory was parsed, only implicit localhost is available'
    ])
    expect(inventory.listHosts('localhost')).toEqual(['localhost'])
    expect(inventory.hostVars('localhost')).toMatchObject({ ansible_connection: 'local' })
  })

  it('stops on !vault with an InventoryError naming the file and line', async () => {
    write('hosts.yml', 'all:\n  vars:\n    secret: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n')
    const error = await loadInventory(['hosts.yml'], { cwd: dir }).catch(e => e)
    expect(error).toBeInstanceOf(InventoryError)
    expect(error.exitCode).toBe(4)
    expect(error.message).toMatch(
      new RegExp(`^${path.join(dir, 'hosts.yml')}:3: vault-encrypted values`)
    )
  })
})

describe('variables', () => {
  it('merges group, group_vars and host_vars with playbook dirs above inventory dirs', async () => {
    write(
      'inv/hosts',
      '[web]\nw1 h=ini\n[app:children]\nweb\n[app:vars]\nv=app\n[web:vars]\nv=web\n'
    )
    write('inv/group_vars/all.yml', 'v: gv_all\nonly_all: 1\n')
    write('inv/group_vars/app.yml', 'v: gv_app\n')
    write('inv/host_vars/w1.yml', 'h: hv_inv\n')
    write('play/group_vars/web.yml', 'v: play_web\n')
    write('play/host_vars/w1/a.yml', 'h: hv_play\n')
    const inventory = await loadInventory(['inv/hosts'], { cwd: dir })
    expect(inventory.hostVars('w1')).toMatchObject({ v: 'gv_app', h: 'hv_inv', only_all: 1 })
    inventory.loadVarsDirs('play')
    expect(inventory.hostVars('w1')).toEqual({
      v: 'play_web',
      h: 'hv_play',
      only_all: 1,
      inventory_file: path.join(dir, 'inv/hosts'),
      inventory_dir: path.join(dir, 'inv'),
      inventory_hostname: 'w1',
      inventory_hostname_short: 'w1',
      group_names: ['app', 'web']
    })
    expect(inventory.groups()).toEqual({ all: ['w1'], ungrouped: [], web: ['w1'], app: ['w1'] })
  })

  it('prints --list JSON the way ansible-inventory does', async () => {
    write('hosts', '[g]\nh1 a=1\n')
    const inventory = await loadInventory(['hosts'], { cwd: dir })
    expect(pythonJsonDumps(inventoryListJson(inventory))).toBe(
      [
        '{',
        '    "_meta": {',
        '        "hostvars": {',
        '            "h1": {',
        '                "a": 1',
        '            }',
        '        }',
        '    },',
        '    "all": {',
        '        "children": [',
        '            "ungrouped",',
        '            "g"',
        '        ]',
        '    },',
        '    "g": {',
        '        "hosts": [',
        '            "h1"',
        '        ]',
        '    }',
        '}'
      ].join('\n')
    )
  })
})

describe('runtime changes', () => {
  it('add_host and group_by update groups, ungrouped and patterns', async () => {
    const inventory = await loadInventory(['[web]\nw1\n'], { cwd: dir })
    inventory.addHost('new1', [], { role: 'x' })
    expect(inventory.listHosts('ungrouped')).toEqual(['new1'])
    inventory.addHost('new1', ['late'])
    expect(inventory.listHosts('ungrouped')).toEqual([])
    inventory.addToGroup('os_linux', 'w1', ['os'])
    expect(inventory.listHosts('os')).toEqual(['w1'])
    expect(inventory.hostVars('new1')).toMatchObject({ role: 'x', group_names: ['late'] })
  })
})

describe('patterns, limits and shards', () => {
  it('applies --limit, @files and within', async () => {
    write('limit.txt', 'w2\nd1\n')
    const inventory = await loadInventory(['[web]\nw1\nw2\nw3\n[db]\nd1\n'], { cwd: dir })
    expect(inventory.listHosts('all', { limit: 'web:!w1' })).toEqual(['w2', 'w3'])
    expect(inventory.listHosts('all', { limit: '@limit.txt' })).toEqual(['w2', 'd1'])
    expect(inventory.listHosts('web', { within: ['w3', 'd1'] })).toEqual(['w3'])
    expect(() => inventory.listHosts('all', { limit: '@nope' })).toThrow(HostPatternError)
    expect(() => inventory.listHosts('web[7]')).toThrow(
      "No hosts matched the subscripted pattern 'web[7]'"
    )
  })

  it('shards the sorted host list into contiguous slices that cover it once', async () => {
    const inventory = await loadInventory(['e,d,c,b,a,'], { cwd: dir })
    const slices = [1, 2, 3].map(i => inventory.shard(i, 3))
    expect(slices).toEqual([['a'], ['b', 'c'], ['d', 'e']])
    expect(() => inventory.shard(4, 3)).toThrow(InventoryError)
  })
})

function pod(name: string, labels: Record<string, string>, phase = 'Running'): PodObject {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, labels },
    spec: {
      nodeName: 'node1',
      containers: [
        { name: 'app', image: 'busybox' },
        { name: 'side', image: 'nginx' }
      ]
    },
    status: {
      phase,
      podIP: '10.0.0.9',
      hostIP: '192.168.1.1',
      containerStatuses: [{ name: 'app', image: 'busybox:1', ready: true, state: { running: {} } }]
    }
  }
}

describe('pods as hosts', () => {
  it('makes Running pods hosts with kubectl vars and label groups, reports the others', async () => {
    const calls: string[] = []
    const listPods = async (namespace: string, selector: string) => {
      calls.push(`${namespace}|${selector}`)
      return [
        pod('web-2', { app: 'web', 'tier.io/x': 'a-b' }),
        pod('web-1', { app: 'web' }),
        pod('web-0', { app: 'web' }, 'Pending')
      ]
    }
    const inventory = await loadInventory(['k8s://shop?selector=app%3Dweb'], { cwd: dir, listPods })
    expect(calls).toEqual(['shop|app=web'])
    expect(inventory.listHosts('all')).toEqual(['web-1', 'web-2'])
    expect(inventory.listHosts('label_app_web')).toEqual(['web-1', 'web-2'])
    expect(inventory.listHosts('label_tier_io_x_a_b')).toEqual(['web-2'])
    expect(inventory.listHosts('namespace_shop')).toEqual(['web-1', 'web-2'])
    expect(inventory.hostVars('web-1')).toMatchObject({
      ansible_connection: 'kubectl',
      ansible_kubectl_pod: 'web-1',
      ansible_kubectl_namespace: 'shop',
      ansible_kubectl_container: 'app',
      pod_name: 'web-1',
      pod_ip: '10.0.0.9',
      pod_phase: 'Running',
      container_name: 'app',
      container_image: 'busybox:1',
      container_state: 'Running',
      labels: { app: 'web' }
    })
    expect(inventory.skippedPods).toEqual([
      { namespace: 'shop', pod: 'web-0', phase: 'Pending', reason: 'pod phase is Pending' }
    ])
    expect(inventory.warnings).toContain(
      'pod shop/web-0 is not a host: pod phase is Pending (phase Pending)'
    )
  })

  it('one host per container with container=*, and a chosen container', async () => {
    const listPods = async () => [pod('p1', {})]
    const perContainer = await loadInventory(['k8s://shop?container=*'], { cwd: dir, listPods })
    expect(perContainer.allHosts()).toEqual(['p1_app', 'p1_side'])
    expect(perContainer.hostVars('p1_side')).toMatchObject({
      ansible_kubectl_pod: 'p1',
      ansible_kubectl_container: 'side'
    })
    const chosen = await loadInventory(['k8s://shop?container=side'], { cwd: dir, listPods })
    expect(chosen.hostVars('p1')).toMatchObject({
      ansible_kubectl_container: 'side',
      container_image: 'nginx'
    })
  })

  it('rejects malformed k8s:// sources clearly', async () => {
    await expect(
      loadInventory(['k8s://Bad_NS?selector=a%3Db'], { cwd: dir, listPods: async () => [] })
    ).rejects.toThrow("'Bad_NS' is not a valid namespace name")
    await expect(
      loadInventory(['k8s://ns?selectr=a'], { cwd: dir, listPods: async () => [] })
    ).rejects.toThrow("unknown parameter 'selectr'")
  })
})

describe('pod listing failures', () => {
  it('turn into an InventoryError (exit code 4) naming the source', async () => {
    const listPods = async () => {
      throw new Error('cannot list pods in namespace shop: Forbidden')
    }
    const error = await loadInventory(['k8s://shop'], { cwd: dir, listPods }).catch(e => e)
    expect(error).toBeInstanceOf(InventoryError)
    expect(error.exitCode).toBe(4)
    expect(error.message).toBe('k8s://shop: cannot list pods in namespace shop: Forbidden')
  })
})
