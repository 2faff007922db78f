// The one typed place that reads the action's inputs (action.yml). Every value is parsed and
// validated here, before anything touches the cluster or downloads kubectl, and every mistake is
// an InputError naming the input. Defaults live here too: the end-to-end tests (and a runner
// that skips action.yml defaults) pass only the inputs they set.
import * as core from '@actions/core'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseDocument } from 'yaml'

export class InputError extends Error {
  constructor(input: string, problem: string) {
    super(`input '${input}': ${problem}`)
    this.name = 'InputError'
  }
}

export type FailOn = 'failed' | 'changed' | 'never'

export type KubectlVersionSpec =
  { kind: 'system' } | { kind: 'latest' } | { kind: 'exact'; version: string }

/** What to run: exactly one of a playbook, an inline task list, or an ad-hoc module. */
export type Workload =
  | { kind: 'playbook'; path: string }
  | { kind: 'inline-playbook'; text: string }
  | { kind: 'tasks'; text: string; hosts: string }
  | { kind: 'module'; module: string; args: string; hosts: string }

/** Pods found by label selector become the inventory (SPEC §6). */
export interface PodSelection {
  namespace: string
  selector: string
  container?: string
}

export interface ClusterAccess {
  /** Kubeconfig file given as a path (used as is, never copied or deleted). */
  kubeconfigPath?: string
  /** Kubeconfig content (plain YAML, base64 already decoded). */
  kubeconfigText?: string
  context?: string
  server?: string
  token?: string
  /** Base64 of the PEM CA bundle (plain PEM input is encoded here). */
  certificateAuthorityData?: string
  insecureSkipTlsVerify: boolean
}

export interface Inputs {
  workload: Workload
  /** Inventory paths, inline inventory text, or nothing (implicit localhost only). */
  inventory: InventoryInput[]
  pods?: PodSelection
  access: ClusterAccess
  kubectlVersion: KubectlVersionSpec
  kubectlMirror: string
  extraVars?: string
  limit?: string
  tags: string[]
  skipTags: string[]
  check: boolean
  diff: boolean
  forks: number
  timeoutSec: number
  shard?: { index: number; count: number }
  failOn: FailOn
  summary: boolean
  verbosity: number
  exportKubeconfig: boolean
}

/** `source`: an -i value used as is (resolved path, `h1,h2,` list, k8s:// URL); `inline`: content. */
export type InventoryInput = { kind: 'source'; source: string } | { kind: 'inline'; text: string }

export const DEFAULT_KUBECTL_MIRROR = 'https://dl.k8s.io/release'

type InputReader = (name: string) => string

/** Reads and validates every input. `cwd` resolves relative paths (the workspace). */
export function getInputs(
  cwd: string = process.cwd(),
  read: InputReader = name => core.getInput(name)
): Inputs {
  const text = (name: string): string | undefined => read(name).trim() || undefined
  const access = parseClusterAccess(read, cwd)
  return {
    workload: parseWorkload(read, cwd),
    inventory: parseInventory(text('inventory'), cwd),
    pods: parsePodSelection(text('namespace'), text('selector'), text('container')),
    access,
    kubectlVersion: parseKubectlVersion(text('kubectl-version') ?? 'system'),
    kubectlMirror: parseMirror(text('kubectl-mirror') ?? DEFAULT_KUBECTL_MIRROR),
    extraVars: parseExtraVars(read('extra-vars'), cwd),
    limit: text('limit'),
    tags: parseList(read('tags')),
    skipTags: parseList(read('skip-tags')),
    check: parseBoolean('check', read('check'), false),
    diff: parseBoolean('diff', read('diff'), false),
    forks: parseWholeNumber('forks', text('forks') ?? '5', 1),
    timeoutSec: parseWholeNumber('timeout', text('timeout') ?? '0', 0),
    shard: text('shard') === undefined ? undefined : parseShard(text('shard') as string),
    failOn: parseFailOn(text('fail-on') ?? 'failed'),
    summary: parseBoolean('summary', read('summary'), true),
    verbosity: parseVerbosity(text('verbosity') ?? '0'),
    exportKubeconfig: parseBoolean('export-kubeconfig', read('export-kubeconfig'), false)
  }
}

