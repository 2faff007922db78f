// ansible.builtin.lineinfile: ensure one line is present (or lines absent), Ansible's algorithm
// line for line (present()/absent() in lib/ansible/modules/lineinfile.py).
import { fileCommonArgs } from './file.js'
import type { FileDiff } from './file-attrs.js'
import { expandTemplate, PyRegexError, pyRegex } from './pyregex.js'
import {
  EditFailure,
  readForEdit,
  splitKeepEnds,
  writeEdited,
  type EditTarget
} from './text-edit.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'

const strip = (line: string) => line.replace(/[\r\n]+$/, '')

function contentDiff(path: string): Record<string, unknown> {
  return {
    before: '',
    after: '',
    before_header: `${path} (content)`,
    after_header: `${path} (content)`
  }
}

function attributesDiff(path: string): FileDiff & Record<string, unknown> {
  return {
    before: {},
    after: {},
    before_header: `${path} (file attributes)`,
    after_header: `${path} (file attributes)`
  }
}

/** Ansible prints attribute diffs without empty before/after. */
function cleanAttrDiff(diff: FileDiff & Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...diff }
  if (Object.keys(diff.before).length === 0) delete out.before
  if (Object.keys(diff.after).length === 0) delete out.after
  return out
}

function attributeArgs(args: Record<string, unknown>) {
  return {
    mode: args.mode,
    owner: args.owner as string | undefined,
    group: args.group as string | undefined
  }
}

async function finish(
  ctx: ModuleContext,
  target: EditTarget,
  args: Record<string, unknown>,
  lines: string[] | null,
  changed: boolean,
  msg: string,
  diff: Record<string, unknown>,
  extra: Record<string, unknown> = {}
): Promise<ModuleResult> {
  const path = args.path as string
  if (ctx.diff) diff.after = lines ? lines.join('') : diff.before
  const attrDiff = attributesDiff(path)
  const data = changed && lines ? Buffer.from(lines.join(''), 'utf8') : null
  const outcome = await writeEdited(ctx, target, data, {
    backup: args.backup as boolean,
    validate: args.validate as string | undefined,
    attributes: attributeArgs(args),
    attrDiff
  })
  if (ctx.check && !target.info.exists) return { changed, msg, backup: '', diff, ...extra }
  if (outcome.attributesChanged) {
    msg = changed
      ? `${msg} and ownership, perms or SE linux context changed`
      : 'ownership, perms or SE linux context changed'
    changed = true
  }
  return {
    changed,
    msg,
    backup: outcome.backupFile,
    diff: [diff, cleanAttrDiff(attrDiff)],
    ...extra
  }
}

