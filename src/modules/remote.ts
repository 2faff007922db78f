// Remote helpers shared by the file modules: POSIX quoting and the single-exec path probe that
// returns type, permission bits, size, ids and checksum of several paths in one round trip.
import { createHash } from 'node:crypto'
import type { Connection } from '../connection/connection.js'

/** Quote one word for POSIX sh. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word
  return `'${word.replace(/'/g, `'\\''`)}'`
}

export function sha1Hex(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('hex')
}

export function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex')
}

export type ChecksumAlgorithm = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512'

export type PathType = 'file' | 'directory' | 'link' | 'other'

export interface PathInfo {
  path: string
  exists: boolean
  type?: PathType
  /** File type and permission bits as st_mode. */
  rawMode?: number
  /** Permission bits (incl. setuid/setgid/sticky). */
  mode?: number
  size?: number
  uid?: number
  gid?: number
  owner?: string
  group?: string
  atime?: number
  mtime?: number
  ctime?: number
  inode?: number
  dev?: number
  nlink?: number
  linkTarget?: string
  /** Hex digest (algorithm as asked) of a regular file, when the host could compute it. */
  checksum?: string
  /** The host lacks the checksum tool: hash the content on the runner instead. */
  checksumUnavailable?: boolean
  /** Access checks for the connecting user (stat module). */
  readable?: boolean
  writeable?: boolean
  executable?: boolean
  /** `lsattr` flags, '' when unavailable (stat module). */
  attrFlags?: string
  /** realpath of a symlink (stat module's lnk_source). */
  realPath?: string
  /** Regular file content, when asked (`content: true`) and the file exists. */
  content?: Buffer
  /** os.path.exists: the path exists after following symlinks. */
  targetExists?: boolean
  /** The path is a directory after following symlinks. */
  targetIsDir?: boolean
}

export interface ProbeOptions {
  /** Compute a checksum of regular files (default false). */
  checksum?: ChecksumAlgorithm | false
  /** Hash only a file of this many bytes (another size differs anyway: spare the pass). */
  checksumOnlyOfSize?: number
  /** stat through symlinks (stat -L). */
  follow?: boolean
  /** Also report access checks and lsattr flags. */
  access?: boolean
  /** Also return the content of the (single) regular file; only with one path. */
  content?: boolean
}

/** The uid/gid the host runs our commands as (`id -u`, `id -g`). */
export interface HostIdentity {
  uid: number
  gid: number
}

function typeFromMode(rawMode: number): PathType {
  const format = rawMode & 0o170000
  if (format === 0o100000) return 'file'
  if (format === 0o040000) return 'directory'
  if (format === 0o120000) return 'link'
  return 'other'
}

function pathScript(path: string, index: number, options: ProbeOptions): string {
  const p = shellQuote(path)
  const statFlags = options.follow ? '-L -c' : '-c'
  const testFile = options.follow ? `[ -f ${p} ]` : `[ -f ${p} ] && [ ! -L ${p} ]`
  const lines = [
    `if [ -e ${p} ] || [ -L ${p} ]; then`,
    `  printf 'P${index} '; stat ${statFlags} '%f %s %u %g %X %Y %Z %i %d %h %U %G' ${p} || printf '\\n'`,
    `  if [ -L ${p} ]; then printf 'L${index} '; readlink ${p}; fi`,
    `  x=; [ -e ${p} ] && x=e; [ -d ${p} ] && x=\${x}d; echo "X${index} $x"`,
    `  if [ -L ${p} ]; then printf 'R${index} '; readlink -f ${p}; fi`
  ]
  if (options.checksum) {
    const tool = `${options.checksum}sum`
    const sized =
      options.checksumOnlyOfSize === undefined
        ? ''
        : ` && [ "$(stat ${statFlags} %s ${p})" = ${options.checksumOnlyOfSize} ]`
    lines.push(
      `  if ${testFile}${sized}; then if command -v ${tool} >/dev/null 2>&1; then printf 'C${index} '; ${tool} < ${p} | cut -d' ' -f1; else echo 'U${index}'; fi; fi`
    )
  }
  if (options.access) {
    lines.push(
      `  a=; [ -r ${p} ] && a=\${a}r; [ -w ${p} ] && a=\${a}w; [ -x ${p} ] && a=\${a}x; echo "A${index} $a"`,
      `  if command -v lsattr >/dev/null 2>&1 && [ ! -L ${p} ]; then printf 'F${index} '; lsattr -d ${p} 2>/dev/null | cut -d' ' -f1 | tr -d '-'; fi`
    )
  }
  if (options.content) {
    lines.push(`  if ${testFile}; then echo 'D${index}'; cat ${p}; fi`)
  }
  lines.push(`else echo 'N${index}'; fi`)
  return lines.join('\n')
}

function parseStat(info: PathInfo, line: string): void {
  const fields = line.trim().split(' ')
  if (fields.length < 10) return
  const [rawHex, size, uid, gid, atime, mtime, ctime, inode, dev, nlink, owner, group] = fields
  const rawMode = parseInt(rawHex, 16)
  Object.assign(info, {
    exists: true,
    rawMode,
    mode: rawMode & 0o7777,
    type: typeFromMode(rawMode),
    size: Number(size),
    uid: Number(uid),
    gid: Number(gid),
    atime: Number(atime),
    mtime: Number(mtime),
    ctime: Number(ctime),
    inode: Number(inode),
    dev: Number(dev),
    nlink: Number(nlink),
    owner,
    group
  })
}

/**
 * stat (+ checksum, + content) of every path in one exec. Missing paths come back with
 * `exists: false`. Throws when the host's shell cannot run the probe at all.
 */
