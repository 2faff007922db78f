// `kubectl-ansible` entry: dispatch the subcommand, turn every expected failure into one line on
// stderr with ansible-playbook's exit code, and anything unexpected into exit 250 with
// ansible's "Unexpected Exception" line instead of a stack trace.
import { CliUsageError } from './args.js'
import { runInventoryCommand } from './inventory.js'
import { processIO, type CliIO } from './io.js'
import { runAdhocCommand, runPlaybookCommand } from './playbook.js'
import { usage } from './usage.js'
import { version } from '../version.js'

/** ansible-playbook's exit code for an exception nobody expected. */
const UNEXPECTED_EXIT_CODE = 250
/** What a shell reports for a process ended by SIGPIPE (128 + 13). */
const BROKEN_PIPE_EXIT_CODE = 141

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
    io.stderr(unexpectedErrorText(error, verbosityOf(argv)))
    return UNEXPECTED_EXIT_CODE
  }
}

/**
 * ansible's text for an unexpected exception (ansible/cli/__init__.py): one line, and the
 * traceback only when -vvv asked for it. Ansible prints the hint on stdout; here it goes to
 * stderr so that `--json` output stays one JSON document.
 */
export function unexpectedErrorText(error: unknown, verbosity: number): string {
  const message = error instanceof Error ? error.message : String(error)
  const text = `ERROR! Unexpected Exception, this is probably a bug: ${message}\n`
  if (verbosity > 2 && error instanceof Error && error.stack)
    return `${text}the full traceback was:\n\n${error.stack}\n`
  return `${text}to see the full traceback, use -vvv\n`
}

/** The -v count of a command line (`-v -vv` and `--verbose` add up, as in ansible). */
export function verbosityOf(argv: string[]): number {
  let verbosity = 0
  for (const arg of argv) {
    if (arg === '--') break
    if (/^-v+$/.test(arg)) verbosity += arg.length - 1
    else if (arg === '--verbose') verbosity += 1
  }
  return verbosity
}

/**
 * Errors raised outside main's promise (an 'error' event nobody listens to, a promise nobody
 * awaits) end like the ones inside it, never as Node's stack trace; a reader that closed stdout
 * (`| head`) ends the run quietly, as SIGPIPE ends a Unix tool.
 */
export function guardProcess(argv: string[], io: CliIO): void {
  const exitWith = (fallback: number) =>
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : fallback)
  const fail = (error: unknown) => {
    io.stderr(unexpectedErrorText(error, verbosityOf(argv)))
    process.exit(UNEXPECTED_EXIT_CODE)
  }
  process.on('uncaughtException', fail)
  process.on('unhandledRejection', fail)
  process.stdout.on('error', (error: NodeJS.ErrnoException) =>
    error.code === 'EPIPE' ? exitWith(BROKEN_PIPE_EXIT_CODE) : fail(error)
  )
  // Nothing can be reported once stderr itself is gone.
  process.stderr.on('error', () => exitWith(UNEXPECTED_EXIT_CODE))
}

/** The `kubectl-ansible` process: guarded, with its exit code set when main settles. */
export function runCli(argv = process.argv.slice(2)): void {
  const io = processIO()
  guardProcess(argv, io)
  void main(argv, io).then(code => (process.exitCode = code))
}
