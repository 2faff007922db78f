// ansible.builtin.template: render a runner-side Jinja2 file with the task's variables and
// write it like copy (same result shape, same round trips).
import { promises as fs } from 'node:fs'
import os from 'node:os'
import { writeRemoteFile } from './copy-core.js'
import { copyArgs } from './copy.js'
import { notFoundMessage } from './local-files.js'
import { basename } from './remote.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'

const NEWLINES: Record<string, string> = {
  '\\n': '\n',
  '\\r': '\r',
  '\\r\\n': '\r\n',
  '\n': '\n',
  '\r': '\r',
  '\r\n': '\r\n'
}
const CUSTOM_DELIMITERS = [
  'variable_start_string',
  'variable_end_string',
  'block_start_string',
  'block_end_string',
  'comment_start_string',
  'comment_end_string'
]

function pythonDatetime(date: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0')
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds() * 1000, 6)}`
  )
}

async function templateVars(
  given: string,
  fullPath: string,
  dest: string
): Promise<Record<string, unknown>> {
  const info = await fs.stat(fullPath)
  let uid = String(info.uid)
  try {
    const passwd = await fs.readFile('/etc/passwd', 'utf8')
    uid =
      passwd
        .split('\n')
        .find(line => line.split(':')[2] === String(info.uid))
        ?.split(':')[0] ?? uid
  } catch {
    // No passwd database on the runner: Ansible falls back to the numeric uid too.
  }
  return {
    template_host: os.hostname(),
    template_path: given,
    template_fullpath: fullPath,
    template_mtime: pythonDatetime(info.mtime),
    template_uid: uid,
    template_run_date: pythonDatetime(new Date()),
    template_destpath: dest,
    ansible_managed: 'Ansible managed'
  }
}

export const template: ModuleDefinition = {
  name: 'template',
  args: {
    ...copyArgs,
    newline_sequence: { type: 'str', default: '\n' },
    trim_blocks: { type: 'bool', default: true },
    lstrip_blocks: { type: 'bool', default: false },
    output_encoding: { type: 'str', default: 'utf-8' },
    state: { type: 'raw' },
    ...Object.fromEntries(CUSTOM_DELIMITERS.map(name => [name, { type: 'str' as const }]))
  },
  checkMode: true,
  async run(args, ctx: ModuleContext): Promise<ModuleResult> {
    const source = args.src as string | undefined
    const dest = args.dest as string | undefined
    const newline = NEWLINES[args.newline_sequence as string]
    if (args.state !== undefined)
      return { failed: true, changed: false, msg: "'state' cannot be specified on a template" }
    if (source === undefined || dest === undefined)
      return { failed: true, changed: false, msg: 'src and dest are required' }
    if (newline === undefined) {
      return {
        failed: true,
        changed: false,
        msg: 'newline_sequence needs to be one of: \n, \r or \r\n'
      }
    }
    const custom = CUSTOM_DELIMITERS.filter(name => args[name] !== undefined)
    if (custom.length > 0) {
      return {
        failed: true,
        changed: false,
        msg: `template: ${custom.join(', ')} not supported (Jinja2 default delimiters only)`
      }
    }
    const encoding = String(args.output_encoding).toLowerCase().replace('_', '-')
    if (encoding !== 'utf-8' && encoding !== 'utf8') {
      return {
        failed: true,
        changed: false,
        msg: `template: output_encoding ${String(args.output_encoding)} not supported (utf-8 only)`
      }
    }
    const found = ctx.findLocalFile(source, 'templates')
    if (!found)
      return { failed: true, changed: false, msg: notFoundMessage(source, 'templates', ctx) }
    const text = await fs.readFile(found, 'utf8')
    const sourceInfo = await fs.stat(found)
    const rendered = ctx.render(text, {
      trimBlocks: args.trim_blocks as boolean,
      lstripBlocks: args.lstrip_blocks as boolean,
      extraVars: await templateVars(source, found, dest)
    })
    const output = newline === '\n' ? rendered : rendered.replace(/\r\n|\r|\n/g, newline)
    const result = await writeRemoteFile(ctx, {
      source: { data: Buffer.from(output, 'utf8') },
      sourceRel: basename(found),
      dest,
      afterHeader: found,
      isContent: false,
      sourceMode: sourceInfo.mode & 0o7777,
      args
    })
    return result ?? { changed: false, dest, src: found }
  }
}
