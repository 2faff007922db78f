// ansible.builtin.script: a runner-side script uploaded to the host's temp dir and run there.
// One put and one exec (which also removes the upload); creates/removes cost one probe first.
import { randomBytes } from 'node:crypto'
import { globWord, shlexSplit } from './command-runner.js'
import { findLocal, notFoundMessage } from './local-files.js'
import { basename, shellQuote, splitLines } from './remote.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'

async function remoteExists(pattern: string, ctx: ModuleContext): Promise<boolean> {
  const probe = await ctx.connection.exec(
    `for f in ${globWord(pattern)}; do if [ -e "$f" ] || [ -L "$f" ]; then exit 0; fi; done; exit 1`,
    { idempotent: true }
  )
  return probe.rc === 0
}

export const script: ModuleDefinition = {
  name: 'script',
  freeForm: true,
  args: {
    _raw_params: { type: 'str', aliases: ['cmd'] },
    chdir: { type: 'str' },
    creates: { type: 'str' },
    removes: { type: 'str' },
    executable: { type: 'str' },
    decrypt: { type: 'bool', default: true }
  },
  requiredOneOf: [['_raw_params']],
  checkMode: true,
  async run(args, ctx): Promise<ModuleResult> {
    const creates = args.creates as string | undefined
    const removes = args.removes as string | undefined
    if (creates && (await remoteExists(creates, ctx))) {
      return { changed: false, skipped: true, msg: `${creates} exists, matching creates option` }
    }
    if (removes && !(await remoteExists(removes, ctx))) {
      return {
        changed: false,
        skipped: true,
        msg: `${removes} does not exist, matching removes option`
      }
    }
    const chdir = args.chdir as string | undefined
    if (chdir && !chdir.startsWith('/')) {
      return {
        changed: false,
        failed: true,
        msg: `chdir ${chdir} must be an absolute path for a Unix-aware remote node`
      }
    }
    const rawParams = (args._raw_params as string).trim()
    let words: string[]
    try {
      words = shlexSplit(rawParams)
    } catch (error) {
      return {
        changed: false,
        failed: true,
        msg: `failed to parse the script line: ${(error as Error).message}`
      }
    }
    const source = findLocal(words[0], 'files', ctx)
    if (!source)
      return { changed: false, failed: true, msg: notFoundMessage(words[0], 'files', ctx) }
    if (ctx.check) {
      if (creates || removes) return { changed: true }
      return { changed: false, skipped: true, msg: 'Check mode is not supported for this task.' }
    }
    const tmp = (ctx.remoteTmp ?? '/tmp').replace(/\/+$/, '')
    const remotePath = `${tmp}/ansible-script-${randomBytes(6).toString('hex')}-${basename(source)}`
    await ctx.connection.put(source, remotePath, { mode: '0700' })
    const command = rawParams.replace(words[0], shellQuote(remotePath))
    const executable = args.executable ? `${shellQuote(args.executable as string)} ` : ''
    const lines = [
      chdir ? `cd ${shellQuote(chdir)} || exit 1` : '',
      `${executable}${command}`,
      'rc=$?',
      `rm -f ${shellQuote(remotePath)}`,
      'exit $rc'
    ]
    const executed = await ctx.connection.exec(lines.filter(Boolean).join('\n'), {
      env: ctx.environment,
      timeoutMs: ctx.timeoutMs
    })
    const result: ModuleResult = {
      changed: true,
      rc: executed.rc,
      stdout: executed.stdout,
      stdout_lines: splitLines(executed.stdout),
      stderr: executed.stderr,
      stderr_lines: splitLines(executed.stderr)
    }
    return executed.rc !== 0 ? { ...result, failed: true, msg: 'non-zero return code' } : result
  }
}
