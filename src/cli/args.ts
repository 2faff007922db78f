// Option parsing shared by `kubectl-ansible playbook` and `kubectl-ansible adhoc`, producing the
// typed RunOptions (src/context.ts). Mirrors ansible-playbook's option names and its exit codes:
// an option argparse cannot parse exits 2, a value that parses but is invalid exits 5.
import type { RunOptions } from '../context.js'

/** A command-line mistake: printed as one line, never a stack trace. */
export class CliUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 5
  ) {
    super(message)
    this.name = 'CliUsageError'
  }
}

export type CliMode = 'playbook' | 'adhoc'

export interface ParsedRunArgs {
  options: RunOptions
  /** Positional arguments: the playbook path(s) for `playbook`, the host pattern for `adhoc`. */
  positional: string[]
  json: boolean
  listTasks: boolean
  listHosts: boolean
  syntaxCheck: boolean
  help: boolean
}

interface OptionDef {
  names: string[]
  /** Takes a value (`--forks 5`, `--forks=5`, `-f5`). */
  value: boolean
  modes: CliMode[]
  apply(state: ParsedRunArgs, value: string): void
}

const both: CliMode[] = ['playbook', 'adhoc']

function positiveInt(option: string, value: string, allowZero: boolean): number {
  if (!/^\d+$/.test(value) || (!allowZero && Number(value) === 0)) {
    throw new CliUsageError(
      `${option}: invalid value '${value}': expected a ${allowZero ? 'non-negative' : 'positive'} whole number`,
      5
    )
  }
  return Number(value)
}

function splitTags(value: string): string[] {
  return value
    .split(',')
    .map(tag => tag.trim())
    .filter(tag => tag !== '')
}

const optionDefs: OptionDef[] = [
  {
    names: ['-i', '--inventory', '--inventory-file'],
    value: true,
    modes: both,
    apply: (s, v) => void s.options.inventorySources.push(v)
  },
  {
    names: ['-e', '--extra-vars'],
    value: true,
    modes: both,
    apply: (s, v) => {
      if (v === '') throw new CliUsageError('--extra-vars: empty value', 5)
      s.options.extraVars.push(v)
    }
  },
  { names: ['-l', '--limit'], value: true, modes: both, apply: (s, v) => (s.options.limit = v) },
  {
    names: ['-t', '--tags'],
    value: true,
    modes: ['playbook'],
    apply: (s, v) => s.options.tags.push(...splitTags(v))
  },
  {
    names: ['--skip-tags'],
    value: true,
    modes: ['playbook'],
    apply: (s, v) => s.options.skipTags.push(...splitTags(v))
  },
  { names: ['-C', '--check'], value: false, modes: both, apply: s => (s.options.check = true) },
  { names: ['-D', '--diff'], value: false, modes: both, apply: s => (s.options.diff = true) },
  {
    names: ['-f', '--forks'],
    value: true,
    modes: both,
    apply: (s, v) => (s.options.forks = positiveInt('--forks', v, false))
  },
  {
    names: ['--timeout', '--task-timeout'],
    value: true,
    modes: both,
    apply: (s, v) => (s.options.timeoutSec = positiveInt('--timeout', v, true))
  },
  {
    names: ['-m', '--module-name'],
    value: true,
    modes: ['adhoc'],
    apply: (s, v) => (adhocOf(s).module = v)
  },
  {
    names: ['-a', '--args'],
    value: true,
    modes: ['adhoc'],
    apply: (s, v) => (adhocOf(s).args = v)
  },
  { names: ['--json'], value: false, modes: both, apply: s => (s.json = true) },
  { names: ['--list-tasks'], value: false, modes: ['playbook'], apply: s => (s.listTasks = true) },
  { names: ['--list-hosts'], value: false, modes: both, apply: s => (s.listHosts = true) },
  {
    names: ['--syntax-check'],
    value: false,
    modes: ['playbook'],
    apply: s => (s.syntaxCheck = true)
  },
  {
    names: ['--kubectl'],
    value: true,
    modes: both,
    apply: (s, v) => (s.options.kubectl.path = v)
  },
  {
    names: ['--kubeconfig'],
    value: true,
    modes: both,
    apply: (s, v) => (s.options.kubectl.kubeconfig = v)
  },
  {
    names: ['--context'],
    value: true,
    modes: both,
    apply: (s, v) => (s.options.kubectl.context = v)
  },
  {
    names: ['--shard'],
    value: true,
    modes: both,
    apply: (s, v) => (s.options.shard = parseShard(v, '--shard'))
  },
  { names: ['-h', '--help'], value: false, modes: both, apply: s => (s.help = true) }
]

