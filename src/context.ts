// Typed options of one run, built either from action inputs (src/action/inputs.ts) or from
// CLI arguments (src/cli/). Everything below this point sees only this shape.

export interface KubectlOptions {
  /** Absolute path of the kubectl binary to run. */
  path: string
  /** Kubeconfig file written by the action/CLI for this run (0600), if any. */
  kubeconfig?: string
  /** Context to select inside that kubeconfig. */
  context?: string
}

export interface RunOptions {
  /** Working directory that relative paths are resolved against. */
  cwd: string
  /** `-i` values in order: files, directories, `h1,h2,` lists, inline text, `k8s://…` URLs. */
  inventorySources: string[]
  /** Playbook file path (inline YAML is written to a temp file by the caller). */
  playbook?: string
  /** Ad-hoc run: one module on a host pattern. */
  adhoc?: { pattern: string; module: string; args: string }
  /** `-e` values in order, raw (`k=v`, JSON/YAML text or `@file`); later ones win. */
  extraVars: string[]
  limit?: string
  tags: string[]
  skipTags: string[]
  check: boolean
  diff: boolean
  forks: number
  /** Per-task timeout in seconds (`--timeout`), 0 = none. */
  timeoutSec: number
  verbosity: number
  /** `shard: i/n`: run only slice i (1-based) of n of the sorted host list. */
  shard?: { index: number; count: number }
  kubectl: KubectlOptions
  /** Environment passed to kubectl (K8S_AUTH_* are read from here). */
  env: Record<string, string | undefined>
}
