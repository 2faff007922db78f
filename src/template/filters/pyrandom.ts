// Python's random.Random (Mersenne Twister, seeded like CPython 3) for `random(seed=...)` and
// `shuffle(seed=...)`: Ansible users seed them with inventory_hostname to get a stable value
// per host (e.g. a cron minute), so the sequence must be CPython's, run after run.
import { createHash } from 'node:crypto'

const N = 624
const M = 397

export class PyRandom {
  private readonly state = new Uint32Array(N)
  private index = N + 1

  constructor(seed: string | number) {
    this.initByArray(seedWords(seed))
  }

  private initGenrand(seed: number): void {
    this.state[0] = seed >>> 0
    for (let i = 1; i < N; i++) {
      const previous = this.state[i - 1] ^ (this.state[i - 1] >>> 30)
      this.state[i] = (Math.imul(1812433253, previous) + i) >>> 0
    }
    this.index = N
  }

  private initByArray(key: number[]): void {
    this.initGenrand(19650218)
    let i = 1
    let j = 0
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const previous = this.state[i - 1] ^ (this.state[i - 1] >>> 30)
      this.state[i] = ((this.state[i] ^ Math.imul(previous, 1664525)) + key[j] + j) >>> 0
      i++
      j++
      if (i >= N) {
        this.state[0] = this.state[N - 1]
        i = 1
      }
      if (j >= key.length) j = 0
    }
    for (let k = N - 1; k > 0; k--) {
      const previous = this.state[i - 1] ^ (this.state[i - 1] >>> 30)
      this.state[i] = ((this.state[i] ^ Math.imul(previous, 1566083941)) - i) >>> 0
      i++
      if (i >= N) {
        this.state[0] = this.state[N - 1]
        i = 1
      }
    }
    this.state[0] = 0x80000000
  }

  private nextUint32(): number {
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (this.state[k] & 0x80000000) | (this.state[(k + 1) % N] & 0x7fffffff)
        this.state[k] = this.state[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
      }
      this.index = 0
    }
    let y = this.state[this.index++]
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** random.getrandbits(k) for k <= 32. */
  private getrandbits(bits: number): number {
    return this.nextUint32() >>> (32 - bits)
  }

  /** random._randbelow(n): rejection sampling on getrandbits(n.bit_length()). */
  randbelow(n: number): number {
    if (n <= 0) return 0
    const bits = Math.floor(Math.log2(n)) + 1
    if (bits > 32) throw new RangeError('random ranges above 2**32 are not supported')
    let r = this.getrandbits(bits)
    while (r >= n) r = this.getrandbits(bits)
    return r
  }

  randrange(start: number, stop: number, step: number): number {
    const width = stop - start
    if (step === 1) return start + this.randbelow(width)
    const count = Math.floor((width + step - 1) / step)
    return start + step * this.randbelow(count)
  }

  shuffle<T>(items: T[]): T[] {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1)
      ;[out[i], out[j]] = [out[j], out[i]]
    }
    return out
  }
}

/** random.seed(a, version=2): a str becomes int(a + sha512(a)), split into 32-bit words. */
function seedWords(seed: string | number): number[] {
  let value: bigint
  if (typeof seed === 'number') value = BigInt(Math.abs(Math.trunc(seed)))
  else {
    const bytes = Buffer.from(seed, 'utf8')
    const full = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()])
    value = BigInt(`0x${full.toString('hex') || '0'}`)
  }
  const words: number[] = []
  while (value > 0n) {
    words.push(Number(value & 0xffffffffn))
    value >>= 32n
  }
  return words.length > 0 ? words : [0]
}
