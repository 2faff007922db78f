// How one host's kubectl processes authenticate. Paths and names may go on argv; secrets
// (token, password, a kubeconfig given as a mapping, …) never do: they are folded, with
// client-go's flag-override semantics, into a per-host kubeconfig file (0600, in the run's
// private temp dir, removed when the connection closes) that kubectl reads via --kubeconfig.
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { KubectlTarget } from './settings.js'

export interface AccessRuntime {
  /** Private per-run directory (0700) for generated kubeconfigs. */
  tempDir: string
  /** Run-level kubeconfig (written by the action or given to the CLI). */
  kubeconfig?: string
  context?: string
  cwd: string
  env: Record<string, string | undefined>
}

export interface KubectlAccess {
  /** Global kubectl arguments, free of secrets. */
  args: string[]
  /** The generated kubeconfig file, if one was needed. */
  file?: string
  dispose(): Promise<void>
}

type Mapping = Record<string, unknown>

interface Named {
  name: string
  [key: string]: unknown
}

interface LoadedConfig {
  config: Mapping
  /** Directory that relative file references in the config are relative to. */
  baseDir: string
}

function needsGeneratedConfig(target: KubectlTarget): boolean {
  return (
    typeof target.kubeconfig === 'object' ||
    [
      target.server,
      target.username,
      target.password,
      target.token,
      target.clientCert,
      target.clientKey,
      target.caCert
    ].some(value => value !== undefined) ||
    target.validateCerts !== undefined
  )
}

export async function prepareAccess(
  target: KubectlTarget,
  runtime: AccessRuntime
): Promise<KubectlAccess> {
  const namespace = target.namespace ? ['-n', target.namespace] : []
  if (!needsGeneratedConfig(target)) {
    const kubeconfig = (target.kubeconfig as string | undefined) ?? runtime.kubeconfig
    const context = target.context ?? runtime.context
    return {
      args: [
        ...(kubeconfig ? ['--kubeconfig', path.resolve(runtime.cwd, kubeconfig)] : []),
        ...(context ? ['--context', context] : []),
        ...namespace
      ],
      dispose: async () => undefined
    }
  }
  const base = await loadBase(target, runtime)
  const generated = overrideConfig(base, target, target.context ?? runtime.context, runtime.cwd)
  const file = path.join(runtime.tempDir, `kubeconfig-${randomBytes(8).toString('hex')}.json`)
  await writeFile(file, JSON.stringify(generated), { mode: 0o600, flag: 'wx' })
  return {
    args: ['--kubeconfig', file, ...namespace],
    file,
    dispose: () => rm(file, { force: true })
  }
}

async function loadBase(target: KubectlTarget, runtime: AccessRuntime): Promise<LoadedConfig[]> {
  if (typeof target.kubeconfig === 'object') {
    return [{ config: target.kubeconfig, baseDir: runtime.cwd }]
  }
  const explicit = target.kubeconfig ?? runtime.kubeconfig
  const files = explicit
    ? [path.resolve(runtime.cwd, explicit)]
    : (runtime.env.KUBECONFIG ?? '')
        .split(path.delimiter)
        .filter(file => file !== '')
        .map(file => path.resolve(runtime.cwd, file))
  if (files.length === 0) {
    const fallback = path.join(runtime.env.HOME ?? homedir(), '.kube', 'config')
    if (existsSync(fallback)) files.push(fallback)
  }
  const loaded: LoadedConfig[] = []
  for (const file of files) {
    // Like kubectl: an explicit file must exist, missing KUBECONFIG entries are skipped.
    if (!explicit && !existsSync(file)) continue
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new Error(`cannot read kubeconfig ${file}: ${(error as Error).message}`)
    }
    let config: unknown
    try {
      config = parseYaml(text)
    } catch (error) {
      throw new Error(`kubeconfig ${file} is not valid YAML: ${(error as Error).message}`)
    }
    if (config !== null && (typeof config !== 'object' || Array.isArray(config))) {
      throw new Error(`kubeconfig ${file} must be a mapping`)
    }
    loaded.push({ config: (config ?? {}) as Mapping, baseDir: path.dirname(file) })
  }
  return loaded
}

