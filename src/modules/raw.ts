// ansible.builtin.raw: the string as-is through the host's shell; skipped in check mode.
import { shellQuote, splitLines } from './remote.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

export const raw: ModuleDefinition = {
  name: 'raw',
  freeForm: true,
  args: { _raw_params: { type: 'str', required: true }, executable: { type: 'str' } },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    if (ctx.check) return { changed: false, skipped: true }
    const text = args._raw_params as string
    const cmd = args.executable
      ? `${shellQuote(args.executable as string)} -c ${shellQuote(text)}`
      : text
    const executed = await ctx.connection.exec(cmd, { timeoutMs: ctx.timeoutMs })
    const result: ModuleResult = {
      changed: true,
      rc: executed.rc,
      stdout: executed.stdout,
      stdout_lines: splitLines(executed.stdout),
      stderr: executed.stderr,
      stderr_lines: splitLines(executed.stderr)
    }
    return executed.rc !== 0 ? { ...result, failed: true, msg: 'non-zero return code' } : result
  }
}
