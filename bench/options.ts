// Command-line options of `npm run bench`. Every scenario parameter has a default from issue 11
// and can be changed; `--smoke` shrinks everything to a few seconds for CI.

export interface BenchOptions {
  scenarios: number[]
  runs: number
  pods: number
  tasks: number
  latencyMs: number
  forks: number
  transferMiB: number
  scalePods: number[]
  scaleTasks: number
  /** Run Ansible in scenario 4 too (slow: about 6 kubectl processes per task and pod). */
  ansibleAtScale: boolean
  /** Skip Ansible everywhere (e.g. where it is not installed). */
  noAnsible: boolean
  kubectl: string
  /** Where to write one JSON line per scenario (besides stdout). */
  jsonOut?: string
  timeoutSec: number
  /** How to start our CLI: dist/cli.js, a fresh ncc bundle of src/cli.ts, or tsx on the sources. */
  cli: 'auto' | 'dist' | 'bundle' | 'tsx'
  smoke: boolean
}

export class BenchUsageError extends Error {}

export const defaults: BenchOptions = {
  scenarios: [1, 2, 3, 4],
  runs: 3,
  pods: 10,
  tasks: 20,
  latencyMs: 20,
  forks: 10,
  transferMiB: 100,
  scalePods: [50, 200],
  scaleTasks: 5,
  ansibleAtScale: false,
  noAnsible: false,
  kubectl: '/usr/bin/kubectl',
  timeoutSec: 900,
  cli: 'auto',
  smoke: false
}

const smoke: Partial<BenchOptions> = {
  scenarios: [1, 3],
  runs: 1,
  pods: 2,
  tasks: 4,
  latencyMs: 5,
  forks: 2,
  transferMiB: 2,
  timeoutSec: 120,
  smoke: true
}

export const usage = `usage: npm run bench -- [options]
  --smoke                 CI size: scenarios 1 and 3, 2 pods x 4 tasks, 2 MiB, one run
  --scenarios 1,2,3,4     which scenarios to run (default all)
  --runs N                runs per tool and scenario, alternating tools (default 3)
  --pods N --tasks N      scenario 1/2 size (default 10 x 20)
  --latency-ms N          injected latency of scenario 1 (default 20)
  --forks N               parallel hosts (default 10)
  --transfer-mib N        scenario 3 file size (default 100)
  --scale-pods 50,200     scenario 4 pod counts; --scale-tasks N (default 5)
  --ansible-at-scale      also run Ansible in scenario 4
  --no-ansible            our CLI only
  --kubectl PATH          real kubectl behind the counting shim (default /usr/bin/kubectl)
  --json-out FILE         append the JSON lines to FILE
  --timeout-sec N         per run (default 900)
  --cli auto|dist|bundle|tsx  how to start our CLI (auto: dist/cli.js if built, else a fresh
                          bundle; with --smoke, tsx)`

function numberList(flag: string, text: string): number[] {
  const values = text.split(',').map(part => part.trim())
  if (values.some(value => !/^\d+$/.test(value)))
    throw new BenchUsageError(
      `${flag} expects comma-separated whole numbers, got ${JSON.stringify(text)}`
    )
  return values.map(Number)
}

export function parseBenchOptions(args: string[]): BenchOptions {
  const options: BenchOptions = { ...defaults, ...(args.includes('--smoke') ? smoke : {}) }
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]
    const value = (): string => {
      const next = args[++i]
      if (next === undefined) throw new BenchUsageError(`${flag} needs a value`)
      return next
    }
    const whole = (): number => {
      const [parsed] = numberList(flag, value())
      return parsed
    }
    switch (flag) {
      case '--smoke':
        break
      case '--scenarios':
        options.scenarios = numberList(flag, value())
        if (options.scenarios.some(n => n < 1 || n > 4))
          throw new BenchUsageError('--scenarios: scenarios are 1 to 4')
        break
      case '--runs':
        options.runs = Math.max(1, whole())
        break
      case '--pods':
        options.pods = Math.max(1, whole())
        break
      case '--tasks':
        options.tasks = Math.max(1, whole())
        break
      case '--latency-ms':
        options.latencyMs = whole()
        break
      case '--forks':
        options.forks = Math.max(1, whole())
        break
      case '--transfer-mib':
        options.transferMiB = Math.max(1, whole())
        break
      case '--scale-pods':
        options.scalePods = numberList(flag, value())
        break
      case '--scale-tasks':
        options.scaleTasks = Math.max(1, whole())
        break
      case '--ansible-at-scale':
        options.ansibleAtScale = true
        break
      case '--no-ansible':
        options.noAnsible = true
        break
      case '--kubectl':
        options.kubectl = value()
        break
      case '--json-out':
        options.jsonOut = value()
        break
      case '--cli': {
        const mode = value()
        if (!['auto', 'dist', 'bundle', 'tsx'].includes(mode))
          throw new BenchUsageError(
            `--cli: expected auto, dist, bundle or tsx, got ${JSON.stringify(mode)}`
          )
        options.cli = mode as BenchOptions['cli']
        break
      }
      case '--timeout-sec':
        options.timeoutSec = Math.max(1, whole())
        break
      default:
        throw new BenchUsageError(`unknown option ${JSON.stringify(flag)}\n${usage}`)
    }
  }
  return options
}
