// Splits one output stream of a session into data and frames. A frame is the session marker
// followed by a token up to a newline; everything else is data, passed through byte for byte
// (binary-safe). The marker is random per session and never appears on argv, so a command's
// output cannot forge a frame by accident.

export type ScannerSink = (chunk: Buffer) => void

export class MarkerScanner {
  private readonly marker: Buffer
  private pending: Buffer = Buffer.alloc(0)

  constructor(
    marker: string,
    private readonly onData: ScannerSink,
    private readonly onFrame: (token: string) => void
  ) {
    this.marker = Buffer.from(marker, 'latin1')
  }

  push(chunk: Buffer): void {
    let buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    for (;;) {
      const at = buffer.indexOf(this.marker)
      if (at === -1) {
        // Hold back only what could be the start of a marker split across chunks.
        const keep = this.partialMarkerLength(buffer)
        if (buffer.length > keep) this.onData(buffer.subarray(0, buffer.length - keep))
        this.pending = Buffer.from(buffer.subarray(buffer.length - keep))
        return
      }
      if (at > 0) this.onData(buffer.subarray(0, at))
      const newline = buffer.indexOf(0x0a, at + this.marker.length)
      if (newline === -1) {
        this.pending = Buffer.from(buffer.subarray(at))
        return
      }
      const token = buffer.subarray(at + this.marker.length, newline).toString('utf8')
      buffer = buffer.subarray(newline + 1)
      this.onFrame(token)
    }
  }

  /** Bytes still held back (a partial marker or frame); data once the stream has ended. */
  flush(): Buffer {
    const rest = this.pending
    this.pending = Buffer.alloc(0)
    return rest
  }

  private partialMarkerLength(buffer: Buffer): number {
    const longest = Math.min(this.marker.length - 1, buffer.length)
    for (let length = longest; length > 0; length--) {
      if (buffer.subarray(buffer.length - length).equals(this.marker.subarray(0, length))) {
        return length
      }
    }
    return 0
  }
}
