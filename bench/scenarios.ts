// The four scenarios of issue 11. Each starts its own test cluster, runs the tools in
// alternating order and returns medians; nothing here asserts a target, the report states them.
import { randomBytes } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startCluster, type Cluster } from '../test/cluster/index.js'
import { runKubectl } from '../test/cluster/kubectl.js'
import type { BenchOptions } from './options.js'
import { median, round, summarize, type ToolStats } from './stats.js'
import { measure, type KubectlShim, type Measurement } from './tools.js'
import { writeMixedWorkload, writeTransferWorkload, type Workload } from './workload.js'

export interface BenchContext {
  options: BenchOptions
  workDir: string
  /** argv prefix that starts our CLI. */
  cli: string[]
  shim: KubectlShim
  ansible: boolean
}

export interface ScenarioResult {
  scenario: number
  title: string
  params: Record<string, number | string>
  tools: Record<string, ToolStats>
  /** ours / ansible median wall time (lower is better for us). */
  ratio?: number
  figures: Record<string, number | string>
  notes: string[]
}

type Tool = 'ours' | 'ansible'

function toolArgv(ctx: BenchContext, tool: Tool, workload: Workload, forks: number): string[] {
  return tool === 'ours'
    ? [
        ...ctx.cli,
        'playbook',
        '-i',
        workload.inventory,
        workload.playbook,
        '-f',
        String(forks),
        '--kubectl',
        ctx.shim.binary
      ]
    : ['ansible-playbook', '-i', workload.inventory, workload.playbook, '-f', String(forks)]
}

function toolEnv(ctx: BenchContext, dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${ctx.shim.dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    ANSIBLE_LOCAL_TEMP: path.join(dir, 'ansible-local'),
    ANSIBLE_HOST_KEY_CHECKING: 'false'
  }
  delete env.KUBECONFIG
  return env
}

/** Start from the same pod state before every run, without kubectl (so nothing is counted). */
async function resetPods(cluster: Cluster, pods: string[], paths: string[]): Promise<void> {
  await Promise.all(
    pods.flatMap(pod =>
      paths.map(p =>
        rm(path.join(cluster.podRoot('default', pod), p), { recursive: true, force: true })
      )
    )
  )
}

async function alternate(
  ctx: BenchContext,
  tools: string[],
  runOnce: (tool: string) => Promise<Measurement>,
  runs = ctx.options.runs
): Promise<Record<string, Measurement[]>> {
  const results: Record<string, Measurement[]> = Object.fromEntries(tools.map(tool => [tool, []]))
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? tools : [...tools].reverse()
    for (const tool of order) {
      const measurement = await runOnce(tool)
      results[tool].push(measurement)
      const status = measurement.code === 0 ? '' : ` (exit ${measurement.code})`
      console.error(
        `  run ${run + 1}/${runs} ${tool}: ${round(measurement.ms / 1000)} s, ${measurement.kubectlProcesses} kubectl${status}`
      )
    }
  }
  return results
}

const podNames = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `bench-${String(i + 1).padStart(3, '0')}`)

/** Pods get python3 only when Ansible will run against them (it needs it; we do not). */
async function withCluster<T>(
  count: number,
  latencyMs: number,
  python3: boolean,
  body: (cluster: Cluster, pods: string[]) => Promise<T>
): Promise<T> {
  const pods = podNames(count)
  const cluster = await startCluster({
    pods: pods.map(name => ({ name, labels: { bench: 'yes' }, python3 })),
    latencyMs
  })
  try {
    return await body(cluster, pods)
  } finally {
    await cluster.stop()
  }
}

