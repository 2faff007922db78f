// Where Ansible's action plugins look for a task's local files (`copy src=`, `template src=`,
// `script`): the role's files/ or templates/, the task file's directory, then the playbook's.
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { TaskNode } from '../playbook/objects.js'

export function localSearchPaths(
  task: TaskNode,
  playbookDir: string,
  name: string,
  kind: 'files' | 'templates'
): string[] {
  if (path.isAbsolute(name)) return [name]
  const bases: string[] = []
  if (task.role) bases.push(task.role.path, path.join(task.role.path, 'tasks'))
  bases.push(task.baseDir, playbookDir)
  const candidates: string[] = []
  for (const base of bases) {
    candidates.push(path.join(base, kind, name), path.join(base, name))
  }
  return [...new Set(candidates)]
}

export function findLocalFile(
  task: TaskNode,
  playbookDir: string,
  name: string,
  kind: 'files' | 'templates'
): string | null {
  return (
    localSearchPaths(task, playbookDir, name, kind).find(candidate => existsSync(candidate)) ?? null
  )
}
