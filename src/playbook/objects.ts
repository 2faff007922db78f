// The loaded, validated playbook: plays made of blocks and tasks, each remembering where it
// was written. The executor walks these; nothing here runs anything.
import type { SourcePosition } from '../executor/events.js'

/** Keywords as written (untemplated); inherited down blocks by the executor. */
export type Keywords = Record<string, unknown>

export interface RoleInstance {
  name: string
  path: string
  /** defaults/main.yml: the lowest-precedence variables. */
  defaults: Record<string, unknown>
  /** vars/main.yml plus the parameters given where the role is used. */
  vars: Record<string, unknown>
}

export interface TaskNode {
  kind: 'task'
  /** Unique within a run, stable across hosts. */
  id: string
  /** The action as written, e.g. `ansible.builtin.copy`. */
  action: string
  /** The action without its collection prefix, e.g. `copy`. */
  module: string
  args: Record<string, unknown>
  keywords: Keywords
  position?: SourcePosition
  parent?: BlockNode
  role?: RoleInstance
  /** Handler names this handler answers to (its name and `listen`), for handlers only. */
  handlerNames?: string[]
  /** Directory relative include paths of this task resolve against. */
  baseDir: string
}

export interface BlockNode {
  kind: 'block'
  id: string
  block: PlayItem[]
  rescue: PlayItem[]
  always: PlayItem[]
  keywords: Keywords
  position?: SourcePosition
  parent?: BlockNode
  role?: RoleInstance
  /** For the block holding an include's tasks: the include task, which sits in `parent`. */
  includedFrom?: TaskNode
}

export type PlayItem = TaskNode | BlockNode

export interface Play {
  name: string
  /** The `hosts:` pattern (list patterns are joined with `,`). */
  hosts: string
  keywords: Keywords
  position?: SourcePosition
  vars: Record<string, unknown>
  /** vars_files entries as written (templated when the play starts). */
  varsFiles: unknown[]
  /** Role defaults and role vars of the play's `roles:`, in role order. */
  roles: RoleInstance[]
  preTasks: PlayItem[]
  tasks: PlayItem[]
  postTasks: PlayItem[]
  handlers: TaskNode[]
  /** Directory of the file the play was written in (playbook_dir). */
  baseDir: string
  /** Roles (directory and parameters) the play already runs, so include_role runs them once. */
  rolesSeen?: Set<string>
}
