// Test helpers for modules: a real LocalConnection that counts primitive calls (round trips),
// and a ModuleContext with the real templar, in a fresh temp directory.
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Connection } from '../../src/connection/connection.js'
import { LocalConnection } from '../../src/connection/local.js'
import { runModule } from '../../src/modules/index.js'
import type { ModuleContext, ModuleResult } from '../../src/modules/types.js'
import { Templar } from '../../src/template/index.js'

export type CallCounts = Record<'exec' | 'put' | 'fetch' | 'read' | 'stat', number>

/** Wrap a connection so every primitive call is counted. */
export function counting(inner: Connection): {
  connection: Connection
  calls: CallCounts
  reset(): void
  total(): number
} {
  const calls: CallCounts = { exec: 0, put: 0, fetch: 0, read: 0, stat: 0 }
  const connection: Connection = {
    kind: inner.kind,
    exec: (...args) => (calls.exec++, inner.exec(...args)),
    put: (...args) => (calls.put++, inner.put(...args)),
    fetch: (...args) => (calls.fetch++, inner.fetch(...args)),
    read: (...args) => (calls.read++, inner.read(...args)),
    stat: (...args) => (calls.stat++, inner.stat(...args)),
    close: () => inner.close()
  }
  return {
    connection,
    calls,
    reset: () => Object.keys(calls).forEach(key => (calls[key as keyof CallCounts] = 0)),
    total: () => Object.values(calls).reduce((sum, count) => sum + count, 0)
  }
}

export interface Harness {
  dir: string
  ctx: ModuleContext
  calls: CallCounts
  total(): number
  reset(): void
  run(
    action: string,
    args: Record<string, unknown>,
    overrides?: Partial<ModuleContext>
  ): Promise<ModuleResult>
  cleanup(): Promise<void>
}

export async function moduleHarness(
  vars: Record<string, unknown> = {},
  inner?: Connection
): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ka-modules-'))
  const counted = counting(inner ?? new LocalConnection())
  const templar = new Templar()
  const allVars = { inventory_hostname: 'h1', playbook_dir: dir, ...vars }
  const ctx: ModuleContext = {
    connection: counted.connection,
    host: 'h1',
    check: false,
    diff: false,
    vars: allVars,
    playbookDir: dir,
    verbosity: 0,
    render: (text, options) =>
      templar.renderTemplateFile(
        text,
        { ...allVars, ...(options?.extraVars ?? {}) },
        options ?? {}
      ),
    template: value => templar.template(value, allVars),
    evaluateConditional: condition => templar.evaluateConditional(condition, allVars),
    findLocalFile: (name, kind) => {
      const candidates = path.isAbsolute(name)
        ? [name]
        : [path.join(dir, kind, name), path.join(dir, name)]
      return candidates.find(fileExists) ?? null
    }
  }
  return {
    dir,
    ctx,
    calls: counted.calls,
    total: counted.total,
    reset: counted.reset,
    run: (action, args, overrides = {}) => runModule(action, args, { ...ctx, ...overrides }),
    cleanup: () => rm(dir, { recursive: true, force: true })
  }
}

const fileExists = (file: string): boolean => existsSync(file)
