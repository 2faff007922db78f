// `kubectl-ansible inventory`: the ansible-inventory --list [--export] JSON, or the hosts of a
// pattern one per line (ansible PATTERN --list-hosts), with Ansible's warnings on stderr.
import { CliUsageError } from './args.js'
import type { CliIO } from './io.js'
import {
  HostPatternError,
  InventoryError,
  formatWarning,
  inventoryListJson,
  pythonJsonDumps
} from '../inventory/index.js'
import { loadCliInventory } from './inventory-load.js'

interface InventoryArgs {
  sources: string[]
  list: boolean
  export: boolean
  listHosts?: string
  limit?: string
  kubectl: string
  kubeconfig?: string
  context?: string
}

const VALUE_OPTIONS: Record<string, (args: InventoryArgs, value: string) => void> = {
  '-i': (a, v) => void a.sources.push(v),
  '--inventory': (a, v) => void a.sources.push(v),
  '--inventory-file': (a, v) => void a.sources.push(v),
  '--list-hosts': (a, v) => (a.listHosts = v),
  '-l': (a, v) => (a.limit = v),
  '--limit': (a, v) => (a.limit = v),
  '--kubectl': (a, v) => (a.kubectl = v),
  '--kubeconfig': (a, v) => (a.kubeconfig = v),
  '--context': (a, v) => (a.context = v)
}

function parseInventoryArgs(argv: string[]): InventoryArgs | 'help' {
  const args: InventoryArgs = { sources: [], list: false, export: false, kubectl: 'kubectl' }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '-h' || arg === '--help') return 'help'
    if (arg === '--list') args.list = true
    else if (arg === '--export') args.export = true
    // -v is accepted like ansible-inventory's: it only adds the traceback of an unexpected error.
    else if (/^-v+$/.test(arg) || arg === '--verbose') continue
    else {
      const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
      const name = eq === -1 ? arg : arg.slice(0, eq)
      const apply = VALUE_OPTIONS[name]
      if (!apply) throw new CliUsageError(`unrecognized arguments: ${arg}`, 2)
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
      if (value === undefined) throw new CliUsageError(`argument ${name}: expected one argument`, 2)
      apply(args, value)
    }
  }
  if (args.list === (args.listHosts !== undefined)) {
    throw new CliUsageError('exactly one of --list or --list-hosts PATTERN is required', 5)
  }
  if (args.limit !== undefined && args.list) {
    throw new CliUsageError('--limit applies to --list-hosts only', 5)
  }
  return args
}

const HELP = `usage: kubectl-ansible inventory -i INV (--list [--export] | --list-hosts PATTERN [--limit P])

  -i, --inventory INV     file, directory, 'h1,h2,' or 'k8s://NS?selector=K%3DV[&container=C]' (repeatable)
      --list              print the inventory as JSON, like ansible-inventory --list
      --export            with --list: group variables under each group, not merged into hosts
      --list-hosts P      print the hosts matching pattern P, one per line, in Ansible's order
  -l, --limit P           with --list-hosts: further limit the hosts
      --kubectl PATH      kubectl for k8s:// sources (default: kubectl on PATH)
      --kubeconfig FILE   kubeconfig for k8s:// sources (default: $KUBECONFIG)
      --context NAME      kubeconfig context for k8s:// sources
`

export async function runInventoryCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseInventoryArgs(argv)
  if (args === 'help') {
    io.stdout(HELP)
    return 0
  }
  let printed = 0
  const flushWarnings = (warnings: string[]) => {
    for (; printed < warnings.length; printed++) io.stderr(formatWarning(warnings[printed]))
  }
  try {
    const inventory = await loadCliInventory(args.sources, {
      cwd: io.cwd,
      env: io.env,
      kubectl: { path: args.kubectl, kubeconfig: args.kubeconfig, context: args.context }
    })
    // Like ansible-inventory and ansible: group_vars/host_vars in the working directory apply
    // as playbook-level vars (above those next to the inventory).
    inventory.loadVarsDirs(io.cwd)
    try {
      if (args.list) {
        const document = inventoryListJson(inventory, { export: args.export })
        flushWarnings(inventory.warnings)
        io.stdout(`${pythonJsonDumps(document)}\n`)
        return 0
      }
      // `ansible PATTERN --list-hosts`: without --limit, any pattern error (bad regex, subscript
      // out of range) or an empty match is "No hosts matched" with exit code 0.
      const hasHosts = inventory.allHosts().length > 0
      let hosts: string[] = []
      let failure: string | undefined
      try {
        hosts = inventory.listHosts(args.listHosts!, { limit: args.limit })
        if (hosts.length === 0 && hasHosts) {
          failure =
            'Specified inventory, host pattern and/or --limit leaves us with no hosts to target.'
        }
      } catch (error) {
        if (!(error instanceof HostPatternError)) throw error
        failure = error.message
      }
      flushWarnings(inventory.warnings)
      if (failure !== undefined) {
        if (args.limit !== undefined) {
          io.stderr(`ERROR! ${failure}\n`)
          return 1
        }
        hosts = []
        io.stderr(formatWarning('No hosts matched, nothing to do'))
      }
      for (const host of hosts) io.stdout(`${host}\n`)
      return 0
    } finally {
      flushWarnings(inventory.warnings)
    }
  } catch (error) {
    if (error instanceof InventoryError || error instanceof HostPatternError) {
      io.stderr(`ERROR! ${error.message}\n`)
      return error.exitCode
    }
    throw error
  }
}
