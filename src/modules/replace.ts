// ansible.builtin.replace: re.subn over the file (or the part between after/before), in
// MULTILINE mode, with Python's replacement-template syntax.
import { fileCommonArgs } from './file.js'
import { expandTemplate, PyRegexError, pyRegex } from './pyregex.js'
import { EditFailure, readForEdit, writeEdited } from './text-edit.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

export const replace: ModuleDefinition = {
  name: 'replace',
  args: {
    ...fileCommonArgs,
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
    regexp: { type: 'str', required: true },
    replace: { type: 'str', default: '' },
    after: { type: 'str' },
    before: { type: 'str' },
    backup: { type: 'bool', default: false },
    validate: { type: 'str' },
    encoding: { type: 'str', default: 'utf-8' }
  },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const path = args.path as string
    const encoding = String(args.encoding).toLowerCase().replace('_', '-')
    if (encoding !== 'utf-8' && encoding !== 'utf8') {
      return {
        changed: false,
        failed: true,
        msg: `replace: encoding ${String(args.encoding)} not supported (utf-8 only)`
      }
    }
    try {
      const target = await readForEdit(ctx, path)
      if (target.info.exists && target.info.type === 'directory') {
        return { changed: false, failed: true, rc: 256, msg: `Path ${path} is a directory !` }
      }
      if (target.content === null)
        return { changed: false, failed: true, rc: 257, msg: `Path ${path} does not exist !` }
      const contents = target.content.toString('utf8')
      const after = args.after as string | undefined
      const before = args.before as string | undefined
      let pattern = ''
      if (after && before) pattern = `${after}(?P<subsection>.*?)${before}`
      else if (after) pattern = `${after}(?P<subsection>.*)`
      else if (before) pattern = `(?P<subsection>.*)${before}`
      let section = contents
      let bounds: [number, number] | undefined
      if (pattern) {
        const found = pyRegex(pattern, { dotall: true, indices: true }).exec(contents)
        if (!found) {
          return {
            rc: 0,
            changed: false,
            msg: `Pattern for before/after params did not match the given file: ${pattern}`
          }
        }
        section = found.groups!.subsection
        bounds = found.indices!.groups!.subsection as [number, number]
      }
      const regex = pyRegex(args.regexp as string, { multiline: true, global: true })
      let count = 0
      const template = args.replace as string
      const replaced = section.replace(regex, (...matchArgs: unknown[]) => {
        count++
        const groupsIndex = matchArgs.findIndex(item => typeof item === 'number')
        const match = matchArgs.slice(0, groupsIndex) as string[] as unknown as RegExpMatchArray
        const named = matchArgs[matchArgs.length - 1]
        if (named && typeof named === 'object') match.groups = named as Record<string, string>
        return expandTemplate(template, match)
      })
      let msg = ''
      let changed = false
      let result: Record<string, unknown> = { rc: 0 }
      let output = contents
      if (count > 0 && section !== replaced) {
        output = bounds
          ? contents.slice(0, bounds[0]) + replaced + contents.slice(bounds[1])
          : replaced
        msg = `${count} replacements made`
        changed = true
        if (ctx.diff)
          result.diff = { before_header: path, before: contents, after_header: path, after: output }
      }
      const outcome = await writeEdited(ctx, target, changed ? Buffer.from(output, 'utf8') : null, {
        backup: args.backup as boolean,
        validate: args.validate as string | undefined,
        attributes: {
          mode: args.mode,
          owner: args.owner as string | undefined,
          group: args.group as string | undefined
        }
      })
      if (outcome.backupFile) result.backup_file = outcome.backupFile
      if (outcome.attributesChanged) {
        msg = changed
          ? `${msg} and ownership, perms or SE linux context changed`
          : 'ownership, perms or SE linux context changed'
        changed = true
      }
      result = { ...result, msg, changed }
      return result
    } catch (error) {
      if (error instanceof EditFailure) return error.result
      if (error instanceof PyRegexError) return { changed: false, failed: true, msg: error.message }
      throw error
    }
  }
}
