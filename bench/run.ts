// `npm run bench`: our CLI and `ansible-playbook -c kubernetes.core.kubectl` on the same
// inventory and playbooks against the local test cluster. See docs/benchmarks.md.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BenchUsageError, parseBenchOptions, usage, type BenchOptions } from './options.js'
import { formatTable, jsonLine } from './report.js'
import {
  mixedScenario,
  scaleScenario,
  transferScenario,
  type BenchContext,
  type ScenarioResult
} from './scenarios.js'
import { createKubectlShim, removeQuietly } from './tools.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * A bundled CLI is what users run, so that is what we time: dist/cli.js when built, else a
 * fresh ncc bundle of src/cli.ts in the work dir (never into dist/). tsx (compiling at start)
 * is for quick smoke runs only.
 */
async function ourCli(options: BenchOptions, workDir: string): Promise<string[]> {
  const built = path.join(repoRoot, 'dist/cli.js')
  const mode =
    options.cli === 'auto'
      ? existsSync(built)
        ? 'dist'
        : options.smoke
          ? 'tsx'
          : 'bundle'
      : options.cli
  if (mode === 'dist') {
    if (!existsSync(built))
      throw new BenchUsageError('--cli dist: dist/cli.js is not built (npm run build)')
    return [process.execPath, built]
  }
  if (mode === 'tsx')
    return [process.execPath, ...process.execArgv, path.join(repoRoot, 'src/cli.ts')]
  console.error('bench: bundling src/cli.ts with ncc…')
  // A dev dependency without type declarations: typed here by the one call we make.
  const nccModule = '@vercel/ncc'
  const { default: ncc } = (await import(nccModule)) as { default: NccBuild }
  const { code, assets } = await ncc(path.join(repoRoot, 'src/cli.ts'), {
    cache: false,
    quiet: true,
    target: 'es2022'
  })
  const out = path.join(workDir, 'cli')
  await mkdir(out, { recursive: true })
  await writeFile(path.join(out, 'cli.mjs'), code)
  for (const [name, asset] of Object.entries(assets)) {
    await mkdir(path.dirname(path.join(out, name)), { recursive: true })
    await writeFile(path.join(out, name), asset.source)
  }
  return [process.execPath, path.join(out, 'cli.mjs')]
}

type NccBuild = (
  entry: string,
  options: Record<string, unknown>
) => Promise<{ code: string; assets: Record<string, { source: string | Buffer }> }>

function ansibleAvailable(): boolean {
  return spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status === 0
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage)
    return 0
  }
  const options = parseBenchOptions(process.argv.slice(2))
  await mkdir(path.join(repoRoot, '.bench'), { recursive: true })
  const workDir = await mkdtemp(path.join(repoRoot, '.bench', 'run-'))
  try {
    const ansible = !options.noAnsible && ansibleAvailable()
    if (!options.noAnsible && !ansible)
      console.error('bench: ansible-playbook not found; measuring our CLI only')
    const ctx: BenchContext = {
      options,
      workDir,
      cli: await ourCli(options, workDir),
      shim: await createKubectlShim(path.join(workDir, 'shim'), options.kubectl),
      ansible
    }
    const kubectlVersion = spawnSync(options.kubectl, ['version', '--client', '-o', 'json'], {
      encoding: 'utf8'
    })
    const gitVersion = (
      JSON.parse(kubectlVersion.stdout || '{}') as { clientVersion?: { gitVersion?: string } }
    ).clientVersion?.gitVersion
    console.error(
      `bench: load average ${os
        .loadavg()
        .map(load => load.toFixed(1))
        .join(
          ' '
        )}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, kubectl ${gitVersion ?? '?'}, cli ${ctx.cli.slice(1).join(' ')}`
    )
    const results: ScenarioResult[] = []
    for (const scenario of options.scenarios) {
      console.error(`bench: scenario ${scenario}…`)
      const result =
        scenario === 3
          ? await transferScenario(ctx)
          : scenario === 4
            ? await scaleScenario(ctx)
            : await mixedScenario(ctx, scenario as 1 | 2)
      results.push(result)
      const line = jsonLine(result)
      console.log(line)
      if (options.jsonOut) await appendFile(options.jsonOut, line + '\n')
    }
    console.log('\n' + formatTable(results))
    console.log(
      `\nload average at the end: ${os
        .loadavg()
        .map(load => load.toFixed(1))
        .join(' ')}`
    )
    const failed = results.some(result =>
      Object.values(result.tools).some(stats => stats.failures > 0)
    )
    return failed ? 1 : 0
  } finally {
    await removeQuietly(workDir)
  }
}

main().then(
  code => (process.exitCode = code),
  (error: unknown) => {
    console.error(
      `bench: ${error instanceof BenchUsageError || error instanceof Error ? error.message : String(error)}`
    )
    process.exitCode = error instanceof BenchUsageError ? 2 : 1
  }
)
