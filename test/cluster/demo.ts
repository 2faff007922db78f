// `npm run demo`: a local cluster with three pods labelled app=web, the example playbook run
// through our CLI against them, the cluster stopped again. Exits with the CLI's exit code.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCluster } from './index.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const playbook = 'examples/demo-playbook.yml'
const inventory = 'k8s://default?selector=app%3Dweb'

/** The built CLI when there is one, else the TypeScript entry through tsx. */
function cliCommand(): string[] {
  const built = path.join(repoRoot, 'dist/cli.js')
  if (existsSync(built)) return [process.execPath, built]
  return [process.execPath, ...process.execArgv, path.join(repoRoot, 'src/cli.ts')]
}

function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise(resolve => {
    const child = spawn(argv[0], argv.slice(1), { cwd: repoRoot, env, stdio: 'inherit' })
    child.on('error', error => {
      console.error(`demo: cannot start ${argv[0]}: ${error.message}`)
      resolve(1)
    })
    child.on('close', code => resolve(code ?? 1))
  })
}

async function main(): Promise<number> {
  console.log('demo: starting a local test cluster with pods web-1, web-2, web-3 (app=web)…')
  const cluster = await startCluster({
    pods: ['web-1', 'web-2', 'web-3'].map(name => ({ name, labels: { app: 'web' } }))
  })
  try {
    console.log(`demo: cluster at ${cluster.server}; running ${playbook} on ${inventory}\n`)
    return await run([...cliCommand(), 'playbook', '-i', inventory, playbook], {
      ...process.env,
      KUBECONFIG: cluster.kubeconfigPath
    })
  } finally {
    await cluster.stop()
    console.log('\ndemo: cluster stopped')
  }
}

main().then(
  code => (process.exitCode = code),
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
)
