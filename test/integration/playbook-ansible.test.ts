// Realistic playbooks run by the real ansible-playbook and by kubectl-ansible, both on localhost
// with ansible_connection=local: the console text (stdout and stderr, with their warnings) and
// the --json document must agree once timings and the work directory are normalised. The
// expectation is produced here, by running ansible-playbook (installed by .ci/run), so nothing
// Ansible printed is copied into the repository.
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPlaybookCommand } from '../../src/cli/playbook.js'

const ANSIBLE_ENV = {
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_FORCE_COLOR: '0',
  ANSIBLE_RETRY_FILES_ENABLED: 'False',
  ANSIBLE_HOST_KEY_CHECKING: 'False',
  ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
  ANSIBLE_LOCALHOST_WARNING: 'False',
  ANSIBLE_FORKS: '1',
  PYTHONHASHSEED: '0'
}

const LOCALHOST = 'localhost ansible_connection=local\n'
const TWO_HOSTS = '[web]\none ansible_connection=local\ntwo ansible_connection=local\n'

interface Case {
  name: string
  files: Record<string, string>
  inventory?: string
  args?: string[]
  /** Also compare the --json documents (one more ansible-playbook run). */
  json?: boolean
}

const cases: Case[] = [
  {
    name: 'loops, blocks, conditions, retries and verbose results',
    json: true,
    files: {
      'playbook.yml': `
- name: everyday tasks
  hosts: all
  gather_facts: false
  vars:
    users:
      - {name: alice, uid: 1001}
      - {name: bob, uid: 1002}
  tasks:
    - name: show users
      debug:
        msg: "{{ u.name }} has uid {{ u.uid }} ({{ idx }}/{{ ansible_loop.length }})"
      loop: "{{ users }}"
      loop_control: {loop_var: u, index_var: idx, label: "{{ u.name }}", extended: true}
    - name: commands with labels
      command: "echo {{ item.key }}={{ item.value }}"
      loop: "{{ {'a': 1, 'b': 2} | dict2items }}"
      loop_control: {label: "{{ item.key }}"}
      register: echoed
      changed_when: false
    - name: registered loop
      debug: {msg: "{{ echoed.results | map(attribute='stdout') | list }}"}
    - name: when on items
      debug: {msg: "{{ item }}"}
      with_items: [1, 2, 3]
      when: item != 2
    - name: a block that fails
      block:
        - name: fails
          command: /bin/false
        - name: never runs
          debug: {msg: nope}
      rescue:
        - name: report
          debug: {msg: "{{ ansible_failed_task.name }} rc={{ ansible_failed_result.rc }}"}
      always:
        - name: cleanup
          set_fact: {cleaned: true}
    - name: soft failure
      shell: "echo out; echo err >&2; exit 3"
      register: soft
      failed_when: soft.rc not in [0, 3]
      changed_when: soft.rc == 0
    - name: items failing by condition
      command: "echo {{ item }}"
      loop: [ok, bad]
      failed_when: "'bad' == item"
      ignore_errors: true
    - name: counter reset
      file: {path: "{{ playbook_dir }}/counter", state: absent}
    - name: until the third try
      shell: "echo x >> counter; wc -l < counter"
      args: {chdir: "{{ playbook_dir }}"}
      register: tries
      until: tries.stdout | int >= 3
      retries: 5
      delay: 0
      changed_when: false
    - name: attempts
      debug: {var: tries.attempts}
    - name: assertions pass
      assert: {that: [cleaned, "tries.attempts == 3"]}
    - name: assertion with success_msg per item
      assert: {that: ["item > 0"], success_msg: "{{ item }} is positive"}
      loop: [1, 2]
    - name: quiet assertion
      assert: {that: [true], quiet: true}
    - name: failing assertion
      assert: {that: ["1 == 2"], fail_msg: "numbers differ"}
      ignore_errors: true
    - name: a module warning
      command: echo hi
      args: {executable: /bin/sh}
      changed_when: false
`
    }
  },
  {
    name: 'handlers with listen, flush_handlers and other meta tasks',
    inventory: TWO_HOSTS,
    files: {
      'playbook.yml': `
- name: handlers
  hosts: all
  gather_facts: false
  handlers:
    - name: restart web
      debug: {msg: restarting web}
      listen: restart stack
    - name: restart db
      debug: {msg: restarting db}
      listen: restart stack
    - name: reload config
      command: echo reload
  tasks:
    - name: change config
      command: echo changed
      notify: reload config
    - name: change stack
      command: echo stack
      notify: restart stack
      when: inventory_hostname == 'one'
    - meta: flush_handlers
    - meta: noop
    - name: end two
      meta: end_host
      when: inventory_hostname == 'two'
    - name: after
      debug: {msg: done}
`
    }
  },
  {
    name: 'vars files, include_vars and include_tasks loops, with duplicate keys',
    args: ['-e', '@extra.yml'],
    files: {
      'extra.yml': 'who: first\nwho: second\n',
      'vars/main.yml': 'app_port: 8080\napp_env: prod\n',
      'vars/extra.yml': 'app_env: staging\napp_env: test\n',
      'vars/loaded.yml': 'level: 1\nlevel: 2\n',
      'step.yml': `
- name: "step {{ step }}"
  debug: {msg: "running {{ step }} of {{ steps | length }}"}
  name: "step {{ step }} again"
- name: "mark {{ step }}"
  set_fact:
    done_steps: "{{ done_steps | default([]) + [step] }}"
`,
      'playbook.yml': `
- name: files
  hosts: all
  gather_facts: false
  vars_files:
    - vars/main.yml
    - [vars/missing.yml, vars/extra.yml]
  vars:
    steps: [build, test]
  tasks:
    - name: from vars_files
      debug: {msg: "{{ who }} {{ app_port }} {{ app_env }}"}
    - name: include_vars
      include_vars: {file: vars/loaded.yml, name: loaded}
    - name: loaded
      debug: {var: loaded}
    - name: each step
      include_tasks: step.yml
      loop: "{{ steps }}"
      loop_control: {loop_var: step}
    - name: missing include
      include_tasks: missing.yml
      when: false
    - name: done
      debug: {var: done_steps}
`
    }
  },
  {
    name: 'run_once, delegate_to, cacheable facts, serial and any_errors_fatal',
    inventory: TWO_HOSTS,
    json: true,
    files: {
      'playbook.yml': `
- name: once and delegated
  hosts: all
  gather_facts: false
  serial: 1
  tasks:
    - name: cacheable fact
      set_fact: {release: "1.2.3", cacheable: true}
    - name: once
      command: echo once
      run_once: true
      register: once
    - name: use once
      debug: {msg: "{{ once.stdout }} {{ ansible_facts.release }} {{ ansible_play_batch }}"}
    - name: delegated
      command: echo here
      delegate_to: localhost
      changed_when: false
- name: fatal errors
  hosts: all
  gather_facts: false
  any_errors_fatal: true
  tasks:
    - name: fails on one
      command: /bin/false
      when: inventory_hostname == 'one'
    - name: never
      debug: {msg: never}
- name: not reached
  hosts: all
  gather_facts: false
  tasks:
    - debug: {msg: unreachable}
`
    }
  },
  {
    name: 'serial batches stopped by max_fail_percentage',
    inventory:
      '[web]\none ansible_connection=local\ntwo ansible_connection=local\nthree ansible_connection=local\n',
    files: {
      'playbook.yml': `
- name: failure limit
  hosts: all
  gather_facts: false
  serial: 2
  max_fail_percentage: 40
  handlers:
    - name: h
      debug: {msg: "handler on {{ inventory_hostname }}"}
  tasks:
    - name: notify
      command: echo
      notify: h
    - name: fail one
      fail: {msg: "bad {{ inventory_hostname }}"}
      when: inventory_hostname == 'one'
    - name: after
      debug: {msg: "{{ ansible_play_batch }}"}
`
    }
  },
  {
    name: 'tags selected on the command line',
    args: ['--tags', 'a,blk,debug', '--skip-tags', 'b'],
    files: {
      'playbook.yml': `
- name: tags
  hosts: all
  gather_facts: false
  tasks:
    - {name: tagged a, debug: {msg: a}, tags: [a]}
    - {name: tagged a and b, debug: {msg: b}, tags: [a, b]}
    - {name: always, debug: {msg: always}, tags: always}
    - {name: never unless asked, debug: {msg: never}, tags: [never, debug]}
    - name: block tags
      tags: [blk]
      block:
        - {name: in block, debug: {msg: inblock}}
`
    }
  },
  {
    name: 'roles: shared dependencies run once, dependency vars, handlers, include_role, import_role',
    files: {
      'roles/base/tasks/main.yml': `
- name: base task
  debug: {msg: "base {{ base_level | default('none') }}"}
`,
      'roles/web/meta/main.yml':
        'dependencies:\n  - role: base\n    vars: {base_level: 2}\n  - common\n',
      'roles/db/meta/main.yml': 'dependencies: [common]\n',
      'roles/db/tasks/main.yml': '- name: db task\n  debug: {msg: db}\n',
      'roles/common/tasks/main.yml': '- name: common task\n  debug: {msg: common}\n',
      'roles/web/defaults/main.yml': 'web_port: 80\nweb_name: default\n',
      'roles/web/vars/main.yml': 'web_name: fromvars\n',
      'roles/web/tasks/main.yml': `
- name: configure
  command: "echo {{ web_port }} {{ web_name }}"
  notify: restart web
- name: extra tasks
  include_tasks: extra.yml
`,
      'roles/web/tasks/extra.yml': '- name: extra\n  debug: {msg: "extra {{ web_port }}"}\n',
      'roles/web/handlers/main.yml': `
- name: restart web
  debug: {msg: "restart {{ web_name }}"}
`,
      'roles/solo/tasks/other.yml': '- name: other entry\n  debug: {msg: "other {{ solo_x }}"}\n',
      'roles/solo/defaults/main.yml': 'solo_x: 1\n',
      'playbook.yml': `
- name: roles
  hosts: all
  gather_facts: false
  roles:
    - role: web
      vars: {web_port: 8080}
    - db
    - common
    - role: db
      vars: {again: true}
  tasks:
    - name: include role
      include_role: {name: solo, tasks_from: other}
    - name: import role
      import_role: {name: base}
`
    }
  },
  {
    name: 'no_log, failures and undefined variables',
    json: true,
    files: {
      'playbook.yml': `
- name: secrets and errors
  hosts: all
  gather_facts: false
  tasks:
    - name: secret
      command: echo s3cret
      no_log: true
      register: sec
    - name: secret loop
      debug: {msg: "{{ item }}"}
      loop: [a, b]
      no_log: true
    - name: secret failing loop
      command: "{{ item }}"
      loop: ["true", "false"]
      no_log: true
      ignore_errors: true
    - name: registered data stays
      debug: {var: sec.stdout}
    - name: undefined in args
      debug: {msg: "{{ nope }}"}
      ignore_errors: true
    - name: loop over an undefined variable
      debug: {msg: "{{ item }}"}
      loop: "{{ nope }}"
      ignore_errors: true
    - name: failed_when list
      command: echo hi
      register: r
      failed_when: [r.rc == 0, "'hi' in r.stdout"]
      ignore_errors: true
    - name: the end
      fail: {msg: final}
`
    }
  },
  {
    name: 'import_playbook, a block skipped by when, check mode and diff',
    args: ['--check', '--diff'],
    files: {
      'other.yml': `
- name: imported play
  hosts: all
  gather_facts: false
  tasks:
    - debug: {msg: imported}
`,
      'playbook.yml': `
- import_playbook: other.yml
- name: main
  hosts: all
  gather_facts: false
  tasks:
    - name: block when false
      when: false
      block:
        - debug: {msg: a}
        - debug: {msg: b}
    - name: line in a new file
      lineinfile: {path: "{{ playbook_dir }}/out.txt", line: c, create: true}
    - name: command in check mode
      command: echo hi
    - name: forced run
      command: echo forced
      check_mode: false
      changed_when: false
    - name: check mode var
      debug: {var: ansible_check_mode}
`
    }
  },
  {
    name: '-v: verbose results, gathered facts left out',
    args: ['-v'],
    files: {
      'playbook.yml': `
- name: verbose
  hosts: all
  gather_facts: true
  tasks:
    - name: command result
      command: echo hi
      changed_when: false
    - name: debug above its verbosity
      debug: {msg: hidden, verbosity: 2}
    - name: items
      assert: {that: ["item > 1"], quiet: true}
      loop: [1, 2]
      ignore_errors: true
`
    }
  }
]

