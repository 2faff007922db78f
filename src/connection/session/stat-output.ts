// Parses what the session's __stat prints: `stat -c` fields when the pod has `stat`, else one
// `ls -ldn` line, then an optional `link:<target>` line.
import type { RemoteFileType, RemoteStat } from '../connection.js'

const TYPE_BITS: Record<number, RemoteFileType> = {
  0o100000: 'file',
  0o040000: 'directory',
  0o120000: 'link'
}

const LS_TYPES: Record<string, RemoteFileType> = { '-': 'file', d: 'directory', l: 'link' }

function octal(bits: number): string {
  return (bits & 0o7777).toString(8).padStart(4, '0')
}

/** `-rwsr-x--T` → 0o4750 | 0o1000 … the permission string of ls, as bits. */
export function modeFromLs(perms: string): number {
  let mode = 0
  const triplets = [perms.slice(1, 4), perms.slice(4, 7), perms.slice(7, 10)]
  const special = [0o4000, 0o2000, 0o1000]
  triplets.forEach((triplet, index) => {
    const shift = (2 - index) * 3
    if (triplet[0] === 'r') mode |= 4 << shift
    if (triplet[1] === 'w') mode |= 2 << shift
    const exec = triplet[2] ?? '-'
    if (exec === 'x' || exec === 's' || exec === 't') mode |= 1 << shift
    if (exec === 's' || exec === 'S' || exec === 't' || exec === 'T') mode |= special[index]!
  })
  return mode
}

export function parseStatOutput(output: string): RemoteStat {
  const newline = output.indexOf('\n')
  const first = newline === -1 ? output : output.slice(0, newline)
  const rest = newline === -1 ? '' : output.slice(newline + 1)
  if (first === 'missing') return { exists: false }
  const linkTarget = rest.startsWith('link:') ? rest.slice(5).replace(/\n$/, '') : undefined
  const link = linkTarget === undefined ? {} : { linkTarget }
  if (first.startsWith('stat ')) {
    const [, rawMode, size, uid, gid, atime, mtime, ctime, owner, group] = first.split(' ')
    const mode = parseInt(rawMode ?? '0', 16)
    return {
      exists: true,
      type: TYPE_BITS[mode & 0o170000] ?? 'other',
      mode: octal(mode),
      size: Number(size),
      uid: Number(uid),
      gid: Number(gid),
      atime: Number(atime),
      mtime: Number(mtime),
      ctime: Number(ctime),
      owner,
      group,
      ...link
    }
  }
  if (first.startsWith('ls ')) {
    const [perms = '', , uid, gid, size] = first.slice(3).trim().split(/\s+/)
    return {
      exists: true,
      type: LS_TYPES[perms[0] ?? ''] ?? 'other',
      mode: octal(modeFromLs(perms)),
      size: Number(size),
      uid: Number(uid),
      gid: Number(gid),
      ...link
    }
  }
  throw new Error(`unexpected stat output from the pod: ${JSON.stringify(output.slice(0, 200))}`)
}