/** Scenarios 1 and 2: the mixed playbook on many pods. */
export async function mixedScenario(ctx: BenchContext, scenario: 1 | 2): Promise<ScenarioResult> {
  const { pods: podCount, tasks, forks } = ctx.options
  const latencyMs = scenario === 1 ? ctx.options.latencyMs : 0
  const dir = path.join(ctx.workDir, `scenario-${scenario}`)
  await mkdir(dir, { recursive: true })
  return withCluster(podCount, latencyMs, ctx.ansible, async (cluster, pods) => {
    const workload = await writeMixedWorkload(dir, pods, cluster.kubeconfigPath, tasks)
    const tools: Tool[] = ctx.ansible ? ['ours', 'ansible'] : ['ours']
    const timeoutMs = ctx.options.timeoutSec * 1000
    const measured = await alternate(ctx, tools, async tool => {
      await resetPods(cluster, pods, ['tmp/bench', 'root/.ansible'])
      return measure(toolArgv(ctx, tool as Tool, workload, forks), {
        cwd: dir,
        env: toolEnv(ctx, dir),
        shim: ctx.shim,
        timeoutMs
      })
    })
    const stats = Object.fromEntries(
      Object.entries(measured).map(([tool, runs]) => [tool, summarize(runs)])
    )
    const figures: Record<string, number | string> = {
      oursKubectlPerHost: round(stats.ours.medianKubectlProcesses / podCount)
    }
    if (stats.ansible)
      figures.ansibleKubectlPerHost = round(stats.ansible.medianKubectlProcesses / podCount)
    // Physical limit: one exec stream start per host (hosts in parallel when forks >= pods),
    // then one round trip per task at the injected latency.
    const starts: number[] = []
    for (let i = 0; i < 3; i++)
      starts.push(
        (
          await runKubectl(cluster.kubeconfigPath, ['exec', pods[0], '--', 'true'], {
            kubectl: ctx.options.kubectl
          })
        ).ms
      )
    const waves = Math.ceil(podCount / forks)
    const limitMs = waves * median(starts) + (tasks + 1) * latencyMs
    figures.execStreamStartMs = median(starts)
    figures.physicalLimitMs = limitMs
    figures.oursVsLimit = round(stats.ours.medianMs / limitMs)
    return {
      scenario,
      title: `${podCount} pods x ${tasks + 1} mixed tasks, ${latencyMs} ms latency, forks ${forks}`,
      params: { pods: podCount, tasks: tasks + 1, latencyMs, forks },
      tools: stats,
      ...(stats.ansible ? { ratio: round(stats.ours.medianMs / stats.ansible.medianMs, 3) } : {}),
      figures,
      notes: ctx.ansible ? [] : ['Ansible skipped (--no-ansible or ansible-playbook not installed)']
    }
  })
}

/** Scenario 3: put then fetch one big file, against a raw kubectl/dd pipe. */
export async function transferScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const sizeMiB = ctx.options.transferMiB
  const dir = path.join(ctx.workDir, 'scenario-3')
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, 'big.bin')
  await writeFile(file, randomBytes(sizeMiB << 20))
  return withCluster(1, 0, ctx.ansible, async (cluster, [pod]) => {
    const workload = await writeTransferWorkload(dir, pod, cluster.kubeconfigPath, file)
    const baselineWorkload = await writeMixedWorkload(
      path.join(dir),
      [pod],
      cluster.kubeconfigPath,
      1
    )
    const env = toolEnv(ctx, dir)
    const timeoutMs = ctx.options.timeoutSec * 1000
    const kubeconfig = cluster.kubeconfigPath
    const raw = [
      'sh',
      '-c',
      `dd if='${file}' bs=1M 2>/dev/null | kubectl --kubeconfig '${kubeconfig}' exec -i ${pod} -- dd of=/tmp/raw.bin bs=1M 2>/dev/null && ` +
        `kubectl --kubeconfig '${kubeconfig}' exec ${pod} -- dd if=/tmp/raw.bin bs=1M 2>/dev/null > '${path.join(dir, 'raw.out')}'`
    ]
    const baseline = await measure(
      toolArgv(ctx, 'ours', { ...baselineWorkload, inventory: workload.inventory }, 1),
      {
        cwd: dir,
        env,
        shim: ctx.shim,
        timeoutMs
      }
    )
    const tools: Tool[] = ctx.ansible ? ['ours', 'ansible'] : ['ours']
    const argvOf: Record<string, string[]> = {
      ours: toolArgv(ctx, 'ours', workload, 1),
      ansible: toolArgv(ctx, 'ansible', workload, 1),
      raw
    }
    const measured = await alternate(ctx, [...tools, 'raw'], async tool => {
      await resetPods(cluster, [pod], ['tmp/big.bin', 'tmp/raw.bin', 'root/.ansible'])
      await rm(path.join(dir, 'fetched'), { recursive: true, force: true })
      return measure(argvOf[tool], { cwd: dir, env, shim: ctx.shim, timeoutMs })
    })
    const stats = Object.fromEntries(
      Object.entries(measured).map(([tool, runs]) => [tool, summarize(runs)])
    )
    const throughput = (ms: number): number => round((2 * sizeMiB) / (ms / 1000), 1)
    const figures: Record<string, number | string> = {
      rawMiBps: throughput(stats.raw.medianMs),
      oursMiBps: throughput(stats.ours.medianMs),
      oursVsRaw: round(stats.raw.medianMs / stats.ours.medianMs),
      oursBaselineRssMiB: baseline.peakRssMiB,
      oursRssGrowthMiB: round(stats.ours.medianPeakRssMiB - baseline.peakRssMiB, 1)
    }
    if (stats.ansible) figures.ansibleMiBps = throughput(stats.ansible.medianMs)
    return {
      scenario: 3,
      title: `1 pod, put then fetch ${sizeMiB} MiB`,
      params: { sizeMiB },
      tools: stats,
      ...(stats.ansible ? { ratio: round(stats.ours.medianMs / stats.ansible.medianMs, 3) } : {}),
      figures,
      notes: ['throughput counts both directions (2 x size / wall time, process start included)']
    }
  })
}

