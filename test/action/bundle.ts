// The action as it ships: `scripts/build.mjs --out DIR` (ncc bundles of index.js and post.js).
// A build takes minutes on a busy 2-core machine, so bundles are kept in the temp dir under a
// hash of everything that goes into them and reused while the sources are unchanged.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** ncc takes a few minutes alone, and up to fifteen on a 2-core machine shared with other test runs. */
export const BUILD_TIMEOUT_MS = 1_200_000

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(full) : [full]
  })
}

function sourceHash(repoRoot: string): string {
  const hash = createHash('sha256')
  const inputs = [
    ...filesUnder(path.join(repoRoot, 'src')).sort(),
    path.join(repoRoot, 'package-lock.json'),
    path.join(repoRoot, 'scripts/build.mjs'),
    path.join(repoRoot, 'tsconfig.json')
  ]
  for (const file of inputs) {
    hash.update(path.relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex').slice(0, 16)
}

/** Directory holding index.js and post.js built from the current sources. */
export async function buildAction(repoRoot: string): Promise<string> {
  const bundleDir = path.join(os.tmpdir(), `kubectl-ansible-action-bundle-${sourceHash(repoRoot)}`)
  if (existsSync(path.join(bundleDir, 'post.js')) && statSync(bundleDir).isDirectory())
    return bundleDir
  const staging = `${bundleDir}.${process.pid}.tmp`
  try {
    await run(process.execPath, [path.join(repoRoot, 'scripts/build.mjs'), '--out', staging], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
      // Below the caller's hook timeout, so a slow build never outlives the test run.
      timeout: BUILD_TIMEOUT_MS
    })
    // Another test process may have finished the same build first; either copy is identical.
    if (!existsSync(bundleDir)) renameSync(staging, bundleDir)
  } catch (error) {
    const output = (error as { stdout?: string; stderr?: string }).stderr ?? ''
    const tsErrors = output
      .match(/ERROR in [^\n]+\n[^\n]+/g)
      ?.slice(0, 5)
      .join('\n')
    throw new Error(`scripts/build.mjs failed:\n${tsErrors ?? output.slice(-2000)}`)
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
  return bundleDir
}
