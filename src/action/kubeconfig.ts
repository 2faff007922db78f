// The kubeconfig of a run: the one given as content (plain or base64, decoded by inputs.ts) or one
// built from server/token/CA. Its credentials are registered as secrets before anything is
// logged, then it is written once, mode 0600, into the run's private directory in RUNNER_TEMP.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseDocument } from 'yaml'
import type { ClusterAccess } from './inputs.js'
import type { SecretRegistry } from './secrets.js'

/** Fields of a kubeconfig `user` whose values are credentials. */
const CREDENTIAL_KEYS = new Set([
  'token',
  'password',
  'client-key-data',
  'client-certificate-data',
  'id-token',
  'refresh-token',
  'access-token',
  'client-secret'
])

/** Registers every credential found in kubeconfig text (nested auth-provider/exec configs too). */
export function registerKubeconfigSecrets(text: string, secrets: SecretRegistry): void {
  secrets.add(text)
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === 'string') {
      if (key !== undefined && CREDENTIAL_KEYS.has(key)) {
        secrets.add(value)
        if (key.endsWith('-data')) secrets.add(Buffer.from(value, 'base64').toString('utf8'))
      }
    } else if (Array.isArray(value)) {
      value.forEach(item => visit(item, key))
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value as Record<string, unknown>)
      // exec plugins pass credentials as env: [{name, value}]
      if ('name' in value && 'value' in value)
        secrets.add(String((value as { value: unknown }).value))
      for (const [childKey, child] of entries) visit(child, childKey)
    }
  }
  // A malformed file is kubectl's to report; a YAML error message here could quote a secret.
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false })
  if (document.errors.length === 0) visit(document.toJS(), undefined)
}

/** Kubeconfig text for the inputs, or undefined when kubectl's own default applies. */
export function kubeconfigFromAccess(access: ClusterAccess): string | undefined {
  if (access.kubeconfigText !== undefined) return access.kubeconfigText
  if (access.server === undefined) return undefined
  const name = 'kubectl-ansible'
  const cluster: Record<string, unknown> = { server: access.server }
  if (access.certificateAuthorityData)
    cluster['certificate-authority-data'] = access.certificateAuthorityData
  if (access.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: access.token ? { token: access.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name
  }
  // JSON is YAML: no quoting pitfalls for tokens or URLs.
  return `${JSON.stringify(config, null, 2)}\n`
}

/** Writes the kubeconfig (0600, never overwriting) into the run's private directory. */
export async function writeKubeconfig(runDir: string, text: string): Promise<string> {
  const file = path.join(runDir, 'kubeconfig')
  await writeFile(file, text, { mode: 0o600, flag: 'wx' })
  return file
}
