// WHATWG TransformStreams over PacketDecoder and encode: the same code in Node (>= 18), browsers, Deno and workers.

import { encode } from '../codec.js';
import type { EncodeOptions, Packet } from '../types.js';
import { PacketDecoder, type PacketDecoderOptions } from './decoder.js';

/** Bytes in, packets out. Errors (MqttError) error the stream; a partial frame at the end is an error too. */
export class PacketDecoderStream extends TransformStream<Uint8Array, Packet> {
  constructor(options: PacketDecoderOptions = {}) {
    const decoder = new PacketDecoder(options);
    super({
      transform(chunk, controller) {
        for (const packet of decoder.push(chunk)) controller.enqueue(packet);
      },
      flush() {
        decoder.end();
      },
    });
  }
}

/** Packets in, one frame each out. An invalid packet (MqttError `invalid-packet`) errors the stream. */
export class PacketEncoderStream extends TransformStream<Packet, Uint8Array> {
  constructor(options: EncodeOptions = {}) {
    let version = options.version;
    super({
      transform(packet, controller) {
        // Like the decoder, follow the CONNECT's level when no version was given.
        if (options.version === undefined && packet.type === 'connect') version = packet.protocolVersion;
        controller.enqueue(encode(packet, version === undefined ? options : { ...options, version }));
      },
    });
  }
}
