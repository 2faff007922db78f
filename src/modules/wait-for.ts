// ansible.builtin.wait_for: poll a path (present/absent, search_regex) or a TCP port from the
// runner, one small exec per attempt. Local ports are read from /proc/net/tcp{,6} (no tools
// needed); other hosts need `nc` in the pod.
import { PyRegexError, pyRegex } from './pyregex.js'
import { pathInfoFields } from './file-attrs.js'
import { probePath, shellQuote, type PathInfo } from './remote.js'
import type { ModuleContext, ModuleDefinition, ModuleResult } from './types.js'

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '0.0.0.0', '::1', '::'])
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** true when something listens on (or accepts connections to) host:port. */
async function portOpen(
  ctx: ModuleContext,
  host: string,
  port: number,
  connectTimeout: number
): Promise<boolean> {
  if (LOCAL_HOSTS.has(host)) {
    const hex = port.toString(16).toUpperCase().padStart(4, '0')
    const script = `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$2 ~ /:${hex}$/ && $4 == "0A" { found=1 } END { exit found ? 0 : 1 }'`
    return (await ctx.connection.exec(script, { idempotent: true })).rc === 0
  }
  const probe = await ctx.connection.exec(
    `command -v nc >/dev/null 2>&1 || exit 127; nc -z -w ${connectTimeout} ${shellQuote(host)} ${port}`,
    { idempotent: true }
  )
  if (probe.rc === 127)
    throw new WaitForError(
      `wait_for ${host}:${port} needs 'nc' on the target to test a remote port`
    )
  return probe.rc === 0
}

class WaitForError extends Error {}

export const waitFor: ModuleDefinition = {
  name: 'wait_for',
  args: {
    host: { type: 'str', default: '127.0.0.1' },
    timeout: { type: 'int', default: 300 },
    connect_timeout: { type: 'int', default: 5 },
    delay: { type: 'int', default: 0 },
    port: { type: 'int' },
    active_connection_states: { type: 'list', elements: 'str' },
    path: { type: 'path' },
    search_regex: { type: 'str' },
    state: {
      type: 'str',
      default: 'started',
      choices: ['absent', 'drained', 'present', 'started', 'stopped']
    },
    exclude_hosts: { type: 'list', elements: 'str' },
    sleep: { type: 'int', default: 1 },
    msg: { type: 'str' }
  },
  checkMode: false,
  async run(args, ctx): Promise<ModuleResult> {
    const host = args.host as string
    const port = args.port as number | undefined
    const path = args.path as string | undefined
    const state = args.state as string
    const searchRegex = args.search_regex as string | undefined
    const customMsg = args.msg as string | undefined
    const started = Date.now()
    const elapsed = () => Math.floor((Date.now() - started) / 1000)
    const failure = (msg: string): ModuleResult => ({
      changed: false,
      failed: true,
      msg: customMsg ?? msg,
      elapsed: elapsed()
    })
    let regex: RegExp | undefined
    try {
      regex = searchRegex !== undefined ? pyRegex(searchRegex, { multiline: true }) : undefined
    } catch (error) {
      if (error instanceof PyRegexError)
        return { changed: false, failed: true, msg: `Invalid regular expression: ${error.message}` }
      throw error
    }
    if (port !== undefined && path !== undefined)
      return failure('port and path parameter can not both be passed to wait_for')
    if (path !== undefined && state === 'stopped')
      return failure('state=stopped should only be used for checking a port in the wait_for module')
    if (path !== undefined && state === 'drained')
      return failure('state=drained should only be used for checking a port in the wait_for module')
    if (state === 'drained')
      return failure(
        'wait_for state=drained is not supported by kubectl-ansible; poll with a command task instead'
      )

    const deadline = started + (args.timeout as number) * 1000
    const pause = Math.max(0, (args.sleep as number) * 1000)
    if ((args.delay as number) > 0) await sleep((args.delay as number) * 1000)
    let lastInfo: PathInfo | undefined
    let matchGroups: string[] = []
    let matchGroupdict: Record<string, string> = {}
    try {
      if (port === undefined && path === undefined) {
        await sleep(Math.max(0, deadline - Date.now()))
      } else if (state === 'absent' || state === 'stopped') {
        for (;;) {
          const gone =
            path !== undefined
              ? !(await probePath(ctx.connection, path)).exists
              : !(await portOpen(ctx, host, port!, args.connect_timeout as number))
          if (gone) break
          if (Date.now() >= deadline) {
            return failure(
              path !== undefined
                ? `Timeout when waiting for ${path} to be absent.`
                : `Timeout when waiting for ${host}:${port} to stop.`
            )
          }
          await sleep(pause)
        }
      } else {
        for (;;) {
          if (path !== undefined) {
            const info = await probePath(ctx.connection, path, {
              follow: true,
              content: regex !== undefined
            })
            lastInfo = info
            if (info.exists && !regex) break
            if (info.exists && regex) {
              const found = regex.exec((info.content ?? Buffer.alloc(0)).toString('utf8'))
              if (found) {
                matchGroups = found.slice(1).map(group => group ?? '')
                matchGroupdict = { ...(found.groups ?? {}) }
                break
              }
            }
          } else if (await portOpen(ctx, host, port!, args.connect_timeout as number)) break
          if (Date.now() >= deadline) {
            if (port !== undefined) return failure(`Timeout when waiting for ${host}:${port}`)
            return failure(
              regex
                ? `Timeout when waiting for search string ${searchRegex} in ${path}`
                : `Timeout when waiting for file ${path}`
            )
          }
          await sleep(pause)
        }
      }
    } catch (error) {
      if (error instanceof WaitForError) return failure(error.message)
      throw error
    }
    return {
      changed: false,
      state,
      port: port ?? null,
      search_regex: searchRegex ?? null,
      match_groups: matchGroups,
      match_groupdict: matchGroupdict,
      path: path ?? null,
      elapsed: elapsed(),
      // Ansible's exit_json adds the path's info (and its `state` wins) when `path` is set.
      ...(lastInfo ? pathInfoFields(lastInfo) : {})
    }
  }
}
