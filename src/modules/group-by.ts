// ansible.builtin.group_by: returns `add_group` / `parent_groups`; the executor adds the host.
import type { ModuleDefinition, ModuleResult } from './types.js'

export const groupBy: ModuleDefinition = {
  name: 'group_by',
  args: { key: { type: 'str' }, parents: { type: 'raw', default: ['all'] } },
  checkMode: true,
  async run(args): Promise<ModuleResult> {
    if (typeof args.key !== 'string') {
      return {
        changed: false,
        failed: true,
        msg: "the 'key' param is required when using group_by"
      }
    }
    const parents = Array.isArray(args.parents) ? args.parents.map(String) : [String(args.parents)]
    return {
      changed: false,
      add_group: args.key.replace(/ /g, '-'),
      parent_groups: parents.map(name => name.replace(/ /g, '-'))
    }
  }
}