export async function probePaths(
  connection: Connection,
  paths: string[],
  options: ProbeOptions = {}
): Promise<PathInfo[]> {
  return (await probeWithIdentity(connection, paths, options, false)).infos
}

/** probePaths, plus (when `withIdentity`) the uid/gid the host runs our commands as. */
export async function probeWithIdentity(
  connection: Connection,
  paths: string[],
  options: ProbeOptions = {},
  withIdentity = true
): Promise<{ infos: PathInfo[]; identity?: HostIdentity }> {
  if (options.content && paths.length !== 1)
    throw new Error('probePaths: content needs exactly one path')
  const script = new ProbeScript()
  if (withIdentity) script.line('echo "I0 $(id -u) $(id -g)"')
  for (const path of paths) script.probe(path, options)
  return script.run(connection, { idempotent: true })
}

/** What a ProbeScript printed: its probes by index, `mark` values, and the exec's own result. */
export interface ProbeScriptResult {
  infos: PathInfo[]
  identity?: HostIdentity
  /** Values of `S<n> value` lines (ProbeScript.mark), by n. */
  marks: Map<number, string>
  /** Lines `W <text>` the script printed (listings), in order. */
  listing: string[]
  rc: number
  stderr: string
}

/**
 * One exec that interleaves shell steps and path probes, so a module can look, act and look
 * again in a single round trip. Steps must keep their stdout off the probe protocol (send it
 * to stderr or prefix it with `W `); probes are numbered in the order they are added.
 */
export class ProbeScript {
  private readonly lines: string[] = []
  private readonly paths: string[] = []

  line(text: string): this {
    this.lines.push(text)
    return this
  }

  probe(path: string, options: ProbeOptions = {}): number {
    const index = this.paths.length
    this.paths.push(path)
    this.lines.push(pathScript(path, index, options))
    return index
  }

  /** A shell line that prints `S<n> value` (value is shell syntax, e.g. `$?`). */
  mark(n: number, value: string): this {
    return this.line(`echo "S${n} ${value}"`)
  }

  async run(
    connection: Connection,
    options: { idempotent?: boolean } = {}
  ): Promise<ProbeScriptResult> {
    const result = await connection.exec(this.lines.join('\n'), {
      idempotent: options.idempotent ?? false
    })
    const parsed = parseProbeOutput(result.stdoutBytes, this.paths)
    if (parsed.infos.some(info => info.exists && info.rawMode === undefined)) {
      throw new Error(`cannot stat on the host (is 'stat' installed?): ${result.stderr.trim()}`)
    }
    return { ...parsed, rc: result.rc, stderr: result.stderr }
  }
}

function parseProbeOutput(
  bytes: Buffer,
  paths: string[]
): Omit<ProbeScriptResult, 'rc' | 'stderr'> {
  const infos: PathInfo[] = paths.map(path => ({ path, exists: false }))
  const marks = new Map<number, string>()
  const listing: string[] = []
  let identity: HostIdentity | undefined
  let offset = 0
  while (offset < bytes.length) {
    const end = bytes.indexOf(0x0a, offset)
    const line = bytes.subarray(offset, end < 0 ? bytes.length : end).toString('utf8')
    offset = end < 0 ? bytes.length : end + 1
    if (line.startsWith('W ')) {
      listing.push(line.slice(2))
      continue
    }
    const match = /^([PLXCUAFNDIRS])(\d+) ?(.*)$/.exec(line)
    if (!match) continue
    const value = match[3]
    if (match[1] === 'I') {
      const [uid, gid] = value.split(' ').map(Number)
      identity = { uid, gid }
      continue
    }
    if (match[1] === 'S') {
      marks.set(Number(match[2]), value)
      continue
    }
    const info = infos[Number(match[2])]
    if (!info) continue
    switch (match[1]) {
      case 'P':
        parseStat(info, value)
        break
      case 'L':
        info.linkTarget = value
        break
      case 'X':
        info.targetExists = value.includes('e')
        info.targetIsDir = value.includes('d')
        break
      case 'C':
        info.checksum = value
        break
      case 'U':
        info.checksumUnavailable = true
        break
      case 'A':
        info.readable = value.includes('r')
        info.writeable = value.includes('w')
        info.executable = value.includes('x')
        break
      case 'F':
        info.attrFlags = value
        break
      case 'R':
        info.realPath = value
        break
      case 'D':
        info.content = Buffer.from(bytes.subarray(offset))
        offset = bytes.length
        break
    }
  }
  return { infos, identity, marks, listing }
}

/** Probe one path; see probePaths. Fills in a runner-side checksum when the host had no tool. */
export async function probePath(
  connection: Connection,
  path: string,
  options: ProbeOptions = {}
): Promise<PathInfo> {
  const [info] = await probePaths(connection, [path], options)
  if (info.checksumUnavailable && options.checksum) {
    const data = info.content ?? (await connection.read(path))
    if (data) info.checksum = createHash(options.checksum).update(data).digest('hex')
  }
  return info
}

/** Run a command and fail loudly (as an Error) when it exits non-zero. */
export async function execChecked(
  connection: Connection,
  cmd: string,
  what: string
): Promise<string> {
  const result = await connection.exec(cmd)
  if (result.rc !== 0)
    throw new RemoteCommandError(`${what} failed: ${(result.stderr || result.stdout).trim()}`)
  return result.stdout
}

/** A remote helper command failed; modules turn it into a failed result with this message. */
export class RemoteCommandError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RemoteCommandError'
  }
}

export function dirname(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  const index = trimmed.lastIndexOf('/')
  if (index < 0) return '.'
  if (index === 0) return '/'
  return trimmed.slice(0, index)
}

export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}

/** Ansible's stdout_lines / stderr_lines: splitlines() of the text. */
export function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split(/\r\n|\r|\n/)
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}
