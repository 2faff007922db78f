// ansible.builtin.unarchive: tar archives (plain, gz, bz2, xz) and zip, extracted with the
// pod's own tar/unzip into a scratch directory next to dest, compared file by file with cmp,
// and copied over only when something differs (so a second run is `ok`). One exec does it
// all; a runner-side archive costs one put first.
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import { applyCommands, pathInfoFields, planAttributes } from './file-attrs.js'
import { notFoundMessage } from './local-files.js'
import { basename, probePath, shellQuote } from './remote.js'
import type { ModuleDefinition, ModuleResult } from './types.js'

interface Format {
  handler: string
  tool: string
  extract: (archive: string, into: string) => string
  list: (archive: string) => string
  /** The extraction as an argv list, for extract_results.cmd. */
  argv: (archive: string, into: string) => string[]
}

function formatOf(name: string): Format | null {
  const tarFlag = /\.(tar\.gz|tgz)$/.test(name)
    ? 'z'
    : /\.(tar\.bz2|tbz2?)$/.test(name)
      ? 'j'
      : /\.(tar\.xz|txz)$/.test(name)
        ? 'J'
        : /\.tar$/.test(name)
          ? ''
          : null
  if (tarFlag !== null) {
    return {
      handler:
        tarFlag === 'z'
          ? 'TgzArchive'
          : tarFlag === ''
            ? 'TarArchive'
            : tarFlag === 'j'
              ? 'TarBzipArchive'
              : 'TarXzArchive',
      tool: 'tar',
      extract: (archive, into) => `tar -x${tarFlag}f ${archive} -C ${into}`,
      list: archive => `tar -t${tarFlag}f ${archive}`,
      argv: (archive, into) => [
        'tar',
        '--extract',
        '-C',
        into,
        ...(tarFlag ? [`-${tarFlag}`] : []),
        '-f',
        archive
      ]
    }
  }
  if (/\.zip$/.test(name)) {
    return {
      handler: 'ZipArchive',
      tool: 'unzip',
      extract: (archive, into) => `unzip -q -o ${archive} -d ${into}`,
      list: archive => `unzip -Z1 ${archive}`,
      argv: (archive, into) => ['unzip', '-o', archive, '-d', into]
    }
  }
  return null
}

