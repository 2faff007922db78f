// The kubeconfig the cluster hands its clients: one cluster, one token user, one context.
// The CA is embedded so the file works wherever it is copied (e.g. base64 into an action input).
import { stringify } from 'yaml'

export const CONTEXT_NAME = 'test-cluster'

export function kubeconfigText(server: string, token: string, caPem: string | undefined): string {
  const cluster: Record<string, string> = { server }
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64')
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster }],
    users: [{ name: 'test-user', user: { token } }],
    contexts: [
      {
        name: CONTEXT_NAME,
        context: { cluster: CONTEXT_NAME, user: 'test-user', namespace: 'default' }
      }
    ],
    'current-context': CONTEXT_NAME,
    preferences: {}
  })
}
