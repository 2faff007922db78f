// Runs one tool once and measures it: wall time, peak RSS of the tool's own process (VmHWM,
// read from /proc while it runs, so kubectl children do not count) and the number of kubectl
// processes it started (counted by a logging shim placed first on PATH).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

export interface Measurement {
  ms: number
  code: number
  kubectlProcesses: number
  peakRssMiB: number
  /** Killed at the per-run timeout: `ms` is then a lower bound of the real time. */
  timedOut: boolean
  /** Tail of stderr+stdout when the run failed, for the report. */
  failure?: string
}

export interface KubectlShim {
  dir: string
  binary: string
  count(): Promise<number>
  reset(): Promise<void>
}

/** A `kubectl` on PATH that records each start and then runs the real one. */
export async function createKubectlShim(dir: string, realKubectl: string): Promise<KubectlShim> {
  await mkdir(dir, { recursive: true })
  const log = path.join(dir, 'starts.log')
  const binary = path.join(dir, 'kubectl')
  await writeFile(binary, `#!/bin/sh\necho >> '${log}'\nexec '${realKubectl}' "$@"\n`, {
    mode: 0o755
  })
  await writeFile(log, '')
  return {
    dir,
    binary,
    count: async () => (existsSync(log) ? (await readFile(log, 'utf8')).length : 0),
    reset: () => writeFile(log, '')
  }
}

async function peakRssKiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
  } catch {
    return 0
  }
}

export async function measure(
  argv: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; shim: KubectlShim; timeoutMs: number }
): Promise<Measurement> {
  await options.shim.reset()
  const started = Date.now()
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let peak = 0
  const poll = setInterval(() => {
    if (child.pid !== undefined)
      void peakRssKiB(child.pid).then(kib => (peak = Math.max(peak, kib)))
  }, 25)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, options.timeoutMs)
  const code = await new Promise<number>(resolve => {
    child.on('error', error => {
      output += error.message
      resolve(127)
    })
    child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 137 : 1)))
  })
  clearInterval(poll)
  clearTimeout(timer)
  const ms = Date.now() - started
  return {
    ms,
    code,
    timedOut,
    kubectlProcesses: await options.shim.count(),
    peakRssMiB: Math.round((peak / 1024) * 10) / 10,
    ...(code === 0 ? {} : { failure: output.trim().split('\n').slice(-6).join('\n') })
  }
}

export async function removeQuietly(target: string): Promise<void> {
  await rm(target, { recursive: true, force: true })
}
