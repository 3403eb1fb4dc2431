// WHATWG TransformStreams over PacketDecoder and encode: the same code in Node (>= 20), browsers, Deno and workers.

import { encode } from '../codec.js';
import { invalidPacket } from '../errors.js';
import { OptionKeys } from '../options.js';
import { describe } from '../properties.js';
import type { EncodeOptions, Packet, PacketInput } from '../types.js';
import { PacketDecoder, type PacketDecoderOptions } from './decoder.js';

/**
 * Bytes in, packets out. Every packet before an error is enqueued first; then the error (MqttError) errors the
 * stream. A partial frame at the end is an error too.
 */
export class PacketDecoderStream extends TransformStream<Uint8Array, Packet> {
  constructor(options: PacketDecoderOptions = {}) {
    const decoder = new PacketDecoder(options);
    super({
      transform(chunk, controller) {
        return afterDelivery(controller, () => decoder.push(chunk, (packet) => controller.enqueue(packet)));
      },
      flush(controller) {
        return afterDelivery(controller, () => decoder.end((packet) => controller.enqueue(packet)));
      },
    });
  }
}

/**
 * Runs `step`; when it throws, the stream is errored only once the reader has taken every packet enqueued before
 * the error: erroring a stream discards the chunks still queued in it (WHATWG Streams, ResetQueue), which would
 * lose them. The wait polls the queue on timer ticks, in the error path only.
 */
function afterDelivery(controller: TransformStreamDefaultController<Packet>, step: () => unknown): Promise<void> | undefined {
  try {
    step();
    return undefined;
  } catch (error) {
    return new Promise<void>((_resolve, reject) => {
      const check = (): void => {
        const size = controller.desiredSize;
        // null: the readable side is gone (cancelled or errored); >= 0: its queue is empty
        if (size === null || size >= 0) reject(error);
        else setTimeout(check, 1);
      };
      check();
    });
  }
}

const ENCODER_STREAM_OPTIONS = /* @__PURE__ */ new OptionKeys('PacketEncoderStream', ['version', 'maximumPacketSize']);

/** Packets in, one frame each out. An invalid packet (MqttError `invalid-packet`) errors the stream. */
export class PacketEncoderStream extends TransformStream<PacketInput, Uint8Array> {
  constructor(options: EncodeOptions = {}) {
    ENCODER_STREAM_OPTIONS.check(options);
    const { version: given, maximumPacketSize } = options;
    let version = given;
    super({
      transform(packet, controller) {
        if (typeof packet !== 'object' || packet === null) throw invalidPacket(undefined, `PacketEncoderStream: packet must be an object, got ${describe(packet)}`);
        // Like the decoder, follow the CONNECT's level when no version was given.
        const type = packet.type;
        if (given === undefined && type === 'connect') version = (packet as { protocolVersion: EncodeOptions['version'] }).protocolVersion;
        const o: EncodeOptions = {};
        if (version !== undefined) o.version = version;
        if (maximumPacketSize !== undefined) o.maximumPacketSize = maximumPacketSize;
        controller.enqueue(encode(packet, o));
      },
    });
  }
}
