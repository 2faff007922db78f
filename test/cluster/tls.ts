// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI
// (node:crypto cannot issue X.509 certificates). kubectl is a Go client: it ignores the CN and
// needs the address in subjectAltName, so the SAN list is what matters here.
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface ServerTls {
  caFile: string
  caPem: string
  certPem: string
  keyPem: string
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

let issued: Promise<Omit<ServerTls, 'caFile'>> | undefined

/**
 * Certificates for a cluster in `dir`. They are issued once per process and reused: openssl
 * costs a few hundred milliseconds on a busy machine, and tests start many clusters.
 */
export async function createServerTls(dir: string): Promise<ServerTls> {
  issued ??= issue(dir)
  issued.catch(() => (issued = undefined))
  const pems = await issued
  const caFile = path.join(dir, 'ca.crt')
  await writeFile(caFile, pems.caPem)
  return { caFile, ...pems }
}

async function issue(dir: string): Promise<Omit<ServerTls, 'caFile'>> {
  const file = (name: string): string => path.join(dir, name)
  await run('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-days',
    '7',
    '-subj',
    '/CN=test-cluster-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt')
  ])
  await run('openssl', [
    'req',
    '-new',
    ...EC_KEY,
    '-subj',
    '/CN=localhost',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr')
  ])
  await writeFile(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n'
  )
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '7',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.crt')
  ])
  const [caPem, certPem, keyPem] = await Promise.all(
    ['ca.crt', 'server.crt', 'server.key'].map(name => readFile(file(name), 'utf8'))
  )
  return { caPem, certPem, keyPem }
}