async function present(
  ctx: ModuleContext,
  args: Record<string, unknown>,
  target: EditTarget
): Promise<ModuleResult> {
  const path = args.path as string
  const regexp = args.regexp as string | undefined
  const searchString = args.search_string as string | undefined
  const line = args.line as string
  const backrefs = args.backrefs as boolean
  const firstmatch = args.firstmatch as boolean
  let insertafter = args.insertafter as string | undefined
  const insertbefore = args.insertbefore as string | undefined
  if (insertafter === undefined && insertbefore === undefined) insertafter = 'EOF'
  const diff = contentDiff(path)
  if (target.content === null && !args.create) {
    return { changed: false, failed: true, rc: 257, msg: `Destination ${path} does not exist !` }
  }
  const lines = splitKeepEnds(target.content?.toString('utf8') ?? '')
  if (ctx.diff) diff.before = lines.join('')

  const lineRegex = regexp !== undefined ? pyRegex(regexp) : undefined
  let insertRegex: RegExp | undefined
  if (insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF')
    insertRegex = pyRegex(insertafter)
  else if (insertbefore !== undefined && insertbefore !== 'BOF') insertRegex = pyRegex(insertbefore)

  const index = [-1, -1]
  let match: RegExpExecArray | boolean | null = null
  let exactLineMatch = false
  if (lineRegex) {
    for (const [lineno, current] of lines.entries()) {
      const found = lineRegex.exec(current)
      if (found) {
        index[0] = lineno
        match = found
        if (firstmatch) break
      }
    }
  }
  if (searchString !== undefined) {
    for (const [lineno, current] of lines.entries()) {
      if (current.includes(searchString)) {
        index[0] = lineno
        match = true
        if (firstmatch) break
      }
    }
  }
  if (!match) {
    for (const [lineno, current] of lines.entries()) {
      if (line === strip(current)) {
        index[0] = lineno
        exactLineMatch = true
      } else if (insertRegex && insertRegex.test(current)) {
        if (insertafter) {
          index[1] = lineno + 1
          if (firstmatch) break
        }
        if (insertbefore) {
          index[1] = lineno
          if (firstmatch) break
        }
      }
    }
  }

  let msg = ''
  let changed = false
  const add = (at: number) => {
    lines.splice(at, 0, `${line}\n`)
    msg = 'line added'
    changed = true
  }
  if (index[0] !== -1) {
    let newLine =
      backrefs && match && typeof match !== 'boolean' ? expandTemplate(line, match) : line
    if (!newLine.endsWith('\n')) newLine += '\n'
    if (regexp === undefined && searchString === undefined && !match && !exactLineMatch)
      insertNearMatch()
    else if (lines[index[0]] !== newLine) {
      lines[index[0]] = newLine
      msg = 'line replaced'
      changed = true
    }
  } else if (backrefs) {
    // A backrefs line whose regexp matched nothing changes nothing (no append).
  } else if (insertbefore === 'BOF' || insertafter === 'BOF') {
    add(0)
  } else if (insertafter === 'EOF' || index[1] === -1) {
    if (lines.length > 0 && !/[\n\r]$/.test(lines[lines.length - 1])) lines.push('\n')
    add(lines.length)
  } else if (insertafter && index[1] !== -1) {
    if (lines.length === index[1]) {
      if (strip(lines[index[1] - 1]) !== line) add(lines.length)
    } else if (line !== strip(lines[index[1]])) add(index[1])
  } else {
    add(index[1])
  }

  function insertNearMatch() {
    if (insertafter && insertafter !== 'EOF') {
      if (lines.length > 0 && !/[\n\r]$/.test(lines[lines.length - 1]))
        lines[lines.length - 1] += '\n'
      if (lines.length === index[1]) {
        if (strip(lines[index[1] - 1]) !== line) add(lines.length)
      } else if (strip(lines[index[1]]) !== line) add(index[1])
    } else if (insertbefore && insertbefore !== 'BOF') {
      if (index[1] <= 0) {
        if (strip(lines[index[1]]) !== line) add(index[1])
      } else if (strip(lines[index[1] - 1]) !== line) add(index[1])
    }
  }

  return finish(ctx, target, args, lines, changed, msg, diff)
}

async function absent(
  ctx: ModuleContext,
  args: Record<string, unknown>,
  target: EditTarget
): Promise<ModuleResult> {
  const path = args.path as string
  if (target.content === null) return { changed: false, msg: 'file not present' }
  const regexp = args.regexp as string | undefined
  const searchString = args.search_string as string | undefined
  const line = args.line as string | undefined
  const diff = contentDiff(path)
  const lines = splitKeepEnds(target.content.toString('utf8'))
  if (ctx.diff) diff.before = lines.join('')
  const regex = regexp !== undefined ? pyRegex(regexp) : undefined
  const found: string[] = []
  const kept = lines.filter(current => {
    const hit = regex
      ? regex.test(current)
      : searchString !== undefined
        ? current.includes(searchString)
        : line === strip(current)
    if (hit) found.push(current)
    return !hit
  })
  const changed = found.length > 0
  return finish(
    ctx,
    target,
    args,
    kept,
    changed,
    changed ? `${found.length} line(s) removed` : '',
    diff,
    { found: found.length }
  )
}

export const lineinfile: ModuleDefinition = {
  name: 'lineinfile',
  args: {
    ...fileCommonArgs,
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
    state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
    regexp: { type: 'str', aliases: ['regex'] },
    search_string: { type: 'str' },
    line: { type: 'str', aliases: ['value'] },
    insertafter: { type: 'str' },
    insertbefore: { type: 'str' },
    backrefs: { type: 'bool', default: false },
    create: { type: 'bool', default: false },
    backup: { type: 'bool', default: false },
    firstmatch: { type: 'bool', default: false },
    validate: { type: 'str' }
  },
  mutuallyExclusive: [
    ['insertbefore', 'insertafter'],
    ['regexp', 'search_string'],
    ['backrefs', 'search_string']
  ],
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const path = args.path as string
    const warnings: string[] = []
    if (args.regexp === '' || args.search_string === '') {
      const name = args.regexp === '' ? 'regular expression' : 'search string'
      warnings.push(
        `The ${name} is an empty string, which will match every line in the file. This may have unintended consequences, ` +
          'such as replacing the last line in the file rather than appending.' +
          (args.regexp === ''
            ? " If this is desired, use '^' to match every line in the file and avoid this warning."
            : '')
      )
    }
    try {
      const target = await readForEdit(ctx, path)
      if (target.info.exists && target.info.type === 'directory') {
        return { changed: false, failed: true, rc: 256, msg: `Path ${path} is a directory !` }
      }
      let result: ModuleResult
      if (args.state === 'present') {
        if (args.backrefs && args.regexp === undefined)
          return { changed: false, failed: true, msg: 'regexp is required with backrefs=true' }
        if (args.line === undefined)
          return { changed: false, failed: true, msg: 'line is required with state=present' }
        result = await present(ctx, args, target)
      } else {
        if (
          args.regexp === undefined &&
          args.search_string === undefined &&
          args.line === undefined
        ) {
          return {
            changed: false,
            failed: true,
            msg: 'one of line, search_string, or regexp is required with state=absent'
          }
        }
        result = await absent(ctx, args, target)
      }
      return warnings.length > 0 ? { ...result, warnings } : result
    } catch (error) {
      if (error instanceof EditFailure) return error.result
      if (error instanceof PyRegexError) return { changed: false, failed: true, msg: error.message }
      throw error
    }
  }
}
