// ansible.builtin.set_fact: returns `ansible_facts`; the executor stores them for the host.
import { UnsafeText } from '../template/unsafe.js'
import { toBoolean } from './validate.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

export const setFact: ModuleDefinition = {
  name: 'set_fact',
  openArgs: true,
  args: { cacheable: { type: 'bool', default: false } },
  checkMode: true,
  async run(args): Promise<ModuleResult> {
    const facts: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(args)) {
      if (key === 'cacheable') continue
      if (!IDENTIFIER.test(key)) {
        return {
          changed: false,
          failed: true,
          msg:
            `The variable name '${key}' is not valid. Variables must start with a letter or underscore character, ` +
            'and contain only letters, numbers and underscores.'
        }
      }
      // Non-native Ansible turns these strings into booleans here (set_fact action plugin),
      // unsafe ones included (the templar hands those over as UnsafeText).
      const text = value instanceof UnsafeText ? value.text : value
      const isBoolText =
        typeof text === 'string' && ['true', 'false', 'yes', 'no'].includes(text.toLowerCase())
      facts[key] = isBoolText ? toBoolean(text) : value
    }
    if (Object.keys(facts).length === 0) {
      return {
        changed: false,
        failed: true,
        msg: 'No key/value pairs provided, at least one is required for this action to succeed'
      }
    }
    return { changed: false, ansible_facts: facts, _ansible_facts_cacheable: args.cacheable }
  }
}
