// Post step: removes the run directory main created (kubeconfig, inline files, reports).
// Cleanup must never fail a job, so every problem here is a warning.
import * as core from '@actions/core'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { RUN_DIR_PREFIX, RUN_DIR_STATE, runnerTemp } from './run-dir.js'

export async function post(): Promise<void> {
  try {
    const runDir = core.getState(RUN_DIR_STATE)
    if (runDir === '') return
    // The state file is plain text: only ever delete a directory this action could have made.
    const insideTemp = path.dirname(path.resolve(runDir)) === path.resolve(runnerTemp())
    if (!insideTemp || !path.basename(runDir).startsWith(RUN_DIR_PREFIX)) {
      core.warning(`post: not removing ${runDir}: not a kubectl-ansible directory in RUNNER_TEMP`)
      return
    }
    await rm(runDir, { recursive: true, force: true })
    core.info(`Removed ${runDir} (kubeconfig, inline files, reports)`)
  } catch (error) {
    core.warning(`post: cleanup failed: ${(error as Error).message}`)
  }
}
