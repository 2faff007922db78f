// ansible.builtin.add_host: returns `add_host: {host_name, groups, host_vars}`; the executor adds
// the host to the in-memory inventory.
import type { ModuleDefinition, ModuleResult } from './types.js'

const SPECIAL = new Set(['name', 'hostname', 'host', 'groupname', 'groups', 'group'])

/** Ansible's parse_address for the forms people write: host, host:port, [v6]:port. */
function splitPort(address: string): { name: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address)
  if (bracketed)
    return { name: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : undefined }
  const hostPort = /^([^:]+):(\d+)$/.exec(address)
  if (hostPort) return { name: hostPort[1], port: Number(hostPort[2]) }
  return { name: address }
}

export const addHost: ModuleDefinition = {
  name: 'add_host',
  openArgs: true,
  args: {
    name: { type: 'str', aliases: ['host', 'hostname'] },
    groups: { type: 'raw', aliases: ['group', 'groupname'] }
  },
  checkMode: true,
  async run(args): Promise<ModuleResult> {
    if (typeof args.name !== 'string') {
      return { changed: false, failed: true, msg: 'name, host or hostname needs to be provided' }
    }
    const { name, port } = splitPort(args.name)
    const hostVars: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(args)) if (!SPECIAL.has(key)) hostVars[key] = value
    if (port !== undefined) hostVars.ansible_ssh_port = port
    const rawGroups = args.groups ?? ''
    let groupList: string[]
    if (Array.isArray(rawGroups)) groupList = rawGroups.map(String)
    else if (typeof rawGroups === 'string') groupList = rawGroups === '' ? [] : rawGroups.split(',')
    else return { changed: false, failed: true, msg: 'Groups must be specified as a list.' }
    const groups: string[] = []
    for (const group of groupList) if (!groups.includes(group.trim())) groups.push(group.trim())
    return { changed: false, add_host: { host_name: name, groups, host_vars: hostVars } }
  }
}
