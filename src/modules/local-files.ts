// Finding the runner-side files of copy/template/script the way Ansible's action plugins do,
// with Ansible's "Could not find or access" message when they are missing.
import path from 'node:path'
import type { ModuleContext } from './types.js'

export function searchedPaths(
  name: string,
  kind: 'files' | 'templates',
  ctx: ModuleContext
): string[] {
  if (ctx.localSearchPaths) return ctx.localSearchPaths(name, kind)
  const inKind = path.join(ctx.playbookDir, kind, name)
  const plain = path.join(ctx.playbookDir, name)
  return [inKind, plain, inKind, plain]
}

export function notFoundMessage(
  name: string,
  kind: 'files' | 'templates',
  ctx: ModuleContext
): string {
  const searched = path.isAbsolute(name) ? [name] : searchedPaths(name, kind, ctx)
  return (
    `Could not find or access '${name}'\nSearched in:\n\t${searched.join('\n\t')} on the Ansible Controller.\n` +
    'If you are using a module and expect the file to exist on the remote, see the remote_src option'
  )
}

/** Absolute local path of `name`, or null. Absolute names are taken as they are. */
export function findLocal(
  name: string,
  kind: 'files' | 'templates',
  ctx: ModuleContext
): string | null {
  return ctx.findLocalFile(name, kind)
}
