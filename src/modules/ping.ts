// ansible.builtin.ping: proves the host runs commands (one exec), returns `ping: data`.
// data=crash raises, as Ansible's does, to test failure handling.
import type { ModuleDefinition, ModuleResult } from './types.js'

export const ping: ModuleDefinition = {
  name: 'ping',
  args: { data: { type: 'str', default: 'pong' } },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    if (args.data === 'crash') return { changed: false, failed: true, msg: 'boom' }
    const probe = await ctx.connection.exec('true', { idempotent: true })
    if (probe.rc !== 0)
      return { changed: false, failed: true, msg: `the host cannot run sh: ${probe.stderr.trim()}` }
    return { changed: false, ping: args.data }
  }
}
