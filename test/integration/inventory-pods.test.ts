// `k8s://` inventories end to end: the real kubectl lists pods of the local test cluster (one
// `kubectl get pods -o json`), Running pods become hosts with label groups and kubectl vars,
// the others are reported on stderr.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runInventoryCommand } from '../../src/cli/inventory.js'
import { startCluster, type Cluster } from '../cluster/index.js'

let cluster: Cluster

beforeAll(async () => {
  cluster = await startCluster({
    pods: [
      { name: 'web-b', namespace: 'shop', labels: { app: 'web', 'tier.io/role': 'front-end' } },
      { name: 'web-a', namespace: 'shop', labels: { app: 'web' }, containers: ['app', 'sidecar'] },
      { name: 'web-c', namespace: 'shop', labels: { app: 'web' }, phase: 'Pending' },
      { name: 'db-0', namespace: 'shop', labels: { app: 'db' } },
      { name: 'web-x', namespace: 'other', labels: { app: 'web' } }
    ]
  })
})

afterAll(async () => {
  await cluster?.stop()
})

async function inventoryCli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const rc = await runInventoryCommand(
    [...args, '--kubectl', '/usr/bin/kubectl', '--kubeconfig', cluster.kubeconfigPath],
    {
      stdout: text => void (stdout += text),
      stderr: text => void (stderr += text),
      cwd: cluster.dir,
      env: { PATH: process.env.PATH, HOME: cluster.dir }
    }
  )
  return { rc, stdout, stderr }
}

describe('k8s:// inventory with the real kubectl', () => {
  it('lists Running pods of the selector as hosts, grouped by namespace and label', async () => {
    const result = await inventoryCli(['-i', 'k8s://shop?selector=app%3Dweb', '--list'])
    expect(result.rc).toBe(0)
    const listing = JSON.parse(result.stdout)
    expect(listing.namespace_shop.hosts).toEqual(['web-a', 'web-b'])
    expect(listing.label_app_web.hosts).toEqual(['web-a', 'web-b'])
    expect(listing.label_tier_io_role_front_end.hosts).toEqual(['web-b'])
    expect(listing._meta.hostvars['web-a']).toMatchObject({
      ansible_connection: 'kubectl',
      ansible_kubectl_pod: 'web-a',
      ansible_kubectl_namespace: 'shop',
      ansible_kubectl_container: 'app',
      pod_name: 'web-a',
      pod_phase: 'Running',
      labels: { app: 'web' }
    })
    expect(listing._meta.hostvars['db-0']).toBeUndefined()
    expect(result.stderr).toContain('[WARNING]: pod shop/web-c is not a host: pod phase is Pending')
  })

  it('makes one host per container with container=*, and matches patterns over pods', async () => {
    const perContainer = await inventoryCli([
      '-i',
      'k8s://shop?selector=app%3Dweb&container=*',
      '--list-hosts',
      'web-a*'
    ])
    expect(perContainer.stdout.split('\n').filter(Boolean)).toEqual(['web-a_app', 'web-a_sidecar'])
    const union = await inventoryCli([
      '-i',
      'k8s://shop',
      '-i',
      'k8s://other',
      '--list-hosts',
      'label_app_web:!namespace_other'
    ])
    expect(union.stdout.split('\n').filter(Boolean)).toEqual(['web-a', 'web-b'])
  })

  it('fails with exit code 4 and kubectl’s reason when the pods cannot be listed', async () => {
    let failure = ''
    const result = await runInventoryCommand(
      [
        '-i',
        'k8s://shop',
        '--list',
        '--kubectl',
        '/usr/bin/kubectl',
        '--kubeconfig',
        '/nonexistent/kubeconfig'
      ],
      {
        stdout: () => {},
        stderr: text => void (failure += text),
        cwd: cluster.dir,
        env: { PATH: process.env.PATH }
      }
    )
    expect(result).toBe(4)
    expect(failure).toMatch(/^ERROR! k8s:\/\/shop: cannot list pods in namespace shop: /)
  })
})