function adhocOf(state: ParsedRunArgs): NonNullable<RunOptions['adhoc']> {
  state.options.adhoc ??= { pattern: '', module: 'command', args: '' }
  return state.options.adhoc
}

/** `i/n` with 1 <= i <= n: the i-th of n deterministic slices of the sorted host list. */
export function parseShard(value: string, name: string): { index: number; count: number } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value)
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || count < 1 || index < 1 || index > count) {
    throw new CliUsageError(
      `${name}: invalid value '${value}': expected i/n with 1 <= i <= n (e.g. 2/4)`,
      5
    )
  }
  return { index, count }
}

export function defaultRunOptions(
  cwd: string,
  env: Record<string, string | undefined>
): RunOptions {
  return {
    cwd,
    inventorySources: [],
    extraVars: [],
    tags: [],
    skipTags: [],
    check: false,
    diff: false,
    forks: 5,
    timeoutSec: 0,
    verbosity: 0,
    kubectl: { path: env.KUBECTL_PATH || 'kubectl', kubeconfig: env.KUBECONFIG || undefined },
    env
  }
}

function findOption(name: string, mode: CliMode): OptionDef {
  const def = optionDefs.find(d => d.names.includes(name))
  if (!def || !def.modes.includes(mode)) {
    throw new CliUsageError(`unrecognized arguments: ${name}`, 2)
  }
  return def
}

/** Parse `argv` (without the subcommand). Throws CliUsageError with the right exit code. */
export function parseRunArgs(
  argv: string[],
  mode: CliMode,
  cwd: string,
  env: Record<string, string | undefined>
): ParsedRunArgs {
  const state: ParsedRunArgs = {
    options: defaultRunOptions(cwd, env),
    positional: [],
    json: false,
    listTasks: false,
    listHosts: false,
    syntaxCheck: false,
    help: false
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      state.positional.push(...argv.slice(i + 1))
      break
    }
    if (/^-v+$/.test(arg) || arg === '--verbose') {
      state.options.verbosity += arg === '--verbose' ? 1 : arg.length - 1
      continue
    }
    if (!arg.startsWith('-') || arg === '-') {
      state.positional.push(arg)
      continue
    }
    let name = arg
    let inlineValue: string | undefined
    if (arg.startsWith('--') && arg.includes('=')) {
      name = arg.slice(0, arg.indexOf('='))
      inlineValue = arg.slice(arg.indexOf('=') + 1)
    } else if (!arg.startsWith('--') && arg.length > 2) {
      name = arg.slice(0, 2)
      inlineValue = arg.slice(2)
    }
    const def = findOption(name, mode)
    if (!def.value) {
      if (inlineValue !== undefined) throw new CliUsageError(`unrecognized arguments: ${arg}`, 2)
      def.apply(state, '')
      continue
    }
    const value = inlineValue ?? argv[++i]
    if (value === undefined) {
      throw new CliUsageError(`argument ${def.names.join('/')}: expected one argument`, 2)
    }
    def.apply(state, value)
  }
  if (state.help) return state
  if (mode === 'playbook') {
    if (state.positional.length === 0) {
      throw new CliUsageError('the following arguments are required: playbook', 2)
    }
    if (state.positional.length > 1) {
      throw new CliUsageError(
        `one playbook per run is supported, got ${state.positional.length}: ${state.positional.join(' ')}`,
        5
      )
    }
    state.options.playbook = state.positional[0]
  } else {
    if (state.positional.length !== 1) {
      throw new CliUsageError('expected exactly one host pattern', 2)
    }
    adhocOf(state).pattern = state.positional[0]
  }
  if (state.options.inventorySources.length === 0) {
    state.options.inventorySources.push(env.ANSIBLE_INVENTORY || '/etc/ansible/hosts')
  }
  return state
}
