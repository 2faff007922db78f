// `kubectl-ansible` entry: dispatch the subcommand, turn every expected failure into one line on
// stderr with ansible-playbook's exit code, and anything unexpected into exit 250.
import { CliUsageError } from './args.js'
import { runInventoryCommand } from './inventory.js'
import type { CliIO } from './io.js'
import { runAdhocCommand, runPlaybookCommand } from './playbook.js'
import { usage } from './usage.js'
import { version } from '../version.js'

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(usage)
        return command === undefined ? 2 : 0
      case '--version':
      case 'version':
        io.stdout(`kubectl-ansible ${version}\n`)
        return 0
      case 'inventory':
        return await runInventoryCommand(rest, io)
      case 'playbook':
        return await runPlaybookCommand(rest, io)
      case 'adhoc':
        return await runAdhocCommand(rest, io)
      default:
        throw new CliUsageError(
          `unknown command '${command}' (expected inventory, playbook or adhoc; see --help)`,
          2
        )
    }
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`kubectl-ansible: error: ${error.message}\n`)
      return error.exitCode
    }
    const message = error instanceof Error ? error.message : String(error)
    io.stderr(`ERROR! Unexpected failure: ${message}\n`)
    return 250
  }
}
