// Local counterparts of the pod's checksum tools, computed while bytes stream past. sha256 is
// preferred; sha1/md5 serve pods that lack it; POSIX `cksum` (a CRC every POSIX system has)
// is the last resort — it detects truncation and corruption, not tampering, which is what a
// transfer check must catch.
import { createHash, type Hash } from 'node:crypto'

export type HashAlgorithm = 'sha256' | 'sha1' | 'md5' | 'cksum' | 'none'

export interface StreamHasher {
  update(chunk: Buffer): void
  /** The digest as the pod's tool prints its first word (hex, or decimal for cksum); repeatable. */
  digest(): string
}

export function createStreamHasher(algorithm: HashAlgorithm): StreamHasher {
  switch (algorithm) {
    case 'sha256':
    case 'sha1':
    case 'md5':
      return nodeHasher(createHash(algorithm))
    case 'cksum':
      return new PosixCksum()
    case 'none':
      return { update: () => undefined, digest: () => '' }
  }
}

function nodeHasher(hash: Hash): StreamHasher {
  let digest: string | undefined
  return {
    update: chunk => void hash.update(chunk),
    digest: () => (digest ??= hash.digest('hex'))
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let index = 0; index < 256; index++) {
    let crc = index << 24
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1
    table[index] = crc >>> 0
  }
  return table
})()

/** The CRC of POSIX `cksum`: polynomial 0x04C11DB7, MSB first, then the length, inverted. */
class PosixCksum implements StreamHasher {
  private crc = 0
  private length = 0

  update(chunk: Buffer): void {
    let crc = this.crc
    for (const byte of chunk) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0
    this.crc = crc
    this.length += chunk.length
  }

  digest(): string {
    let crc = this.crc
    for (let length = this.length; length > 0; length = Math.floor(length / 256)) {
      crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ length) & 0xff]!) >>> 0
    }
    return String(~crc >>> 0)
  }
}
