// ansible.builtin.slurp: a remote file's bytes, base64-encoded (one read).
import { probePath } from './remote.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

export const slurp: ModuleDefinition = {
  name: 'slurp',
  args: { src: { type: 'path', required: true, aliases: ['path'] } },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const source = args.src as string
    const info = await probePath(ctx.connection, source, { follow: true, content: true })
    if (!info.exists) return { changed: false, failed: true, msg: `file not found: ${source}` }
    if (info.type === 'directory')
      return {
        changed: false,
        failed: true,
        msg: `source is a directory and must be a file: ${source}`
      }
    const data = info.content ?? (await ctx.connection.read(source))
    if (data === null)
      return { changed: false, failed: true, msg: `file is not readable: ${source}` }
    return { changed: false, content: data.toString('base64'), source, encoding: 'base64' }
  }
}
