// Modules whose work happens in Python on the target in Ansible. We keep no Python in pods,
// so these are registered (the loader accepts the task) and fail with a clear pointer to
// command/shell instead of an "unknown module" parse error.
import type { ModuleDefinition, ModuleResult } from './types.js'

const SUGGESTIONS: Record<string, string> = {
  apt: 'apt-get install -y PACKAGE',
  apt_key: 'curl -fsSL URL | gpg --dearmor -o /etc/apt/keyrings/NAME.gpg',
  apt_repository: "echo 'deb ...' > /etc/apt/sources.list.d/NAME.list",
  dnf: 'dnf install -y PACKAGE',
  yum: 'yum install -y PACKAGE',
  package: 'apk add PACKAGE / apt-get install -y PACKAGE',
  pip: 'pip install PACKAGE',
  service: 'kill -HUP $(cat /run/NAME.pid)',
  systemd: 'systemctl restart NAME',
  systemd_service: 'systemctl restart NAME',
  sysvinit: '/etc/init.d/NAME restart',
  user: 'adduser -D NAME',
  group: 'addgroup NAME',
  git: 'git clone URL DEST',
  get_url: 'wget -O DEST URL',
  uri: 'wget -qO- URL',
  setup: 'uname -a; cat /etc/os-release',
  gather_facts: 'uname -a; cat /etc/os-release',
  cron: 'crontab -l; echo "..." | crontab -',
  hostname: 'hostname NAME',
  iptables: 'iptables -A ...',
  known_hosts: 'ssh-keyscan HOST >> ~/.ssh/known_hosts',
  getent: 'getent passwd NAME',
  tempfile: 'mktemp',
  assemble: 'cat DIR/* > DEST',
  expect: 'a shell script with the answers on stdin',
  reboot: 'kubectl delete pod (pods are replaced, not rebooted)',
  package_facts: 'dpkg -l / apk info',
  service_facts: 'ps',
  debconf: 'debconf-set-selections',
  dpkg_selections: 'dpkg --set-selections',
  rpm_key: 'rpm --import URL',
  subversion: 'svn checkout URL DEST',
  yum_repository: 'a copy task writing /etc/yum.repos.d/NAME.repo',
  async_status: 'a command task without async',
  wait_for_connection: 'a ping task with retries/until'
}

function pythonOnly(name: string): ModuleDefinition {
  return {
    name,
    openArgs: true,
    args: {},
    checkMode: true,
    async run(): Promise<ModuleResult> {
      return {
        changed: false,
        failed: true,
        msg:
          `The ${name} module needs Python on the target, and kubectl-ansible runs modules without Python in the pod. ` +
          `Use ansible.builtin.command or ansible.builtin.shell instead, e.g. \`shell: ${SUGGESTIONS[name]}\`.`
      }
    }
  }
}

export const pythonOnlyModules: ModuleDefinition[] = Object.keys(SUGGESTIONS).map(pythonOnly)
