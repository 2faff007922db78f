// Request scripts for the session loop of bootstrap.ts. Every value from the caller (command,
// paths, env, modes) enters as one single-quoted word, so it is data to the remote shell,
// never code.
import { assertEnvName, printfEscape, shellQuote } from './shell-quote.js'

/** How a request's payload reaches its sink file in the pod. */
export type PayloadPlan =
  | { kind: 'none' }
  /** Raw bytes follow the request on the session's stdin (an exact-length reader exists). */
  | { kind: 'stream'; size: number }
  /** Bytes carried inside the request as printf escapes (small payloads, no exact reader). */
  | { kind: 'inline'; data: Buffer }
  /** Another exec has already written the sink file. */
  | { kind: 'side' }

const INLINE_CHUNK = 4096

function payloadLines(sink: string, plan: PayloadPlan): string[] {
  switch (plan.kind) {
    case 'none':
      return []
    case 'side':
      return [`__adopt ${sink}`]
    case 'stream':
      return [`__open ${sink}`, `__recv ${plan.size}`]
    case 'inline': {
      const lines = [`__open ${sink}`]
      for (let at = 0; at < plan.data.length; at += INLINE_CHUNK) {
        lines.push(`__ia '${printfEscape(plan.data.subarray(at, at + INLINE_CHUNK))}'`)
      }
      return lines
    }
  }
}

export interface ExecRequest {
  id: number
  executable: string
  command: string
  cwd?: string
  env?: Record<string, string>
  /** Remote path of the staging file for stdin, when there is stdin. */
  stdinSink?: string
  stdin: PayloadPlan
}

export function execScript(request: ExecRequest): string {
  const env = Object.entries(request.env ?? {}).map(([name, value]) => {
    assertEnvName(name)
    return shellQuote(`${name}=${value}`)
  })
  const hasStdin = request.stdin.kind !== 'none'
  return [
    `__beg ${request.id}`,
    ...(hasStdin ? payloadLines(shellQuote(request.stdinSink ?? ''), request.stdin) : []),
    [
      '__x',
      request.id,
      shellQuote(request.executable),
      shellQuote(request.command),
      shellQuote(request.cwd ?? ''),
      hasStdin ? 1 : 0,
      ...env
    ].join(' ')
  ].join('\n')
}

export interface PutRequest {
  id: number
  sink: string
  destination: string
  mode?: string
  size: number
  payload: PayloadPlan
  /** Sinks of an earlier, failed attempt, removed first. */
  staleSinks?: string[]
}

export function putScript(request: PutRequest): string {
  const lines = [`__beg ${request.id}`]
  if (request.staleSinks?.length)
    lines.push(`__drop ${request.staleSinks.map(shellQuote).join(' ')}`)
  lines.push(...payloadLines(shellQuote(request.sink), request.payload))
  lines.push(
    `__put ${request.id} ${shellQuote(request.destination)} ${shellQuote(request.mode ?? '')} ${request.size}`
  )
  return lines.join('\n')
}

export function fetchScript(id: number, path: string): string {
  return `__beg ${id}\n__fetch ${id} ${shellQuote(path)}`
}

export function statScript(id: number, path: string, follow: boolean): string {
  return `__beg ${id}\n__stat ${id} ${shellQuote(path)} ${follow ? 1 : 0}`
}

export function killScript(id: number): string {
  return `__k ${id}`
}