const dirs: string[] = []
afterAll(() => dirs.forEach(dir => rmSync(dir, { recursive: true, force: true })))

/**
 * A fresh work directory with the case's files. All have paths of the same length, without
 * hyphens: warnings are wrapped at 79 columns (also after a hyphen) before $DIR replaces them.
 */
function workDir(testCase: Case): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pbansible'))
  dirs.push(dir)
  writeFileSync(path.join(dir, 'inventory.ini'), testCase.inventory ?? LOCALHOST)
  for (const [name, text] of Object.entries(testCase.files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text.replace(/^\n/, ''))
  }
  return dir
}

interface Output {
  code: number
  stdout: string
  stderr: string
}

function ansiblePlaybook(dir: string, args: string[], callback: string): Promise<Output> {
  return new Promise((resolve, reject) => {
    execFile(
      'ansible-playbook',
      ['-i', 'inventory.ini', ...args, 'playbook.yml'],
      {
        cwd: dir,
        env: { ...process.env, ...ANSIBLE_ENV, ANSIBLE_STDOUT_CALLBACK: callback },
        maxBuffer: 64 * 1024 * 1024
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error)
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
      }
    )
  })
}

async function kubectlAnsible(dir: string, args: string[]): Promise<Output> {
  let stdout = ''
  let stderr = ''
  const code = await runPlaybookCommand(['-i', 'inventory.ini', ...args, 'playbook.yml'], {
    stdout: text => void (stdout += text),
    stderr: text => void (stderr += text),
    cwd: dir,
    env: { PATH: process.env.PATH }
  })
  return { code, stdout, stderr }
}

