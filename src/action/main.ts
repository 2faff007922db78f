// The action's main step: inputs → kubeconfig → kubectl → RunOptions → engine → outputs, reports,
// job summary, annotations → exit per `fail-on`. The only place that calls core.setFailed.
import * as core from '@actions/core'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { RunEvent } from '../executor/events.js'
import { runAdhoc, runPlaybook, type RunOutcome } from '../executor/index.js'
import { consoleReporter } from '../report/console.js'
import { JsonReporter } from '../report/json.js'
import { renderJunit } from '../report/junit.js'
import { failureReason, hostLists } from '../report/recap.js'
import { RunRecorder, type Recording } from '../report/recorder.js'
import { recapOutput, resultsOutput, runFigures } from '../report/results.js'
import { renderSummary } from '../report/summary.js'
import { getInputs, type Inputs } from './inputs.js'
import { setupKubectl, type KubectlInstall } from './kubectl.js'
import { kubeconfigFromAccess, registerKubeconfigSecrets, writeKubeconfig } from './kubeconfig.js'
import { annotate, GroupingLog } from './log.js'
import { createRunDir } from './run-dir.js'
import { buildRunOptions } from './run-options.js'
import { SecretRegistry } from './secrets.js'

export async function run(): Promise<void> {
  const secrets = new SecretRegistry()
  try {
    // Raw secret inputs are masked before validation could quote any of them.
    secrets.add(core.getInput('token'))
    secrets.add(core.getInput('kubeconfig'))
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
    const inputs = getInputs(workspace)
    const kubeconfigText = kubeconfigFromAccess(inputs.access)
    if (kubeconfigText !== undefined) registerKubeconfigSecrets(kubeconfigText, secrets)
    // A kubeconfig given as a path holds credentials too: mask them before kubectl may echo one.
    if (inputs.access.kubeconfigPath !== undefined) {
      registerKubeconfigSecrets(await readFile(inputs.access.kubeconfigPath, 'utf8'), secrets)
    }

    const runDir = await createRunDir()
    const kubeconfig = await prepareKubeconfig(inputs, kubeconfigText, runDir)
    const kubectl = await core.group('Set up kubectl', async () => {
      const install = await setupKubectl(inputs.kubectlVersion, inputs.kubectlMirror)
      core.info(`kubectl ${install.version} at ${install.path} (${install.source})`)
      return install
    })
    core.setOutput('kubectl-path', kubectl.path)
    core.setOutput('kubectl-version', kubectl.version)

    const options = await buildRunOptions(inputs, {
      cwd: workspace,
      runDir,
      kubectlPath: kubectl.path,
      kubeconfig,
      env: process.env
    })
    const recorder = new RunRecorder()
    const json = new JsonReporter()
    const log = new GroupingLog(inputs.verbosity)
    // The runner masks registered secrets in the log; scrubbing here too keeps them out of
    // any log read without a runner (local runs, the tests).
    const printer = consoleReporter({
      stdout: text => process.stdout.write(secrets.scrub(text)),
      stderr: text => process.stderr.write(secrets.scrub(text)),
      verbosity: inputs.verbosity,
      diff: inputs.diff
    })
    const listener = (event: RunEvent): void => {
      recorder.listener(event)
      json.listener(event)
      // A group opens before the play banner and closes after the play's last line.
      if (event.type === 'play_end' || event.type === 'playbook_end') {
        printer(event)
        log.listener(event)
      } else {
        log.listener(event)
        printer(event)
      }
    }
    const outcome =
      inputs.workload.kind === 'module'
        ? await runAdhoc(options, listener)
        : await runPlaybook(options, listener)
    const recording = recorder.recording()
    const reportPath = await writeReports(recording, json, runDir, secrets)
    setRunOutputs(recording, reportPath, secrets)
    annotate(recording, workspace)
    if (inputs.summary) {
      const summaryContext = { inputs, kubectl, reportPath, workspace, error: outcome.error }
      await writeSummary(recording, summaryContext, secrets)
    }
    decideExit(outcome, recording, inputs, secrets)
  } catch (error) {
    core.setFailed(secrets.scrub(error instanceof Error ? error.message : String(error)))
  }
}

