// The keywords Ansible 2.14 accepts on plays, blocks and tasks, and which of them this engine
// implements. A known-but-unsupported keyword is an error naming file:line (never ignored);
// an unknown one gets Ansible's own message.

const commonKeywords = [
  'name',
  'vars',
  'environment',
  'no_log',
  'run_once',
  'ignore_errors',
  'ignore_unreachable',
  'check_mode',
  'diff',
  'any_errors_fatal',
  'tags',
  'timeout',
  'throttle',
  'become',
  'become_user',
  'become_method',
  'become_flags',
  'become_exe',
  'collections',
  'connection',
  'port',
  'remote_user',
  'module_defaults',
  'debugger'
]

export const taskKeywords = new Set([
  ...commonKeywords,
  'when',
  'action',
  'local_action',
  'args',
  'async',
  'poll',
  'changed_when',
  'failed_when',
  'delay',
  'retries',
  'until',
  'delegate_to',
  'delegate_facts',
  'loop',
  'loop_control',
  'notify',
  'register',
  'listen',
  'static'
])

export const blockKeywords = new Set([
  ...commonKeywords,
  'when',
  'block',
  'rescue',
  'always',
  'delegate_to',
  'delegate_facts',
  'notify'
])

export const playKeywords = new Set([
  ...commonKeywords,
  'hosts',
  'gather_facts',
  'gather_subset',
  'gather_timeout',
  'fact_path',
  'vars_files',
  'vars_prompt',
  'roles',
  'pre_tasks',
  'tasks',
  'post_tasks',
  'handlers',
  'serial',
  'max_fail_percentage',
  'strategy',
  'order',
  'force_handlers'
])

/** Keywords Ansible knows that this engine refuses, with the reason shown to the user. */
export const unsupportedKeywords: Record<string, string> = {
  async: 'asynchronous tasks are not supported; use a task timeout instead',
  poll: 'asynchronous tasks are not supported; use a task timeout instead',
  port: 'hosts are pods reached through kubectl exec; there is no port to choose',
  remote_user: 'kubectl exec runs as the container user; there is no remote_user',
  module_defaults: 'module_defaults is not supported; give the arguments on each task',
  debugger: 'the interactive task debugger is not supported',
  vars_prompt: 'vars_prompt needs an interactive terminal; pass the values with -e instead',
  fact_path: 'local facts (fact_path) are not supported',
  static: "'static' was removed from Ansible; use import_tasks or include_tasks"
}

/** Names Ansible warns about when used as variables ("Found variable using reserved name"). */
export const reservedNames = new Set([
  ...[...taskKeywords, ...blockKeywords, ...playKeywords].filter(
    name => !['vars', 'listen', 'static', 'become_exe'].includes(name)
  ),
  'async_val',
  'become_exe',
  'loop_with',
  'with_'
])
