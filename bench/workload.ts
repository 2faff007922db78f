// The workload both tools run: one inventory file (pods as kubernetes.core.kubectl hosts, the
// variables Ansible reads and our CLI accepts) and a playbook of mixed tasks, written once
// per scenario into the bench directory.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'

export interface Workload {
  inventory: string
  playbook: string
}

/** The task kinds of scenario 1, used in turn: command, shell, copy, template, lineinfile, stat, file. */
function mixedTask(index: number): string {
  const dir = `/tmp/bench/t${index}`
  switch (index % 7) {
    case 0:
      return `    - name: command ${index}\n      command: echo task ${index}\n`
    case 1:
      return `    - name: shell ${index}\n      shell: echo "task ${index} on $(hostname)" | wc -c\n`
    case 2:
      return `    - name: copy ${index}\n      copy:\n        content: "line {{ inventory_hostname }} ${index}\\n"\n        dest: ${dir}.copy\n`
    case 3:
      return `    - name: template ${index}\n      template:\n        src: bench.j2\n        dest: ${dir}.tmpl\n`
    case 4:
      return `    - name: lineinfile ${index}\n      lineinfile:\n        path: ${dir}.lines\n        line: "setting_${index}=on"\n        create: true\n`
    case 5:
      return `    - name: stat ${index}\n      stat:\n        path: /tmp/bench\n`
    default:
      return `    - name: file ${index}\n      file:\n        path: ${dir}.dir\n        state: directory\n        mode: "0755"\n`
  }
}

export function inventoryText(pods: string[], kubeconfig: string): string {
  return [
    '[bench]',
    ...pods.map(pod => `${pod} ansible_kubectl_pod=${pod}`),
    '',
    '[bench:vars]',
    'ansible_connection=kubernetes.core.kubectl',
    'ansible_kubectl_namespace=default',
    `ansible_kubectl_kubeconfig=${kubeconfig}`,
    'ansible_python_interpreter=/usr/bin/python3',
    ''
  ].join('\n')
}

export async function writeMixedWorkload(
  dir: string,
  pods: string[],
  kubeconfig: string,
  tasks: number
): Promise<Workload> {
  const inventory = path.join(dir, 'inventory.ini')
  const playbook = path.join(dir, 'mixed.yml')
  await writeFile(inventory, inventoryText(pods, kubeconfig))
  await writeFile(
    path.join(dir, 'bench.j2'),
    '# rendered for {{ inventory_hostname }}\nvalue={{ 6 * 7 }}\n'
  )
  const body = Array.from({ length: tasks }, (_, index) => mixedTask(index)).join('')
  await writeFile(
    playbook,
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: prepare\n      file:\n        path: /tmp/bench\n        state: directory\n${body}`
  )
  return { inventory, playbook }
}

/** Scenario 3: put a local file into the pod, then fetch it back. */
export async function writeTransferWorkload(
  dir: string,
  pod: string,
  kubeconfig: string,
  file: string
): Promise<Workload> {
  const inventory = path.join(dir, 'inventory.ini')
  const playbook = path.join(dir, 'transfer.yml')
  await writeFile(inventory, inventoryText([pod], kubeconfig))
  await writeFile(
    playbook,
    [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: put',
      '      copy:',
      `        src: ${file}`,
      '        dest: /tmp/big.bin',
      '    - name: fetch',
      '      fetch:',
      '        src: /tmp/big.bin',
      `        dest: ${path.join(dir, 'fetched')}/`,
      '        flat: true',
      ''
    ].join('\n')
  )
  return { inventory, playbook }
}
