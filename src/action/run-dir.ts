// The run's private directory in RUNNER_TEMP (mode 0700): kubeconfig, inline playbook / tasks /
// inventory files, and the reports. Its path is saved as state *before* anything is written, so
// the post step removes it even when main fails half-way.
import * as core from '@actions/core'
import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

export const RUN_DIR_STATE = 'run-dir'
export const RUN_DIR_PREFIX = 'kubectl-ansible-'

export function runnerTemp(): string {
  return process.env.RUNNER_TEMP || os.tmpdir()
}

export async function createRunDir(): Promise<string> {
  const dir = await mkdtemp(path.join(runnerTemp(), RUN_DIR_PREFIX))
  await chmod(dir, 0o700)
  core.saveState(RUN_DIR_STATE, dir)
  return dir
}

/** Writes `text` to `name` inside the run dir, mode 0600, refusing to overwrite. */
export async function writePrivateFile(
  runDir: string,
  name: string,
  text: string
): Promise<string> {
  const file = path.join(runDir, name)
  await writeFile(file, text, { mode: 0o600, flag: 'wx' })
  return file
}
