// Injected network conditions for one exec stream direction: frames leave in order, each no
// earlier than its arrival plus the one-way delay, and no faster than the bandwidth limit.
// Delays are computed per frame from the fault settings current at the time, so tests can
// change them mid-run.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Faults } from './types.js'

export class PacedQueue {
  private readonly frames: { due: number; data: Buffer; onSent?: () => void }[] = []
  private draining = false
  private closed = false
  private pendingBytes = 0
  private nextFreeAt = 0

  constructor(
    private readonly faults: () => Faults,
    private readonly deliver: (data: Buffer) => void,
    /** Called with true when too much is buffered (pause the producer), false when drained. */
    private readonly onPressure: (paused: boolean) => void = () => {}
  ) {}

  static readonly HIGH_WATER = 1 << 20
  static readonly LOW_WATER = 1 << 18

  push(data: Buffer, onSent?: () => void): void {
    if (this.closed) return
    const oneWay = (this.faults().latencyMs ?? 0) / 2
    this.frames.push({ due: Date.now() + oneWay, data, onSent })
    this.pendingBytes += data.length
    if (this.pendingBytes > PacedQueue.HIGH_WATER) this.onPressure(true)
    if (!this.draining) void this.drain()
  }

  /** Resolves once everything pushed so far has been delivered. */
  async flushed(): Promise<void> {
    if (this.frames.length === 0 && !this.draining) return
    await new Promise<void>(resolve => this.push(Buffer.alloc(0), resolve))
  }

  close(): void {
    this.closed = true
    this.frames.length = 0
  }

  private async drain(): Promise<void> {
    this.draining = true
    while (this.frames.length > 0 && !this.closed) {
      const frame = this.frames[0]
      const bandwidth = this.faults().bandwidthBytesPerSec ?? 0
      const now = Date.now()
      let sendAt = Math.max(frame.due, now)
      if (bandwidth > 0) {
        sendAt = Math.max(sendAt, this.nextFreeAt)
        this.nextFreeAt = sendAt + (frame.data.length / bandwidth) * 1000
      }
      if (sendAt > now) await sleep(sendAt - now)
      if (this.closed) break
      this.frames.shift()
      this.pendingBytes -= frame.data.length
      if (frame.data.length > 0) this.deliver(frame.data)
      frame.onSent?.()
      if (this.pendingBytes < PacedQueue.LOW_WATER) this.onPressure(false)
    }
    this.draining = false
  }
}