/** The run's kubeconfig path: written from inputs (0600), a given file, or the environment's. */
async function prepareKubeconfig(
  inputs: Inputs,
  kubeconfigText: string | undefined,
  runDir: string
): Promise<string | undefined> {
  if (kubeconfigText === undefined)
    return inputs.access.kubeconfigPath ?? (process.env.KUBECONFIG || undefined)
  const file = await writeKubeconfig(runDir, kubeconfigText)
  // Later steps see it only when asked; post removes it either way.
  if (inputs.exportKubeconfig) core.exportVariable('KUBECONFIG', file)
  return file
}

/** report.json: the `--json` document plus the run's figures; report.xml: JUnit beside it. */
async function writeReports(
  recording: Recording,
  json: JsonReporter,
  runDir: string,
  secrets: SecretRegistry
): Promise<string> {
  const jsonPath = path.join(runDir, 'report.json')
  const document = { ...json.document, run: runFigures(recording) }
  await writeFile(jsonPath, secrets.scrub(`${JSON.stringify(document, null, 2)}\n`), {
    mode: 0o600
  })
  await writeFile(path.join(runDir, 'report.xml'), secrets.scrub(renderJunit(recording)), {
    mode: 0o600
  })
  return jsonPath
}

function setRunOutputs(recording: Recording, reportPath: string, secrets: SecretRegistry): void {
  const lists = hostLists(recording)
  core.setOutput('recap', secrets.scrub(JSON.stringify(recapOutput(recording))))
  core.setOutput('results', secrets.scrub(resultsOutput(recording)))
  core.setOutput('ok-hosts', lists.ok.join(','))
  core.setOutput('changed-hosts', lists.changed.join(','))
  core.setOutput('failed-hosts', lists.failed.join(','))
  core.setOutput('unreachable-hosts', lists.unreachable.join(','))
  core.setOutput('report', reportPath)
}

interface SummaryContext {
  inputs: Inputs
  kubectl: KubectlInstall
  reportPath: string
  workspace: string
  error?: string
}

async function writeSummary(
  recording: Recording,
  context: SummaryContext,
  secrets: SecretRegistry
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set: no job summary written')
    return
  }
  const { inputs } = context
  const markdown = renderSummary(recording, {
    title: titleOf(inputs, context.workspace),
    diff: inputs.diff,
    check: inputs.check,
    kubectlVersion: context.kubectl.version,
    shard: inputs.shard ? `${inputs.shard.index}/${inputs.shard.count}` : undefined,
    reportPath: context.reportPath,
    error: context.error,
    baseDir: context.workspace
  })
  await core.summary.addRaw(secrets.scrub(markdown), true).write()
}

/** What ran, for the summary heading; ad-hoc arguments are left out (they may carry secrets). */
function titleOf(inputs: Inputs, workspace: string): string {
  const workload = inputs.workload
  switch (workload.kind) {
    case 'playbook':
      return path.relative(workspace, workload.path) || workload.path
    case 'inline-playbook':
      return 'inline playbook'
    case 'tasks':
      return `tasks on ${workload.hosts}`
    case 'module':
      return `${workload.module} on ${workload.hosts}`
  }
}

function decideExit(
  outcome: RunOutcome,
  recording: Recording,
  inputs: Inputs,
  secrets: SecretRegistry
): void {
  // A run that could not start or crashed fails whatever fail-on says: nothing was checked.
  if (outcome.error !== undefined) {
    core.setFailed(
      secrets.scrub(`kubectl-ansible: ${outcome.error} (exit code ${outcome.exitCode})`)
    )
    return
  }
  const reason = failureReason(recording, inputs.failOn)
  if (reason !== undefined) core.setFailed(`kubectl-ansible: ${reason}`)
}
