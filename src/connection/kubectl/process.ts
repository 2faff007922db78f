// Starting kubectl: always with an argv free of secrets, the runner's environment plus the
// host's ansible_kubectl_local_env_vars, and one tick on the process counter per start.
import { spawn } from 'node:child_process'
import type { KubectlProcessCounter } from '../process-counter.js'
import type { SessionProcess } from '../session/shell-session.js'

export interface KubectlInvocation {
  kubectlPath: string
  /** Global arguments from access.ts plus --extra args. */
  globalArgs: string[]
  env: Record<string, string | undefined>
  counter: KubectlProcessCounter
  host?: string
}

/**
 * The runner's environment minus K8S_AUTH_* (read by us, never by kubectl: a token there would
 * only become readable in kubectl's /proc environ), plus the host's local env vars.
 */
export function kubectlEnvironment(
  runnerEnv: Record<string, string | undefined>,
  localEnv: Record<string, string> = {}
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(runnerEnv)) {
    if (!name.startsWith('K8S_AUTH_')) env[name] = value
  }
  return { ...env, ...localEnv }
}

function environment(invocation: KubectlInvocation): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(invocation.env)) {
    if (value !== undefined) env[name] = value
  }
  return env
}

/** A long-running kubectl whose stdio the caller drives (an exec session). */
export function startKubectl(invocation: KubectlInvocation, args: string[]): SessionProcess {
  invocation.counter.record(invocation.host)
  const child = spawn(invocation.kubectlPath, [...invocation.globalArgs, ...args], {
    env: environment(invocation),
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => {
    child.on('close', (code, signal) => resolve({ code, signal }))
    // A missing binary: report it as an exit with the spawn error on stderr-like diagnostics.
    child.on('error', error => {
      child.stderr.emit('data', Buffer.from(`${error.message}\n`))
      resolve({ code: 127, signal: null })
    })
  })
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    kill: () => {
      child.kill('SIGKILL')
    }
  }
}

export interface KubectlOutput {
  code: number
  stdout: Buffer
  stderr: string
  /** The process was killed because it ran past `timeoutMs`. */
  timedOut: boolean
}

/** Run kubectl to completion, feeding `stdin` (a Buffer or a stream of chunks). */
export async function runKubectlCommand(
  invocation: KubectlInvocation,
  args: string[],
  stdin?: Buffer | AsyncIterable<Buffer>,
  timeoutMs?: number
): Promise<KubectlOutput> {
  const process = startKubectl(invocation, args)
  let timedOut = false
  const timer = timeoutMs
    ? setTimeout(() => {
        timedOut = true
        process.kill()
      }, timeoutMs)
    : undefined
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  process.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  process.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  process.stdin.on('error', () => undefined)
  const feeding = (async () => {
    if (Buffer.isBuffer(stdin) || stdin === undefined) {
      process.stdin.end(stdin ?? Buffer.alloc(0))
      return
    }
    for await (const chunk of stdin) {
      if (!process.stdin.write(chunk)) {
        const drained = await Promise.race([
          new Promise<boolean>(resolve => process.stdin.once('drain', () => resolve(true))),
          process.exited.then(() => false)
        ])
        if (!drained) return
      }
    }
    process.stdin.end()
  })()
  const exit = await process.exited
  clearTimeout(timer)
  await feeding.catch(() => undefined)
  return {
    code: exit.code ?? 128,
    stdout: Buffer.concat(stdout),
    stderr: Buffer.concat(stderr).toString('utf8'),
    timedOut
  }
}