/** Timings and the work directory are the only differences allowed. */
function normalised(text: string, dir: string): string {
  return text
    .split(dir)
    .join('$DIR')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}/g, '$TIMESTAMP')
    .replace(/"delta": "[^"]*"/g, '"delta": "$DELTA"')
    .replace(/^No config file found; using defaults\n/m, '')
}

/** Keys that hold timings, ids or internals the json callback shows and we do not. */
const UNCOMPARED_JSON_KEYS = new Set([
  'start',
  'end',
  'delta',
  'duration',
  'id',
  'invocation',
  '_ansible_no_log',
  '_ansible_delegated_vars'
])

function comparableJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparableJson)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !UNCOMPARED_JSON_KEYS.has(key))
      .map(([key, entry]) => [key, comparableJson(entry)])
  )
}

const hasAnsible = await new Promise<boolean>(resolve =>
  execFile('ansible-playbook', ['--version'], error => resolve(!error))
)
if (!hasAnsible && process.env.CI)
  throw new Error(
    'ansible-playbook is not installed: .ci/run installs it (setup.mjs --with-ansible)'
  )

describe.skipIf(!hasAnsible)('kubectl-ansible and ansible-playbook print the same', () => {
  it.each(cases)(
    '$name',
    async testCase => {
      const args = testCase.args ?? []
      const ansibleDir = workDir(testCase)
      const jsonDir = workDir(testCase)
      const ourDir = workDir(testCase)
      const [ansible, ansibleJson] = await Promise.all([
        ansiblePlaybook(ansibleDir, args, 'default'),
        testCase.json ? ansiblePlaybook(jsonDir, args, 'json') : undefined
      ])
      const ours = await kubectlAnsible(ourDir, args)
      expect(normalised(ours.stdout, ourDir)).toBe(normalised(ansible.stdout, ansibleDir))
      expect(normalised(ours.stderr, ourDir)).toBe(normalised(ansible.stderr, ansibleDir))
      expect(ours.code).toBe(ansible.code)
      if (!ansibleJson) return
      const ourJsonDir = workDir(testCase)
      const oursJson = await kubectlAnsible(ourJsonDir, ['--json', ...args])
      const document = (output: Output, dir: string) =>
        comparableJson(JSON.parse(normalised(output.stdout, dir)))
      expect(document(oursJson, ourJsonDir)).toEqual(document(ansibleJson, jsonDir))
      expect(normalised(oursJson.stderr, ourJsonDir)).toBe(normalised(ansibleJson.stderr, jsonDir))
      expect(oursJson.code).toBe(ansibleJson.code)
    },
    240_000
  )
})