function parseWorkload(read: InputReader, cwd: string): Workload {
  const playbook = read('playbook').trim()
  const tasks = read('tasks').trim()
  const module = read('module').trim()
  const given = [playbook && 'playbook', tasks && 'tasks', module && 'module'].filter(Boolean)
  if (given.length !== 1) {
    const problem = given.length === 0 ? 'none is set' : `${given.join(' and ')} are set`
    throw new InputError(
      given.length ? given.join("', '") : 'playbook',
      `exactly one of playbook, tasks, module is needed; ${problem}`
    )
  }
  const hosts = read('hosts').trim() || 'all'
  if (module) {
    if (!/^[A-Za-z0-9_.]+$/.test(module))
      throw new InputError('module', `'${module}' is not a module name`)
    return { kind: 'module', module, args: read('args').trim(), hosts }
  }
  if (tasks) {
    const parsed = parseYamlInput('tasks', tasks)
    if (!Array.isArray(parsed))
      throw new InputError('tasks', 'expected a YAML list of tasks (lines starting with "- ")')
    return { kind: 'tasks', text: tasks, hosts }
  }
  if (looksInline(playbook)) {
    const parsed = parseYamlInput('playbook', playbook)
    if (!Array.isArray(parsed))
      throw new InputError('playbook', 'inline playbook must be a YAML list of plays')
    return { kind: 'inline-playbook', text: playbook }
  }
  const resolved = path.resolve(cwd, playbook)
  if (!existsSync(resolved)) throw new InputError('playbook', `file not found: ${playbook}`)
  return { kind: 'playbook', path: resolved }
}

/** A value with a line break, or a YAML list on one line, is content rather than a path. */
function looksInline(value: string): boolean {
  return value.includes('\n') || value.startsWith('- ') || value.startsWith('[')
}

/** YAML 1.1 like the playbook loader; errors name the input and the line inside it. */
function parseYamlInput(input: string, text: string): unknown {
  const document = parseDocument(text, { version: '1.1', prettyErrors: true, uniqueKeys: false })
  const firstError = document.errors[0]
  if (firstError) {
    const line = firstError.linePos?.[0].line
    const where = line === undefined ? '' : `line ${line}: `
    const problem = firstError.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
    throw new InputError(input, `${where}invalid YAML: ${problem}`)
  }
  return document.toJS()
}

function parseInventory(value: string | undefined, cwd: string): InventoryInput[] {
  if (value === undefined) return []
  const lines = value
    .split('\n')
    .map(line => line.trim())
    .filter(line => line !== '')
  // Several existing paths (or host lists / k8s:// URLs), one per line, are several -i sources.
  const isSource = (line: string): boolean =>
    line.startsWith('k8s://') ||
    (line.includes(',') && !/\s|=/.test(line)) ||
    existsSync(path.resolve(cwd, line))
  if (lines.every(isSource)) {
    return lines.map(line => ({
      kind: 'source',
      source: existsSync(path.resolve(cwd, line)) ? path.resolve(cwd, line) : line
    }))
  }
  if (lines.length === 1 && !/[\s=[\]:]/.test(lines[0])) {
    throw new InputError('inventory', `file not found: ${lines[0]}`)
  }
  return [{ kind: 'inline', text: value }]
}

function parsePodSelection(
  namespace: string | undefined,
  selector: string | undefined,
  container: string | undefined
): PodSelection | undefined {
  if (namespace === undefined && selector === undefined) {
    if (container !== undefined) throw new InputError('container', 'needs namespace or selector')
    return undefined
  }
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
    throw new InputError('namespace', `'${namespace}' is not a valid namespace name`)
  }
  return { namespace: namespace ?? 'default', selector: selector ?? '', container }
}

function parseClusterAccess(read: InputReader, cwd: string): ClusterAccess {
  const kubeconfig = read('kubeconfig').trim()
  const server = read('server').trim() || undefined
  const token = read('token').trim() || undefined
  const ca = read('certificate-authority-data').trim() || undefined
  const insecureSkipTlsVerify = parseBoolean(
    'insecure-skip-tls-verify',
    read('insecure-skip-tls-verify'),
    false
  )
  if (kubeconfig && server) throw new InputError('server', "cannot be combined with 'kubeconfig'")
  if (!server) {
    const orphan = token
      ? 'token'
      : ca
        ? 'certificate-authority-data'
        : insecureSkipTlsVerify
          ? 'insecure-skip-tls-verify'
          : ''
    if (orphan)
      throw new InputError(
        orphan,
        "needs 'server' (a kubeconfig is built from server, token and CA)"
      )
  } else if (!/^https?:\/\/[^\s]+$/.test(server)) {
    throw new InputError('server', `expected an https:// URL, got '${server}'`)
  }
  if (ca && insecureSkipTlsVerify) {
    throw new InputError(
      'insecure-skip-tls-verify',
      "cannot be combined with 'certificate-authority-data'"
    )
  }
  const access: ClusterAccess = {
    context: read('context').trim() || undefined,
    server,
    token,
    certificateAuthorityData: ca === undefined ? undefined : parseCertificateAuthority(ca),
    insecureSkipTlsVerify
  }
  if (kubeconfig) Object.assign(access, parseKubeconfigInput(kubeconfig, cwd))
  return access
}

