// TCP reassembly, per connection and direction: bytes are handed on in sequence order exactly once, whatever
// order the segments were captured in; retransmitted bytes are dropped; a gap the capture never fills is reported.

import type { CaptureRecord } from './capture.js';
import type { TcpSegment } from './packet.js';

/** Where bytes came from: the record that completed them. */
export interface Arrival {
  frame: number;
  time: number;
}

interface Pending {
  start: number;
  data: Uint8Array;
  at: Arrival;
}

const WRAP = 2 ** 32;

/** One direction of a TCP connection, turning segments into an in-order byte stream. */
export class TcpDirection {
  /** Sequence number of stream offset 0 (the byte after the SYN), once known. */
  private base: number | undefined;
  /** Stream offset of the next byte to hand on. */
  delivered = 0;
  private pending: Pending[] = [];
  /** A FIN or RST was seen from this side. */
  closed = false;
  /** Bytes of segments that were wholly or partly retransmissions. */
  retransmitted = 0;

  constructor(private readonly deliver: (bytes: Uint8Array, offset: number, at: Arrival) => void) {}

  /** Takes one segment from this side (in capture order). */
  segment(seg: TcpSegment, rec: CaptureRecord): void {
    if (seg.syn) {
      if (this.base === undefined) this.base = (seg.seq + 1) % WRAP;
      return;
    }
    if (seg.fin || seg.rst) this.closed = true;
    if (seg.payload.length === 0) return;
    // no SYN in the capture: the stream starts at the first byte seen
    if (this.base === undefined) this.base = seg.seq;
    let rel = (seg.seq - this.base + WRAP) % WRAP;
    // more than 2^31 ahead is behind: an old retransmission from before the first byte seen
    if (rel >= WRAP / 2) rel -= WRAP;
    this.take({ start: rel, data: seg.payload, at: { frame: rec.frame, time: rec.time } });
  }

  private take(p: Pending): void {
    const end = p.start + p.data.length;
    if (end <= this.delivered) {
      this.retransmitted += p.data.length;
      return;
    }
    if (p.start > this.delivered) {
      // out of order: held until the gap before it is filled
      this.pending.push(p);
      return;
    }
    const skip = this.delivered - p.start;
    if (skip > 0) this.retransmitted += skip;
    const fresh = p.data.subarray(skip);
    const offset = this.delivered;
    this.delivered += fresh.length;
    this.deliver(fresh, offset, p.at);
    this.drain(p.at);
  }

  /** Hands on held segments that the last delivery made contiguous. */
  private drain(at: Arrival): void {
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.pending.length; i++) {
        if (this.pending[i]!.start <= this.delivered && (next === -1 || this.pending[i]!.start < this.pending[next]!.start)) next = i;
      }
      if (next === -1) return;
      const p = this.pending.splice(next, 1)[0]!;
      // a held segment delivered now arrives, for the reader, with the segment that completed it
      this.take({ start: p.start, data: p.data, at });
    }
  }

  /** At the end of the capture: [stream offset, bytes missing, bytes held after the gap], or undefined. */
  gap(): [offset: number, missing: number, held: number] | undefined {
    if (this.pending.length === 0) return undefined;
    const first = Math.min(...this.pending.map((p) => p.start));
    const held = this.pending.reduce((n, p) => n + p.data.length, 0);
    return [this.delivered, first - this.delivered, held];
  }
}
