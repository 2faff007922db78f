// ansible.builtin.blockinfile: a marked block of lines, inserted, updated or removed
// (lib/ansible/modules/blockinfile.py main(), step for step).
import { fileCommonArgs } from './file.js'
import type { FileDiff } from './file-attrs.js'
import { PyRegexError, pyRegex } from './pyregex.js'
import { EditFailure, readForEdit, writeEdited } from './text-edit.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

/** Python bytes.splitlines(keepends=True). */
function splitLinesKeepEnds(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\r\n|\n|\r(?!\n))/)
}

function countNewlines(text: string, end: number): number {
  return (text.slice(0, end).match(/\n/g) ?? []).length
}

export const blockinfile: ModuleDefinition = {
  name: 'blockinfile',
  args: {
    ...fileCommonArgs,
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
    state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
    marker: { type: 'str', default: '# {mark} ANSIBLE MANAGED BLOCK' },
    block: { type: 'str', default: '', aliases: ['content'] },
    insertafter: { type: 'str' },
    insertbefore: { type: 'str' },
    create: { type: 'bool', default: false },
    backup: { type: 'bool', default: false },
    validate: { type: 'str' },
    marker_begin: { type: 'str', default: 'BEGIN' },
    marker_end: { type: 'str', default: 'END' }
  },
  mutuallyExclusive: [['insertbefore', 'insertafter']],
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const path = args.path as string
    try {
      const target = await readForEdit(ctx, path)
      if (target.info.exists && target.info.type === 'directory') {
        return { changed: false, failed: true, rc: 256, msg: `Path ${path} is a directory !` }
      }
      const pathExists = target.content !== null
      if (!pathExists && !args.create)
        return { changed: false, failed: true, rc: 257, msg: `Path ${path} does not exist !` }
      const original = target.content?.toString('utf8') ?? null
      const lines = splitLinesKeepEnds(original ?? '')
      const diff: Record<string, unknown> = {
        before: '',
        after: '',
        before_header: `${path} (content)`,
        after_header: `${path} (content)`
      }
      if (ctx.diff && original) diff.before = original
      const present = args.state === 'present'
      if (!present && !pathExists) return { changed: false, msg: `File ${path} not present` }

      let insertafter = args.insertafter as string | undefined
      const insertbefore = args.insertbefore as string | undefined
      if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF'
      let insertRegex: RegExp | undefined
      if (insertafter !== undefined && insertafter !== 'EOF') insertRegex = pyRegex(insertafter)
      else if (insertbefore !== undefined && insertbefore !== 'BOF')
        insertRegex = pyRegex(insertbefore)

      const marker = args.marker as string
      const marker0 = `${marker.replaceAll('{mark}', args.marker_begin as string)}\n`
      const marker1 = `${marker.replaceAll('{mark}', args.marker_end as string)}\n`
      let block = args.block as string
      let blockLines: string[] = []
      if (present && block) {
        if (!block.endsWith('\n')) block += '\n'
        blockLines = [marker0, ...splitLinesKeepEnds(block), marker1]
      }
      let n0: number | null = null
      let n1: number | null = null
      lines.forEach((line, index) => {
        if (line === marker0) n0 = index
        if (line === marker1) n1 = index
      })
      if (n0 === null || n1 === null) {
        n0 = null
        if (insertRegex) {
          if (insertRegex.multiline) {
            const found = insertRegex.exec(original ?? '')
            if (found) {
              if (insertafter) n0 = countNewlines(original ?? '', found.index + found[0].length)
              else if (insertbefore) n0 = countNewlines(original ?? '', found.index)
            }
          } else {
            lines.forEach((line, index) => {
              if (insertRegex!.test(line)) n0 = index
            })
          }
          if (n0 === null) n0 = lines.length
          else if (insertafter !== undefined) n0 += 1
        } else if (insertbefore !== undefined) n0 = 0
        else n0 = lines.length
      } else if (n0 < n1) {
        lines.splice(n0, n1 - n0 + 1)
      } else {
        lines.splice(n1, n0 - n1 + 1)
        n0 = n1
      }
      const at = n0 as number
      if (at > 0 && !lines[at - 1].endsWith('\n')) lines[at - 1] += '\n'
      lines.splice(at, 0, ...blockLines)
      const result = lines.join('')
      if (ctx.diff) diff.after = result

      let msg: string
      let changed: boolean
      if (original === result) [msg, changed] = ['', false]
      else if (original === null) [msg, changed] = ['File created', true]
      else if (blockLines.length === 0) [msg, changed] = ['Block removed', true]
      else [msg, changed] = ['Block inserted', true]

      const attrDiff: FileDiff & Record<string, unknown> = { before: {}, after: {} }
      const outcome = await writeEdited(ctx, target, changed ? Buffer.from(result, 'utf8') : null, {
        backup: args.backup as boolean,
        validate: args.validate as string | undefined,
        attributes: {
          mode: args.mode,
          owner: args.owner as string | undefined,
          group: args.group as string | undefined
        },
        attrDiff
      })
      if (ctx.check && !pathExists) return { changed, msg, diff }
      if (outcome.attributesChanged) {
        msg = changed
          ? `${msg} and ownership, perms or SE linux context changed`
          : 'ownership, perms or SE linux context changed'
        changed = true
      }
      const attributes: Record<string, unknown> = {}
      if (Object.keys(attrDiff.before).length > 0) attributes.before = attrDiff.before
      if (Object.keys(attrDiff.after).length > 0) attributes.after = attrDiff.after
      attributes.before_header = `${path} (file attributes)`
      attributes.after_header = `${path} (file attributes)`
      return {
        changed,
        msg,
        diff: [diff, attributes],
        ...(outcome.backupFile ? { backup_file: outcome.backupFile } : {})
      }
    } catch (error) {
      if (error instanceof EditFailure) return error.result
      if (error instanceof PyRegexError) return { changed: false, failed: true, msg: error.message }
      throw error
    }
  }
}