/** Scenario 4: many pods, few tasks; linearity from the per-pod time at each size. */
export async function scaleScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { scalePods, scaleTasks, forks } = ctx.options
  const withAnsible = ctx.ansible && ctx.options.ansibleAtScale
  const tools: Tool[] = withAnsible ? ['ours', 'ansible'] : ['ours']
  const stats: Record<string, ToolStats> = {}
  const figures: Record<string, number | string> = {}
  for (const podCount of scalePods) {
    const dir = path.join(ctx.workDir, `scenario-4-${podCount}`)
    await mkdir(dir, { recursive: true })
    await withCluster(podCount, ctx.options.latencyMs, withAnsible, async (cluster, pods) => {
      const workload = await writeMixedWorkload(dir, pods, cluster.kubeconfigPath, scaleTasks)
      const measured = await alternate(ctx, tools, async tool => {
        await resetPods(cluster, pods, ['tmp/bench', 'root/.ansible'])
        return measure(toolArgv(ctx, tool as Tool, workload, forks), {
          cwd: dir,
          env: toolEnv(ctx, dir),
          shim: ctx.shim,
          timeoutMs: ctx.options.timeoutSec * 1000
        })
      })
      for (const [tool, runs] of Object.entries(measured)) {
        const summary = summarize(runs)
        stats[`${tool}@${podCount}`] = summary
        figures[`${tool}MsPerPod@${podCount}`] = round(summary.medianMs / podCount, 1)
        figures[`${tool}KubectlPerHost@${podCount}`] = round(
          summary.medianKubectlProcesses / podCount
        )
      }
    })
  }
  const [first, last] = [scalePods[0], scalePods[scalePods.length - 1]]
  if (first !== last)
    figures.oursPerPodGrowth = round(
      Number(figures[`oursMsPerPod@${last}`]) / Number(figures[`oursMsPerPod@${first}`])
    )
  return {
    scenario: 4,
    title: `${scalePods.join(' and ')} pods x ${scaleTasks + 1} tasks, ${ctx.options.latencyMs} ms latency, forks ${forks}`,
    params: {
      pods: scalePods.join(','),
      tasks: scaleTasks + 1,
      latencyMs: ctx.options.latencyMs,
      forks
    },
    tools: stats,
    figures,
    notes: withAnsible
      ? []
      : [
          'ours only: Ansible starts ~6 kubectl processes per task and pod (minutes at this size); --ansible-at-scale runs it'
        ]
  }
}