export const unarchive: ModuleDefinition = {
  name: 'unarchive',
  args: {
    src: { type: 'path', required: true },
    dest: { type: 'path', required: true },
    remote_src: { type: 'bool', default: false },
    creates: { type: 'path' },
    list_files: { type: 'bool', default: false },
    keep_newer: { type: 'bool', default: false },
    exclude: { type: 'list', elements: 'str', default: [] },
    include: { type: 'list', elements: 'str', default: [] },
    extra_opts: { type: 'list', elements: 'str', default: [] },
    validate_certs: { type: 'bool', default: true },
    io_buffer_size: { type: 'int', default: 65536 },
    decrypt: { type: 'bool', default: true },
    copy: { type: 'bool' },
    mode: { type: 'raw' },
    owner: { type: 'str' },
    group: { type: 'str' },
    attributes: { type: 'str', aliases: ['attr'] },
    unsafe_writes: { type: 'bool', default: false }
  },
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const dest = args.dest as string
    let source = args.src as string
    const remoteSrc = args.remote_src === true || args.copy === false
    for (const option of ['exclude', 'include', 'extra_opts'] as const) {
      if ((args[option] as string[]).length > 0) {
        return {
          changed: false,
          failed: true,
          msg: `unarchive: ${option} is not supported by kubectl-ansible`
        }
      }
    }
    if (/^[a-z]+:\/\//.test(source)) {
      return {
        changed: false,
        failed: true,
        msg: 'unarchive: URL sources need Python on the target; fetch the file with a command task (curl/wget) first'
      }
    }
    if (
      args.creates !== undefined &&
      (await probePath(ctx.connection, args.creates as string)).exists
    ) {
      return { changed: false, skipped: true, msg: `skipped, since ${String(args.creates)} exists` }
    }
    const format = formatOf(source)
    if (!format) {
      return {
        changed: false,
        failed: true,
        msg: `Failed to find handler for "${source}". Supported: .tar, .tar.gz/.tgz, .tar.bz2, .tar.xz, .zip`
      }
    }
    const destInfo = await probePath(ctx.connection, dest, { follow: true })
    if (!destInfo.exists || destInfo.type !== 'directory') {
      return { changed: false, failed: true, msg: `dest '${dest}' must be an existing dir` }
    }
    let uploaded: string | undefined
    if (!remoteSrc) {
      const local = ctx.findLocalFile(source, 'files')
      if (!local)
        return { changed: false, failed: true, msg: notFoundMessage(source, 'files', ctx) }
      await fs.access(local)
      uploaded = `${(ctx.remoteTmp ?? '/tmp').replace(/\/+$/, '')}/ansible-unarchive-${randomBytes(6).toString('hex')}-${basename(local)}`
      await ctx.connection.put(local, uploaded, { mode: '0600' })
      source = local
    }
    const archive = shellQuote(uploaded ?? source)
    const scratch = `${dest.replace(/\/+$/, '')}/.ansible-unarchive-${randomBytes(6).toString('hex')}`
    const scratchQ = shellQuote(scratch)
    const destQ = shellQuote(dest)
    const script = [
      `command -v ${format.tool} >/dev/null 2>&1 || { echo 'NOTOOL'; exit 0; }`,
      `[ -r ${archive} ] || { echo 'NOSRC'; exit 0; }`,
      `mkdir ${scratchQ} || exit 1`,
      `${format.extract(archive, scratchQ)} 2>/tmp/.ansible-unarchive-err.$$ || { echo 'EXTRACTFAIL'; cat /tmp/.ansible-unarchive-err.$$; rm -rf ${scratchQ}; rm -f /tmp/.ansible-unarchive-err.$$; exit 0; }`,
      `rm -f /tmp/.ansible-unarchive-err.$$`,
      `(cd ${scratchQ} && find . -mindepth 1) | while IFS= read -r f; do`,
      `  if [ -d ${scratchQ}/"$f" ] && [ ! -L ${scratchQ}/"$f" ]; then [ -d ${destQ}/"$f" ] || echo "DIFF $f"`,
      `  elif ! cmp -s ${scratchQ}/"$f" ${destQ}/"$f" 2>/dev/null; then echo "DIFF $f"; fi`,
      'done',
      args.list_files ? `echo LIST; ${format.list(archive)}` : ':',
      ctx.check
        ? ':'
        : `if (cd ${scratchQ} && find . -mindepth 1) | while IFS= read -r f; do if [ -d ${scratchQ}/"$f" ] && [ ! -L ${scratchQ}/"$f" ]; then [ -d ${destQ}/"$f" ] || exit 1; elif ! cmp -s ${scratchQ}/"$f" ${destQ}/"$f" 2>/dev/null; then exit 1; fi; done; then :; else cp -a ${scratchQ}/. ${destQ}/ || echo 'COPYFAIL'; fi`,
      `rm -rf ${scratchQ}`,
      uploaded ? `rm -f ${archive}` : ':'
    ].join('\n')
    const executed = await ctx.connection.exec(script, { timeoutMs: ctx.timeoutMs })
    const lines = executed.stdout.split('\n')
    if (lines[0] === 'NOTOOL') {
      return {
        changed: false,
        failed: true,
        msg: `unarchive needs '${format.tool}' in the pod to extract ${basename(source)}; it is not installed`
      }
    }
    if (lines[0] === 'NOSRC')
      return { changed: false, failed: true, msg: `Source '${source}' does not exist` }
    if (lines[0] === 'EXTRACTFAIL') {
      return {
        changed: false,
        failed: true,
        msg: `Failed to extract ${source}: ${lines.slice(1).join('\n').trim()}`
      }
    }
    if (executed.rc !== 0 || lines.includes('COPYFAIL')) {
      return {
        changed: false,
        failed: true,
        msg: `Failed to unpack ${source} into ${dest}: ${executed.stderr.trim()}`
      }
    }
    const listIndex = lines.indexOf('LIST')
    const changedFiles = lines
      .slice(0, listIndex < 0 ? undefined : listIndex)
      .filter(line => line.startsWith('DIFF '))
    let changed = changedFiles.length > 0
    const plan = planAttributes(
      dest,
      destInfo,
      {
        mode: args.mode,
        owner: args.owner as string | undefined,
        group: args.group as string | undefined
      },
      ctx.check
    )
    await applyCommands(ctx, plan.commands)
    changed ||= plan.changed
    const result: ModuleResult = {
      changed,
      dest,
      src: source,
      handler: format.handler,
      // Like Ansible, extract_results only when something was extracted.
      ...(changedFiles.length > 0
        ? {
            extract_results: { cmd: format.argv(uploaded ?? source, dest), rc: 0, out: '', err: '' }
          }
        : {}),
      ...pathInfoFields({ ...destInfo, mode: plan.finalMode })
    }
    if (args.list_files && listIndex >= 0) result.files = lines.slice(listIndex + 1).filter(Boolean)
    return result
  }
}
