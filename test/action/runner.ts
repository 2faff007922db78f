// Runs the bundled action the way the GitHub runner does: `node index.js` with INPUT_* variables
// and the runner's files, then `node post.js` with the saved state as STATE_* variables.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { inputVariable, runnerEnv, type RunnerDirs } from './env.js'

export interface StepRun {
  code: number
  stdout: string
  stderr: string
}

export function runStep(
  script: string,
  dirs: RunnerDirs,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {}
): Promise<StepRun> {
  const env: Record<string, string> = {}
  // The runner passes its own environment, minus anything of a previous step's inputs.
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !key.startsWith('INPUT_') &&
      !key.startsWith('STATE_') &&
      key !== 'KUBECONFIG'
    ) {
      env[key] = value
    }
  }
  Object.assign(env, runnerEnv(dirs), extraEnv)
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd: dirs.workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV file (`name<<delimiter` blocks). */
export function readCommandFile(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').split('\n')
  const values: Record<string, string> = {}
  for (let index = 0; index < lines.length; index++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[index])
    if (match) {
      const body: string[] = []
      for (index++; index < lines.length && lines[index] !== match[2]; index++)
        body.push(lines[index])
      values[match[1]] = body.join('\n')
    } else if (lines[index].includes('=')) {
      const at = lines[index].indexOf('=')
      values[lines[index].slice(0, at)] = lines[index].slice(at + 1)
    }
  }
  return values
}

/** The state main saved, as the runner hands it to post: STATE_<name> variables. */
export function stateEnv(dirs: RunnerDirs): Record<string, string> {
  return Object.fromEntries(
    Object.entries(readCommandFile(dirs.stateFile)).map(([name, value]) => [`STATE_${name}`, value])
  )
}
