// Wrong-protocol sniffing: sniff() on the first bytes of TLS, HTTP, WebSocket and PROXY streams, and the
// decoder's error at the start of such a stream, which names what the bytes look like.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MqttError, PacketDecoder, fromHex } from '../src/index.js';
import { sniff } from '../src/sniff.js';
import { thrown } from './support/helpers.js';

const enc = new TextEncoder();
/** The start of a TLS 1.2 ClientHello record as a client sends it. */
const clientHello = fromHex('16 0301 00c8 01 0000c4 0303' + '07'.repeat(32));
const httpGet = enc.encode('GET /mqtt HTTP/1.1\r\nHost: broker\r\n\r\n');
const upgrade = enc.encode('GET /mqtt HTTP/1.1\r\nHost: broker\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n');
/** A masked WebSocket binary frame (key 01 02 03 04) carrying the CONNECT 10 0c 0004 'MQTT' 04 02 003c 0000. */
const CONNECT = fromHex('100c00044d5154540402003c0000');
const wsFrame = Uint8Array.from([0x82, 0x80 | CONNECT.length, 1, 2, 3, 4, ...CONNECT.map((b, i) => b ^ (i % 4) + 1)]);
const proxyV1 = enc.encode('PROXY TCP4 192.0.2.1 198.51.100.1 56324 1883\r\n');
const proxyV2 = fromHex('0d0a0d0a000d0a515549540a 21 11 000c c0000201 c6336401 dc04 075b');

describe('sniff', () => {
  it('names each protocol from its first bytes', () => {
    expect(sniff(clientHello)?.protocol).toBe('tls');
    expect(sniff(clientHello)?.description).toMatch(/^a TLS ClientHello/);
    expect(sniff(fromHex('160303004a02'))?.description).toMatch(/^a TLS ServerHello/);
    expect(sniff(fromHex('170303001a'))?.description).toBe('a TLS record: the stream is encrypted');
    expect(sniff(httpGet)).toEqual({ protocol: 'http-request', description: "an HTTP GET request ('GET /mqtt HTTP/1.1')" });
    expect(sniff(upgrade)?.description).toMatch(/^an HTTP request to upgrade to WebSocket \('GET \/mqtt HTTP\/1\.1'\): MQTT over WebSocket/);
    expect(sniff(enc.encode('HTTP/1.1 400 Bad Request\r\n'))).toEqual({ protocol: 'http-response', description: "an HTTP response ('HTTP/1.1 400 Bad Request')" });
    expect(sniff(wsFrame)?.protocol).toBe('websocket');
    expect(sniff(fromHex('8204 20020000'))?.description).toBe("a WebSocket binary frame (carrying an MQTT CONNACK): read the frames' payloads, not the raw stream");
    expect(sniff(proxyV1)?.description).toBe("a PROXY protocol v1 header ('PROXY TCP4 192.0.2.1 198.51.100.1 56324 1883'): strip it before the MQTT stream");
    expect(sniff(proxyV2)?.protocol).toBe('proxy-v2');
  });

  it('says nothing of MQTT: the captured sessions and a SUBSCRIBE (0x82 like a WebSocket frame)', () => {
    for (const name of ['session-311.bin', 'session-50.bin']) {
      const bytes = readFileSync(join(__dirname, '..', 'fixtures', name));
      for (let i = 0; i < 64 && i < bytes.length; i++) expect(sniff(bytes.subarray(i))).toBeUndefined();
    }
    expect(sniff(fromHex('8209 0001 0004 77732f23 01'))).toBeUndefined();
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
      sniff(b);
    }));
    expect(sniff(undefined as unknown as Uint8Array)).toBeUndefined();
  });
});

describe('PacketDecoder: an error at the start of a stream names the protocol it looks like', () => {
  const firstError = (bytes: Uint8Array, chunk = bytes.length): MqttError =>
    thrown(() => {
      const d = new PacketDecoder();
      for (let i = 0; i < bytes.length; i += chunk) d.push(bytes.subarray(i, i + chunk));
      d.end();
    });

  it('TLS: CONNECT flags 0110 at byte 0, and the ClientHello named', () => {
    const e = firstError(clientHello, 7);
    expect([e.code, e.rule, e.offset]).toEqual(['malformed-packet', 'MQTT-2.2.2-1', 0]);
    expect(e.message).toContain("; the stream's first bytes look like a TLS ClientHello: the peer speaks MQTT over TLS (port 8883)");
  });

  it('HTTP: the stream ends inside what reads as a PUBACK header', () => {
    const e = firstError(httpGet);
    expect([e.rule, e.offset]).toEqual(['U311-2-1', 0]);
    expect(e.message).toContain("the stream's first bytes look like an HTTP GET request ('GET /mqtt HTTP/1.1')");
  });

  it('PROXY v1 and a WebSocket frame', () => {
    expect(firstError(proxyV1).message).toContain("look like a PROXY protocol v1 header ('PROXY TCP4");
    expect(firstError(wsFrame).message).toContain('look like a WebSocket binary frame (masked, carrying an MQTT CONNECT)');
  });

  it('an MQTT error later in the stream is not annotated', () => {
    const e = firstError(fromHex('100c00044d5154540402003c0000 c001'));
    expect(e.offset).toBe(14);
    expect(e.message).not.toContain('look like');
  });
});
