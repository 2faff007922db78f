// ansible.builtin.shell: the command module with _uses_shell — the string goes to
// `executable -c` (default /bin/sh, so `$0` is what Ansible shows).
import { runCommand } from './command-runner.js'
import { commandArgs, stdinOf, usageFailure } from './command.js'
import { shellQuote } from './remote.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

export const shell: ModuleDefinition = {
  name: 'shell',
  freeForm: true,
  args: commandArgs,
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const raw = args._raw_params as string | undefined
    if (!raw || raw.trim() === '') {
      return usageFailure('no command given')
    }
    if (args.argv) {
      return usageFailure('only command or argv can be given, not both')
    }
    const executable = (args.executable as string | undefined) ?? ctx.shellExecutable ?? '/bin/sh'
    return runCommand(
      {
        cmd: raw,
        script: `${shellQuote(executable)} -c ${shellQuote(raw)}`,
        chdir: args.chdir as string | undefined,
        creates: args.creates as string | undefined,
        removes: args.removes as string | undefined,
        stdin: stdinOf(args),
        stripEmptyEnds: args.strip_empty_ends as boolean
      },
      ctx
    )
  }
}
