// ansible.builtin.fail: fail the task with a message.
import type { ModuleDefinition, ModuleResult } from './types.js'

export const fail: ModuleDefinition = {
  name: 'fail',
  args: { msg: { type: 'raw', default: 'Failed as requested from task' } },
  checkMode: true,
  async run(args): Promise<ModuleResult> {
    return { changed: false, failed: true, msg: args.msg as string }
  }
}
