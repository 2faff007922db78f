// ansible.builtin.debug: print a message or a variable; skipped above the verbosity threshold.
import type { ModuleDefinition, ModuleResult } from './types.js'

function isUndefinedError(error: unknown): boolean {
  return error instanceof Error && /undefined/i.test(error.name + ' ' + error.message)
}

export const debug: ModuleDefinition = {
  name: 'debug',
  args: { msg: { type: 'raw' }, var: { type: 'raw' }, verbosity: { type: 'int', default: 0 } },
  mutuallyExclusive: [['msg', 'var']],
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    if ((args.verbosity as number) > ctx.verbosity) {
      return { changed: false, skipped: true, skipped_reason: 'Verbosity threshold not met.' }
    }
    // Ansible's debug action: callbacks always print what it shows, as indented JSON.
    const display = { _ansible_verbose_always: true }
    if ('msg' in args) return { changed: false, msg: args.msg as string, ...display }
    if (!('var' in args)) return { changed: false, msg: 'Hello world!', ...display }
    const variable = args.var
    let value: unknown
    try {
      value = ctx.template(variable)
      if (value === variable) {
        if (typeof variable !== 'string')
          throw Object.assign(new Error('undefined'), { name: 'UndefinedError' })
        value = ctx.template(`{{${variable}}}`)
      }
    } catch (error) {
      if (!isUndefinedError(error)) throw error
      value =
        'VARIABLE IS NOT DEFINED!' + (ctx.verbosity > 0 ? `: ${(error as Error).message}` : '')
    }
    const key = Array.isArray(variable)
      ? "<class 'list'>"
      : typeof variable === 'object' && variable !== null
        ? "<class 'dict'>"
        : String(variable)
    return { changed: false, [key]: value, ...display }
  }
}
