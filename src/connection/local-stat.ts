// Turns Node's fs.Stats into the connection's RemoteStat, with owner and group names looked up
// the way `stat -c %U/%G` does (the account databases), so both connections report the same.
import type { Stats } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { RemoteFileType, RemoteStat } from './connection.js'

let accountNames: Promise<{ users: Map<number, string>; groups: Map<number, string> }> | undefined

async function readIdNames(file: string): Promise<Map<number, string>> {
  const names = new Map<number, string>()
  const text = await readFile(file, 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':')
    if (name && id !== undefined && /^\d+$/.test(id) && !names.has(Number(id))) {
      names.set(Number(id), name)
    }
  }
  return names
}

function loadAccountNames(): Promise<{ users: Map<number, string>; groups: Map<number, string> }> {
  accountNames ??= Promise.all([readIdNames('/etc/passwd'), readIdNames('/etc/group')]).then(
    ([users, groups]) => ({ users, groups })
  )
  return accountNames
}

export function fileTypeOf(info: Stats): RemoteFileType {
  if (info.isSymbolicLink()) return 'link'
  if (info.isDirectory()) return 'directory'
  if (info.isFile()) return 'file'
  return 'other'
}

export function formatMode(bits: number): string {
  return (bits & 0o7777).toString(8).padStart(4, '0')
}

/** '0644', '644', '1204' → number; anything else is a caller error. */
export function parseOctalMode(mode: string): number {
  if (!/^[0-7]{1,4}$/.test(mode))
    throw new Error(`invalid file mode '${mode}': expected octal digits like 0644`)
  return parseInt(mode, 8)
}

export async function statFromNode(info: Stats, linkTarget?: string): Promise<RemoteStat> {
  const { users, groups } = await loadAccountNames()
  return {
    exists: true,
    type: fileTypeOf(info),
    mode: formatMode(info.mode),
    size: info.size,
    uid: info.uid,
    gid: info.gid,
    owner: users.get(info.uid) ?? String(info.uid),
    group: groups.get(info.gid) ?? String(info.gid),
    mtime: info.mtimeMs / 1000,
    atime: info.atimeMs / 1000,
    ctime: info.ctimeMs / 1000,
    ...(linkTarget === undefined ? {} : { linkTarget })
  }
}
