// `npm run cluster:up` / `cluster:down`: the test cluster as a background process for manual
// use. `up` starts `serve` detached and waits until it has written .cluster/kubeconfig,
// .cluster/pods.json and .cluster/pid; `down` stops exactly that pid.
//
//   tsx test/cluster/cli.ts up [--pods FILE.json] [--latency-ms N] [--http] [--port N]
//   tsx test/cluster/cli.ts down
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCluster } from './index.js'
import type { ClusterOptions, PodSpec } from './types.js'

const stateDir = path.resolve('.cluster')
const pidFile = path.join(stateDir, 'pid')
const logFile = path.join(stateDir, 'server.log')

const DEFAULT_PODS: PodSpec[] = [
  { name: 'web-1', labels: { app: 'web' } },
  { name: 'web-2', labels: { app: 'web' } },
  { name: 'web-3', labels: { app: 'web' } },
  { name: 'db-1', labels: { app: 'db' }, python3: true }
]

class UsageError extends Error {}

function parseOptions(args: string[]): ClusterOptions {
  const options: ClusterOptions = { pods: DEFAULT_PODS }
  for (let i = 0; i < args.length; i++) {
    const value = (): string => {
      const next = args[++i]
      if (next === undefined) throw new UsageError(`${args[i - 1]} needs a value`)
      return next
    }
    const number = (flag: string): number => {
      const text = value()
      if (!/^\d+$/.test(text))
        throw new UsageError(`${flag} expects a whole number, got ${JSON.stringify(text)}`)
      return Number(text)
    }
    const arg = args[i]
    if (arg === '--pods') options.pods = readPods(value())
    else if (arg === '--latency-ms') options.latencyMs = number(arg)
    else if (arg === '--port') options.port = number(arg)
    else if (arg === '--http') options.http = true
    else throw new UsageError(`unknown option ${JSON.stringify(arg)}`)
  }
  return options
}

function readPods(file: string): PodSpec[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(
      `--pods ${file}: ${error instanceof Error ? error.message : String(error)}`
    )
  }
  if (!Array.isArray(parsed) || !parsed.every(pod => typeof pod?.name === 'string'))
    throw new UsageError(`--pods ${file}: expected a JSON array of pod specs, each with a "name"`)
  return parsed as PodSpec[]
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function up(args: string[]): Promise<number> {
  parseOptions(args)
  if (existsSync(pidFile) && alive(Number(readFileSync(pidFile, 'utf8')))) {
    console.error(
      `cluster: already running (pid ${readFileSync(pidFile, 'utf8').trim()}); run npm run cluster:down first`
    )
    return 1
  }
  rmSync(stateDir, { recursive: true, force: true })
  mkdirSync(stateDir, { recursive: true })
  const log = openSync(logFile, 'a')
  const script = fileURLToPath(import.meta.url)
  const child = spawn(process.execPath, [...process.execArgv, script, 'serve', ...args], {
    detached: true,
    stdio: ['ignore', log, log]
  })
  child.unref()
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (existsSync(pidFile)) {
      console.log(
        `cluster: running (pid ${child.pid}); export KUBECONFIG=${path.join(stateDir, 'kubeconfig')}`
      )
      console.log(
        `cluster: pods in ${path.join(stateDir, 'pods.json')}; stop with npm run cluster:down`
      )
      return 0
    }
    if (child.exitCode !== null) break
    await sleep(100)
  }
  console.error(
    `cluster: the server did not start; see ${logFile}:\n${readFileSync(logFile, 'utf8')}`
  )
  return 1
}

async function serve(args: string[]): Promise<void> {
  const options = parseOptions(args)
  const cluster = await startCluster(options)
  writeFileSync(path.join(stateDir, 'kubeconfig'), cluster.kubeconfig, { mode: 0o600 })
  writeFileSync(path.join(stateDir, 'pods.json'), JSON.stringify(options.pods, null, 2) + '\n')
  writeFileSync(pidFile, `${process.pid}\n`)
  console.log(
    `${new Date().toISOString()} serving ${cluster.server} with ${options.pods?.length ?? 0} pods`
  )
  const shutdown = (): void => {
    void cluster.stop().then(() => process.exit(0))
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}

async function down(): Promise<number> {
  if (!existsSync(pidFile)) {
    console.log('cluster: not running')
    return 0
  }
  const pid = Number(readFileSync(pidFile, 'utf8'))
  if (alive(pid)) {
    process.kill(pid, 'SIGTERM')
    for (let waited = 0; alive(pid) && waited < 10_000; waited += 100) await sleep(100)
    if (alive(pid)) process.kill(pid, 'SIGKILL')
  }
  rmSync(stateDir, { recursive: true, force: true })
  console.log(`cluster: stopped (pid ${pid})`)
  return 0
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2)
  try {
    if (command === 'up') return await up(args)
    if (command === 'down') return await down()
    if (command === 'serve') {
      await serve(args)
      return 0
    }
    throw new UsageError(`unknown command ${JSON.stringify(command ?? '')} (expected up or down)`)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`cluster: ${error.message}`)
    return 2
  }
}

main().then(
  code => {
    if (code !== 0) process.exitCode = code
  },
  (error: unknown) => {
    console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
)
