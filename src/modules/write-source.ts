// What copy and template write: bytes already in memory (copy content=, a rendered template) or
// a runner-side file. Files are never read whole: their sums are computed from a read stream and
// the connection streams them by path, so a copy of a file larger than memory stays bounded.
import { createHash } from 'node:crypto'
import { createReadStream, promises as fs } from 'node:fs'

export type WriteSource = { data: Buffer } | { file: string; size: number }

/** The sums Ansible's copy reports: `checksum` (sha1) and `md5sum`. */
export interface Digests {
  sha1: string
  md5: string
}

export function sourceSize(source: WriteSource): number {
  return 'data' in source ? source.data.length : source.size
}

/** What `connection.put` takes: the Buffer itself, or the file's path so it is streamed. */
export function putInput(source: WriteSource): string | Buffer {
  return 'data' in source ? source.data : source.file
}

export async function sourceDigests(source: WriteSource): Promise<Digests> {
  if ('data' in source) return bufferDigests(source.data)
  return fileDigests(source.file)
}

/** The whole source, for diffs only: callers check the size limit first. */
export async function sourceBytes(source: WriteSource): Promise<Buffer> {
  return 'data' in source ? source.data : fs.readFile(source.file)
}

function bufferDigests(data: Buffer): Digests {
  return {
    sha1: createHash('sha1').update(data).digest('hex'),
    md5: createHash('md5').update(data).digest('hex')
  }
}

/** sha1 and md5 of a local file in one streamed pass. */
export async function fileDigests(file: string): Promise<Digests> {
  const sha1 = createHash('sha1')
  const md5 = createHash('md5')
  for await (const chunk of createReadStream(file)) {
    sha1.update(chunk as Buffer)
    md5.update(chunk as Buffer)
  }
  return { sha1: sha1.digest('hex'), md5: md5.digest('hex') }
}
