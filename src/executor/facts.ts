// gather_facts without Python: one shell command prints what busybox and coreutils can tell
// (uname, /etc/os-release, id, env, date); the runner turns it into Ansible's fact names.
import type { Connection } from '../connection/connection.js'

const factScript = [
  'echo "uname_n=$(uname -n 2>/dev/null)"',
  'echo "uname_r=$(uname -r 2>/dev/null)"',
  'echo "uname_m=$(uname -m 2>/dev/null)"',
  'echo "uname_s=$(uname -s 2>/dev/null)"',
  'echo "uname_v=$(uname -v 2>/dev/null)"',
  'echo "id_un=$(id -un 2>/dev/null)"',
  'echo "id_u=$(id -u 2>/dev/null)"',
  'echo "id_g=$(id -g 2>/dev/null)"',
  'echo "epoch=$(date +%s 2>/dev/null)"',
  'echo "nproc=$(grep -c ^processor /proc/cpuinfo 2>/dev/null)"',
  'echo "memtotal=$(sed -n "s/^MemTotal: *\\([0-9]*\\).*/\\1/p" /proc/meminfo 2>/dev/null)"',
  'echo "@@os-release"',
  'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
  'echo "@@env"',
  'env 2>/dev/null'
].join('; ')

function unquote(value: string): string {
  return value.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1')
}

const osFamilies: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Debian',
  alpine: 'Alpine',
  rhel: 'RedHat',
  centos: 'RedHat',
  fedora: 'RedHat',
  rocky: 'RedHat',
  almalinux: 'RedHat',
  amzn: 'RedHat',
  arch: 'Archlinux',
  opensuse: 'Suse',
  sles: 'Suse'
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}

function dateTime(epoch: number): Record<string, string> {
  const date = new Date(epoch * 1000)
  const day = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  return {
    epoch: String(epoch),
    date: day,
    time,
    year: String(date.getUTCFullYear()),
    month: pad(date.getUTCMonth() + 1),
    day: pad(date.getUTCDate()),
    hour: pad(date.getUTCHours()),
    minute: pad(date.getUTCMinutes()),
    second: pad(date.getUTCSeconds()),
    iso8601: `${day}T${time}Z`,
    tz: 'UTC'
  }
}

/** Collect the fact set with one command; returns Ansible's `ansible_facts` mapping. */
export async function gatherFacts(
  connection: Connection,
  timeoutMs?: number
): Promise<Record<string, unknown>> {
  const { stdout } = await connection.exec(factScript, { idempotent: true, timeoutMs })
  const values: Record<string, string> = {}
  const osRelease: Record<string, string> = {}
  const env: Record<string, string> = {}
  let section = 'main'
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@@')) {
      section = line.slice(2)
      continue
    }
    const equals = line.indexOf('=')
    if (equals <= 0) continue
    const key = line.slice(0, equals)
    const value = line.slice(equals + 1)
    if (section === 'main') values[key] = value
    else if (section === 'os-release') osRelease[key] = unquote(value)
    else env[key] = value
  }
  const id = (osRelease.ID ?? '').toLowerCase()
  const distribution = osRelease.NAME ? (osRelease.NAME.split(' ')[0] ?? 'NA') : 'NA'
  const epoch = Number(values.epoch) || Math.floor(Date.now() / 1000)
  const hostname = values.uname_n ?? ''
  return {
    hostname: hostname.split('.')[0],
    nodename: hostname,
    fqdn: hostname,
    kernel: values.uname_r ?? '',
    kernel_version: values.uname_v ?? '',
    architecture: values.uname_m ?? '',
    machine: values.uname_m ?? '',
    system: values.uname_s ?? '',
    distribution,
    distribution_version: osRelease.VERSION_ID ?? 'NA',
    distribution_major_version: (osRelease.VERSION_ID ?? 'NA').split('.')[0],
    distribution_release: osRelease.VERSION_CODENAME ?? 'NA',
    os_family: osFamilies[id] ?? distribution,
    user_id: values.id_un ?? '',
    user_uid: Number(values.id_u),
    user_gid: Number(values.id_g),
    processor_vcpus: Number(values.nproc) || undefined,
    memtotal_mb: values.memtotal ? Math.floor(Number(values.memtotal) / 1024) : undefined,
    env,
    date_time: dateTime(epoch),
    gather_subset: ['all'],
    module_setup: true
  }
}
