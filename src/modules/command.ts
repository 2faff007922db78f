// ansible.builtin.command: argv run without a shell (each word quoted for the host's sh).
import { runCommand, shlexSplit } from './command-runner.js'
import { shellQuote } from './remote.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

export const commandArgs = {
  _raw_params: { type: 'str', aliases: ['cmd'] },
  argv: { type: 'list', elements: 'str' },
  chdir: { type: 'path' },
  executable: { type: 'str' },
  creates: { type: 'path' },
  removes: { type: 'path' },
  stdin: { type: 'str' },
  stdin_add_newline: { type: 'bool', default: true },
  strip_empty_ends: { type: 'bool', default: true }
} as const satisfies ModuleDefinition['args']

export function stdinOf(args: Record<string, unknown>): string | undefined {
  if (typeof args.stdin !== 'string') return undefined
  return args.stdin_add_newline ? `${args.stdin}\n` : args.stdin
}

/** What Ansible's command module returns when it is given nothing (or two things) to run. */
export function usageFailure(msg: string): ModuleResult {
  return { changed: false, failed: true, rc: 256, msg, stdout: '', stderr: '' }
}

export const command: ModuleDefinition = {
  name: 'command',
  freeForm: true,
  args: commandArgs,
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const raw = args._raw_params as string | undefined
    const argv = args.argv as string[] | undefined
    if ((!raw || raw.trim() === '') && !argv?.length) {
      return usageFailure('no command given')
    }
    if (raw && argv) {
      return usageFailure('only command or argv can be given, not both')
    }
    let words: string[]
    try {
      words = raw ? shlexSplit(raw) : argv!
    } catch (error) {
      return {
        changed: false,
        failed: true,
        msg: `failed to parse the command: ${(error as Error).message}`
      }
    }
    const warnings = args.executable
      ? [
          `As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${String(args.executable)}'.`
        ]
      : undefined
    const result = await runCommand(
      {
        cmd: words,
        script: words.map(shellQuote).join(' '),
        chdir: args.chdir as string | undefined,
        creates: args.creates as string | undefined,
        removes: args.removes as string | undefined,
        stdin: stdinOf(args),
        stripEmptyEnds: args.strip_empty_ends as boolean
      },
      ctx
    )
    return warnings ? { ...result, warnings } : result
  }
}
