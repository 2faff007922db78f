// ansible.builtin.assert: every `that` condition must hold; the first false one fails the task.
import type { ModuleDefinition, ModuleResult } from './types.js'

function checkMessage(value: unknown, name: string): string | string[] | undefined {
  if (value === undefined || typeof value === 'string') return value
  if (Array.isArray(value) && value.every(item => typeof item === 'string'))
    return value as string[]
  throw new Error(`Incorrect type for ${name}, expected a string or list of strings`)
}

export const assertModule: ModuleDefinition = {
  name: 'assert',
  args: {
    that: { type: 'raw', required: true },
    fail_msg: { type: 'raw', aliases: ['msg'] },
    success_msg: { type: 'raw' },
    quiet: { type: 'bool', default: false }
  },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    let failMsg: string | string[] | undefined
    let successMsg: string | string[] | undefined
    try {
      failMsg = checkMessage(args.fail_msg, 'fail_msg or msg')
      successMsg = checkMessage(args.success_msg, 'success_msg')
    } catch (error) {
      return { changed: false, failed: true, msg: (error as Error).message }
    }
    // Like Ansible's assert action: unless quiet, callbacks print the result (passed or failed)
    // as indented JSON even without -v.
    const display = args.quiet === true ? {} : { _ansible_verbose_always: true }
    const thats = Array.isArray(args.that) ? args.that : [args.that]
    for (const that of thats) {
      if (!ctx.evaluateConditional(that)) {
        return {
          changed: false,
          failed: true,
          evaluated_to: false,
          assertion: that,
          msg: (failMsg ?? 'Assertion failed') as string,
          ...display
        }
      }
    }
    return { changed: false, msg: (successMsg ?? 'All assertions passed') as string, ...display }
  }
}