function namedList(config: Mapping, key: string): Named[] {
  const list = config[key]
  if (!Array.isArray(list)) return []
  return list.filter(
    (item): item is Named =>
      typeof item === 'object' && item !== null && typeof item.name === 'string'
  )
}

/** kubectl's merge of several kubeconfig files: the first file that names an entry wins. */
function findEntry(
  sources: LoadedConfig[],
  listKey: string,
  itemKey: string,
  name: string | undefined
): { entry: Mapping; baseDir: string } | undefined {
  if (name === undefined) return undefined
  for (const source of sources) {
    const found = namedList(source.config, listKey).find(item => item.name === name)
    if (found) {
      const entry = found[itemKey]
      return {
        entry: typeof entry === 'object' && entry !== null ? { ...(entry as Mapping) } : {},
        baseDir: source.baseDir
      }
    }
  }
  return undefined
}

const FILE_KEYS = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile']

/** The generated file lives elsewhere: make the entry's file references absolute. */
function absolutize(entry: Mapping, baseDir: string): Mapping {
  for (const key of FILE_KEYS) {
    const value = entry[key]
    if (typeof value === 'string' && value !== '') entry[key] = path.resolve(baseDir, value)
  }
  const exec = entry.exec as Mapping | undefined
  if (exec && typeof exec.command === 'string' && exec.command.includes('/')) {
    entry.exec = { ...exec, command: path.resolve(baseDir, exec.command) }
  }
  return entry
}

function overrideConfig(
  sources: LoadedConfig[],
  target: KubectlTarget,
  contextOverride: string | undefined,
  cwd: string
): Mapping {
  const currentContext =
    contextOverride ??
    sources.map(source => source.config['current-context']).find(value => typeof value === 'string')
  const contextName = typeof currentContext === 'string' ? currentContext : undefined
  const context = findEntry(sources, 'contexts', 'context', contextName)
  if (contextOverride !== undefined && !context) {
    throw new Error(`context "${contextOverride}" does not exist in the kubeconfig`)
  }
  const clusterName = context?.entry.cluster as string | undefined
  const userName = context?.entry.user as string | undefined
  const clusterFound = findEntry(sources, 'clusters', 'cluster', clusterName)
  const userFound = findEntry(sources, 'users', 'user', userName)
  const cluster = clusterFound ? absolutize(clusterFound.entry, clusterFound.baseDir) : {}
  const user = userFound ? absolutize(userFound.entry, userFound.baseDir) : {}

  if (target.server !== undefined) cluster.server = target.server
  if (target.caCert !== undefined) {
    cluster['certificate-authority'] = path.resolve(cwd, target.caCert)
    delete cluster['certificate-authority-data']
  }
  if (target.validateCerts === false) {
    // client-go drops the CA when verification is off (a CA plus insecure is an error).
    cluster['insecure-skip-tls-verify'] = true
    delete cluster['certificate-authority']
    delete cluster['certificate-authority-data']
  } else if (target.validateCerts === true) {
    delete cluster['insecure-skip-tls-verify']
  }
  if (target.token !== undefined) {
    user.token = target.token
    for (const key of ['tokenFile', 'exec', 'auth-provider']) delete user[key]
  }
  if (target.username !== undefined) user.username = target.username
  if (target.password !== undefined) user.password = target.password
  if (target.clientCert !== undefined) {
    user['client-certificate'] = path.resolve(cwd, target.clientCert)
    delete user['client-certificate-data']
  }
  if (target.clientKey !== undefined) {
    user['client-key'] = path.resolve(cwd, target.clientKey)
    delete user['client-key-data']
  }

  const name = 'kubectl-ansible'
  const namespace = context?.entry.namespace
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [
      {
        name,
        context: {
          cluster: name,
          user: name,
          ...(typeof namespace === 'string' ? { namespace } : {})
        }
      }
    ],
    'current-context': name
  }
}