function parseCertificateAuthority(value: string): string {
  if (value.includes('-----BEGIN')) return Buffer.from(`${value}\n`).toString('base64')
  const decoded = decodeBase64(value)
  if (decoded === undefined || !decoded.includes('-----BEGIN')) {
    throw new InputError('certificate-authority-data', 'expected a PEM certificate or its base64')
  }
  return value.replace(/\s+/g, '')
}

/** Kubeconfig content, plain or base64 (detected), or the path of an existing file. */
function parseKubeconfigInput(
  value: string,
  cwd: string
): Pick<ClusterAccess, 'kubeconfigPath' | 'kubeconfigText'> {
  const decoded = decodeBase64(value)
  const text = decoded !== undefined && isKubeconfig(decoded) ? decoded : value
  if (isKubeconfig(text)) return { kubeconfigText: text }
  if (!value.includes('\n') && existsSync(path.resolve(cwd, value))) {
    return { kubeconfigPath: path.resolve(cwd, value) }
  }
  // Never echo the value: it is a secret even when malformed.
  throw new InputError(
    'kubeconfig',
    'is neither kubeconfig YAML, nor its base64, nor an existing file path'
  )
}

function decodeBase64(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '')
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined
  return Buffer.from(compact, 'base64').toString('utf8')
}

function isKubeconfig(text: string): boolean {
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false })
  if (document.errors.length > 0) return false
  const value: unknown = document.toJS()
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    ('clusters' in value || 'contexts' in value)
  )
}

export function parseKubectlVersion(value: string): KubectlVersionSpec {
  if (value === 'system' || value === 'latest') return { kind: value }
  const match = /^v?(\d+\.\d+\.\d+)$/.exec(value)
  if (!match)
    throw new InputError(
      'kubectl-version',
      `invalid value '${value}': expected system, latest or v1.x.y`
    )
  return { kind: 'exact', version: `v${match[1]}` }
}

function parseMirror(value: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(value))
    throw new InputError('kubectl-mirror', `expected an http(s) URL, got '${value}'`)
  return value.replace(/\/+$/, '')
}

/** `@file`, a YAML/JSON mapping, or `key=value` pairs, as `-e` accepts them. */
function parseExtraVars(value: string, cwd: string): string | undefined {
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  if (trimmed.startsWith('@')) {
    if (!existsSync(path.resolve(cwd, trimmed.slice(1)))) {
      throw new InputError('extra-vars', `file not found: ${trimmed.slice(1)}`)
    }
    return `@${path.resolve(cwd, trimmed.slice(1))}`
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(trimmed)) return trimmed
  const parsed = parseYamlInput('extra-vars', value)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError('extra-vars', 'expected a YAML/JSON mapping, key=value pairs or @file')
  }
  return value
}

function parseList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map(item => item.trim())
    .filter(item => item !== '')
}

const TRUE_VALUES = ['true', 'True', 'TRUE', 'yes', 'on', '1']
const FALSE_VALUES = ['false', 'False', 'FALSE', 'no', 'off', '0']

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  const trimmed = value.trim()
  if (trimmed === '') return fallback
  if (TRUE_VALUES.includes(trimmed)) return true
  if (FALSE_VALUES.includes(trimmed)) return false
  throw new InputError(input, `invalid value '${trimmed}': expected true or false`)
}

export function parseWholeNumber(input: string, value: string, minimum: number): number {
  if (!/^\d+$/.test(value) || Number(value) < minimum) {
    const expected = minimum > 0 ? 'a positive whole number' : 'a whole number (0 = none)'
    throw new InputError(input, `invalid value '${value}': expected ${expected}`)
  }
  return Number(value)
}

export function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(value)
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || count < 1 || index < 1 || index > count) {
    throw new InputError(
      'shard',
      `invalid value '${value}': expected i/n with 1 <= i <= n (e.g. 2/4)`
    )
  }
  return { index, count }
}

export function parseFailOn(value: string): FailOn {
  if (value === 'failed' || value === 'changed' || value === 'never') return value
  throw new InputError('fail-on', `invalid value '${value}': expected failed, changed or never`)
}

/** 0-4 like -v…-vvvv; `-vv` / `vv` spellings accepted for copy-paste from the CLI. */
export function parseVerbosity(value: string): number {
  if (/^-?v{1,4}$/.test(value)) return value.replace('-', '').length
  if (/^[0-4]$/.test(value)) return Number(value)
  throw new InputError('verbosity', `invalid value '${value}': expected 0 to 4`)
}
