// Runner-like environment for action tests: inputs as INPUT_* variables (what @actions/core
// reads), and the runner's files and directories in a fresh temp dir.
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** Sets the given inputs in process.env, clearing every other INPUT_* variable. */
export function setInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  for (const [name, value] of Object.entries(inputs)) process.env[inputVariable(name)] = value
}

export interface RunnerDirs {
  root: string
  temp: string
  toolCache: string
  workspace: string
  outputFile: string
  summaryFile: string
  stateFile: string
  envFile: string
  cleanup(): void
}

export function makeRunnerDirs(): RunnerDirs {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kaa-runner-'))
  const dirs = {
    root,
    temp: path.join(root, 'temp'),
    toolCache: path.join(root, 'tool-cache'),
    workspace: path.join(root, 'workspace'),
    outputFile: path.join(root, 'github_output'),
    summaryFile: path.join(root, 'step_summary'),
    stateFile: path.join(root, 'github_state'),
    envFile: path.join(root, 'github_env'),
    cleanup: () => rmSync(root, { recursive: true, force: true })
  }
  for (const dir of [dirs.temp, dirs.toolCache, dirs.workspace]) mkdirSync(dir)
  for (const file of [dirs.outputFile, dirs.summaryFile, dirs.stateFile, dirs.envFile])
    writeFileSync(file, '')
  return dirs
}

/** The environment variables a runner gives a JavaScript action. */
export function runnerEnv(dirs: RunnerDirs): Record<string, string> {
  return {
    RUNNER_TEMP: dirs.temp,
    RUNNER_TOOL_CACHE: dirs.toolCache,
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_OUTPUT: dirs.outputFile,
    GITHUB_STEP_SUMMARY: dirs.summaryFile,
    GITHUB_STATE: dirs.stateFile,
    GITHUB_ENV: dirs.envFile
  }
}
