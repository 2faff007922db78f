// The connection variables of kubernetes.core.kubectl (same names, aliases and K8S_AUTH_*
// environment fallbacks, in its documented order: the first alias set wins, variables beat the
// environment), resolved into one typed target for a host.

export interface KubectlTarget {
  /** inventory_hostname, for messages. */
  host: string
  pod: string
  container?: string
  namespace?: string
  /** A kubeconfig path, or the kubeconfig itself as a mapping. */
  kubeconfig?: string | Record<string, unknown>
  context?: string
  server?: string
  username?: string
  password?: string
  token?: string
  clientCert?: string
  clientKey?: string
  caCert?: string
  validateCerts?: boolean
  extraArgs: string[]
  /** Extra environment for the kubectl process (ansible_kubectl_local_env_vars). */
  localEnv: Record<string, string>
  shellExecutable: string
  remoteTmp: string
}

interface OptionSource {
  vars: string[]
  env: string[]
}

const OPTIONS = {
  pod: { vars: ['ansible_kubectl_pod'], env: ['K8S_AUTH_POD'] },
  container: { vars: ['ansible_kubectl_container'], env: ['K8S_AUTH_CONTAINER'] },
  namespace: { vars: ['ansible_kubectl_namespace'], env: ['K8S_AUTH_NAMESPACE'] },
  extraArgs: { vars: ['ansible_kubectl_extra_args'], env: ['K8S_AUTH_EXTRA_ARGS'] },
  localEnv: { vars: ['ansible_kubectl_local_env_vars'], env: [] },
  kubeconfig: {
    vars: ['ansible_kubectl_kubeconfig', 'ansible_kubectl_config'],
    env: ['K8S_AUTH_KUBECONFIG']
  },
  context: { vars: ['ansible_kubectl_context'], env: ['K8S_AUTH_CONTEXT'] },
  server: {
    vars: ['ansible_kubectl_host', 'ansible_kubectl_server'],
    env: ['K8S_AUTH_HOST', 'K8S_AUTH_SERVER']
  },
  username: {
    vars: ['ansible_kubectl_username', 'ansible_kubectl_user'],
    env: ['K8S_AUTH_USERNAME']
  },
  password: { vars: ['ansible_kubectl_password'], env: ['K8S_AUTH_PASSWORD'] },
  token: {
    vars: ['ansible_kubectl_token', 'ansible_kubectl_api_key'],
    env: ['K8S_AUTH_TOKEN', 'K8S_AUTH_API_KEY']
  },
  clientCert: {
    vars: ['ansible_kubectl_cert_file', 'ansible_kubectl_client_cert'],
    env: ['K8S_AUTH_CERT_FILE']
  },
  clientKey: {
    vars: ['ansible_kubectl_key_file', 'ansible_kubectl_client_key'],
    env: ['K8S_AUTH_KEY_FILE']
  },
  caCert: {
    vars: ['ansible_kubectl_ssl_ca_cert', 'ansible_kubectl_ca_cert'],
    env: ['K8S_AUTH_SSL_CA_CERT']
  },
  validateCerts: {
    vars: ['ansible_kubectl_verify_ssl', 'ansible_kubectl_validate_certs'],
    env: ['K8S_AUTH_VERIFY_SSL']
  }
} satisfies Record<string, OptionSource>

type OptionName = keyof typeof OPTIONS

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== ''
}

function lookup(
  name: OptionName,
  hostVars: Record<string, unknown>,
  env: Record<string, string | undefined>
): { value: unknown; from: string } | undefined {
  const source: OptionSource = OPTIONS[name]
  for (const variable of source.vars) {
    if (isSet(hostVars[variable])) return { value: hostVars[variable], from: variable }
  }
  for (const variable of source.env) {
    if (isSet(env[variable])) return { value: env[variable], from: variable }
  }
  return undefined
}

function asString(found: { value: unknown; from: string } | undefined): string | undefined {
  if (!found) return undefined
  if (typeof found.value === 'string') return found.value
  if (typeof found.value === 'number' || typeof found.value === 'boolean')
    return String(found.value)
  throw new Error(`${found.from} must be a string, got ${describe(found.value)}`)
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object' && value !== null) return 'a mapping'
  return typeof value
}

const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't', '1.0'])
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f', '0.0'])

/** Ansible's boolean(): the usual true/false words, case-insensitive; anything else is an error. */
export function parseBoolean(value: unknown, from: string): boolean {
  if (typeof value === 'boolean') return value
  const word = String(value).trim().toLowerCase()
  if (TRUE_WORDS.has(word)) return true
  if (FALSE_WORDS.has(word)) return false
  throw new Error(`${from} must be a boolean (yes/no, true/false), got '${String(value)}'`)
}

function parseLocalEnv(
  found: { value: unknown; from: string } | undefined
): Record<string, string> {
  if (!found) return {}
  let value = found.value
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      throw new Error(`${found.from} must be a mapping or a JSON object`)
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${found.from} must be a mapping, got ${describe(value)}`)
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]))
}

function parseKubeconfig(
  found: { value: unknown; from: string } | undefined
): string | Record<string, unknown> | undefined {
  if (!found) return undefined
  const { value } = found
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>
  }
  throw new Error(`${found.from} must be a path or a mapping, got ${describe(value)}`)
}

export function resolveKubectlTarget(
  hostVars: Record<string, unknown>,
  env: Record<string, string | undefined>
): KubectlTarget {
  const get = (name: OptionName) => lookup(name, hostVars, env)
  const host = String(hostVars.inventory_hostname ?? '')
  const pod = asString(get('pod')) ?? asString(lookup1('ansible_host', hostVars)) ?? host
  if (pod === '') throw new Error('no pod name: set ansible_kubectl_pod or ansible_host')
  const validate = get('validateCerts')
  const extraArgs = asString(get('extraArgs'))
  return {
    host: host || pod,
    pod,
    container: asString(get('container')),
    namespace: asString(get('namespace')),
    kubeconfig: parseKubeconfig(get('kubeconfig')),
    context: asString(get('context')),
    server: asString(get('server')),
    username: asString(get('username')),
    password: asString(get('password')),
    token: asString(get('token')),
    clientCert: asString(get('clientCert')),
    clientKey: asString(get('clientKey')),
    caCert: asString(get('caCert')),
    validateCerts: validate ? parseBoolean(validate.value, validate.from) : undefined,
    // kubernetes.core splits on single spaces; empty pieces (double spaces) are dropped here.
    extraArgs: extraArgs ? extraArgs.split(' ').filter(arg => arg !== '') : [],
    localEnv: parseLocalEnv(get('localEnv')),
    shellExecutable: asString(lookup1('ansible_shell_executable', hostVars)) ?? '/bin/sh',
    remoteTmp: asString(lookup1('ansible_remote_tmp', hostVars)) ?? '~/.ansible/tmp'
  }
}

function lookup1(
  variable: string,
  hostVars: Record<string, unknown>
): { value: unknown; from: string } | undefined {
  return isSet(hostVars[variable]) ? { value: hostVars[variable], from: variable } : undefined
}
