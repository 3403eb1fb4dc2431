// Capture files: classic pcap (micro- and nanosecond, either byte order) and pcapng (section header, interface
// description, enhanced / simple / obsolete packet blocks), read into one list of link-layer records.

/** One captured packet: its 1-based number in the file, time, link type and the bytes captured. */
export interface CaptureRecord {
  frame: number;
  /** Seconds since the epoch (fractional). */
  time: number;
  linkType: number;
  data: Uint8Array;
  /** Length on the wire; more than `data.length` when the capture cut the packet (snap length). */
  originalLength: number;
}

export class CaptureError extends Error {}

const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

/** Reads a whole pcap or pcapng file. Throws CaptureError naming what is wrong with a file it cannot read. */
export function readCapture(bytes: Uint8Array): CaptureRecord[] {
  if (bytes.length < 4) throw new CaptureError(`${bytes.length} byte(s) is too short for a capture file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  if (magicBE === PCAPNG_SHB) return readPcapng(bytes, view);
  const magicLE = view.getUint32(0, true);
  if (magicBE === PCAP_MICRO || magicBE === PCAP_NANO) return readPcap(bytes, view, false, magicBE === PCAP_NANO);
  if (magicLE === PCAP_MICRO || magicLE === PCAP_NANO) return readPcap(bytes, view, true, magicLE === PCAP_NANO);
  throw new CaptureError(`not a pcap or pcapng file (first bytes 0x${magicBE.toString(16).padStart(8, '0')})`);
}

function readPcap(bytes: Uint8Array, view: DataView, le: boolean, nano: boolean): CaptureRecord[] {
  if (bytes.length < 24) throw new CaptureError('pcap file header is cut short');
  const linkType = view.getUint32(20, le) & 0x0fffffff;
  const records: CaptureRecord[] = [];
  let pos = 24;
  while (pos + 16 <= bytes.length) {
    const sec = view.getUint32(pos, le);
    const frac = view.getUint32(pos + 4, le);
    const caplen = view.getUint32(pos + 8, le);
    const origlen = view.getUint32(pos + 12, le);
    const start = pos + 16;
    // a record cut by the end of the file (a capture still being written) ends the list
    if (start + caplen > bytes.length) break;
    records.push({
      frame: records.length + 1,
      time: sec + frac / (nano ? 1e9 : 1e6),
      linkType,
      data: bytes.subarray(start, start + caplen),
      originalLength: origlen,
    });
    pos = start + caplen;
  }
  return records;
}

interface Interface {
  linkType: number;
  /** Seconds per timestamp unit. */
  unit: number;
}

function readPcapng(bytes: Uint8Array, view: DataView): CaptureRecord[] {
  const records: CaptureRecord[] = [];
  let interfaces: Interface[] = [];
  let le = true;
  let pos = 0;
  while (pos + 12 <= bytes.length) {
    const typeRaw = view.getUint32(pos, le);
    if (typeRaw === PCAPNG_SHB) {
      // each section sets its own byte order and interface list
      const bom = view.getUint32(pos + 8, true);
      if (bom === PCAPNG_BYTE_ORDER) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw new CaptureError(`pcapng section at byte ${pos} has an unknown byte-order magic`);
      interfaces = [];
    }
    const type = view.getUint32(pos, le);
    const length = view.getUint32(pos + 4, le);
    if (length < 12 || length % 4 !== 0) throw new CaptureError(`pcapng block at byte ${pos} has a bad length ${length}`);
    if (pos + length > bytes.length) break;
    const body = pos + 8;
    const bodyEnd = pos + length - 4;
    switch (type) {
      case 1: {
        // Interface Description Block: link type, snap length, options (if_tsresol: code 9)
        const linkType = view.getUint16(body, le);
        let unit = 1e-6;
        forEachOption(view, body + 8, bodyEnd, le, (code, at, len) => {
          if (code === 9 && len >= 1) {
            const r = bytes[at]!;
            unit = (r & 0x80) !== 0 ? 2 ** -(r & 0x7f) : 10 ** -(r & 0x7f);
          }
        });
        interfaces.push({ linkType, unit });
        break;
      }
      case 6:
      case 2: {
        // Enhanced Packet Block (6), or the obsolete Packet Block (2, with a 16-bit interface id)
        const ifId = type === 6 ? view.getUint32(body, le) : view.getUint16(body, le);
        const iface = interfaces[ifId];
        if (iface === undefined) throw new CaptureError(`pcapng packet at byte ${pos} names interface ${ifId}, which is not described`);
        const high = view.getUint32(body + 4, le);
        const low = view.getUint32(body + 8, le);
        const caplen = view.getUint32(body + 12, le);
        const origlen = view.getUint32(body + 16, le);
        const start = body + 20;
        if (start + caplen > bodyEnd) throw new CaptureError(`pcapng packet at byte ${pos} runs past its block`);
        records.push({
          frame: records.length + 1,
          time: (high * 2 ** 32 + low) * iface.unit,
          linkType: iface.linkType,
          data: bytes.subarray(start, start + caplen),
          originalLength: origlen,
        });
        break;
      }
      case 3: {
        // Simple Packet Block: interface 0, no timestamp
        const iface = interfaces[0];
        if (iface === undefined) throw new CaptureError(`pcapng simple packet at byte ${pos} comes before any interface`);
        const origlen = view.getUint32(body, le);
        const caplen = Math.min(origlen, bodyEnd - body - 4);
        records.push({ frame: records.length + 1, time: 0, linkType: iface.linkType, data: bytes.subarray(body + 4, body + 4 + caplen), originalLength: origlen });
        break;
      }
      default:
        // name resolution, statistics, custom blocks: nothing to read here
        break;
    }
    pos += length;
  }
  return records;
}

function forEachOption(view: DataView, pos: number, end: number, le: boolean, each: (code: number, at: number, len: number) => void): void {
  while (pos + 4 <= end) {
    const code = view.getUint16(pos, le);
    const len = view.getUint16(pos + 2, le);
    if (code === 0) return;
    each(code, pos + 4, len);
    pos += 4 + ((len + 3) & ~3);
  }
}
