// Generators for faults of the frame itself, whatever the packet: reserved packet types and flag bits, Remaining
// Lengths that are too long or padded, packets sent the wrong way, packets over the receiver's Maximum Packet Size.

import type { PacketType } from '../types.js';
import type { Choices } from './choices.js';
import { paddedVbi, raw, str, writeFields, writeFrame, type FrameModel } from './frame.js';
import { malformed, protocol, ruleIds, tooLarge, type Generator } from './generator.js';
import { withProperties } from './gen-fields.js';
import { publishModel, validModel, type CaseVersion } from './packets.js';
import { CLIENT_ONLY, FIXED_FLAGS, SERVER_ONLY, TYPE_ID, type PropertyContext } from './spec.js';

/** The packet types that exist at `v`. */
export function typesAt(v: CaseVersion): PacketType[] {
  return (Object.keys(TYPE_ID) as PacketType[]).filter((t) => t !== 'auth' || v === 5);
}

/** Where a packet type has its own numbered flags rule, its id and the rows it belongs to. */
function flagsRule(type: Exclude<PacketType, 'publish'>, v: CaseVersion): { rule: string; rows: string[] } {
  const ids = ruleIds(v);
  const own: Partial<Record<PacketType, string>> = {
    pubrel: 'MQTT-3.6.1-1',
    subscribe: 'MQTT-3.8.1-1',
    unsubscribe: 'MQTT-3.10.1-1',
    disconnect: 'MQTT-3.14.1-1',
    auth: 'MQTT-3.15.1-1',
  };
  // rows that describe the packet's exact form, flags included
  const form: Partial<Record<PacketType, string>> =
    v === 5
      ? { pingreq: 'U5-3.12-1', pingresp: 'U5-3.13-1' }
      : {
          puback: 'U311-3.4-1',
          pubrec: 'U311-3.4-1',
          pubcomp: 'U311-3.4-1',
          suback: 'U311-3.9-1',
          unsuback: 'U311-3.11-1',
          pingreq: 'U311-3.12-1',
          pingresp: 'U311-3.13-1',
        };
  const rows = [ids.flags];
  if (v === 4) rows.push('MQTT-2.2.2-2');
  if (form[type] !== undefined) rows.push(form[type]);
  return { rule: own[type] ?? ids.flags, rows };
}

export function frameGenerators(v: CaseVersion): Generator[] {
  const ids = ruleIds(v);
  const out: Generator[] = [];
  const types = typesAt(v);

  // Reserved packet types: 0 always, 15 before 5.0 (AUTH exists only in 5.0)
  for (const type of v === 5 ? [0] : [0, 15]) {
    out.push({
      side: 'decode',
      name: `packet type ${type} (reserved)`,
      packetType: 'reserved',
      expect: malformed(ids.reservedType),
      rows: [],
      build: (c) => ({ type, flags: c.int(0, 15), body: [raw('body', c.bytes(0, 8))] }),
    });
  }

  // Reserved flag bits of every packet type but PUBLISH
  for (const type of types) {
    if (type === 'publish') continue;
    const { rule, rows } = flagsRule(type, v);
    out.push({
      side: 'decode',
      name: `${type.toUpperCase()} with reserved fixed-header flags`,
      packetType: type,
      expect: malformed(rule),
      rows,
      build: (c) => {
        const m = validModel(c, type, v);
        m.flags = FIXED_FLAGS[type] ^ c.int(1, 15);
        return m;
      },
    });
  }

  // PUBLISH flags: DUP on a QoS 0 message, QoS 3
  out.push({
    side: 'decode',
    name: 'PUBLISH QoS 0 with DUP 1',
    packetType: 'publish',
    expect: malformed('MQTT-3.3.1-2'),
    rows: [],
    build: (c) => {
      const m = publishModel(c, v, { qos: 0 });
      m.flags |= 0x08;
      return m;
    },
  });
  out.push({
    side: 'decode',
    name: 'PUBLISH QoS 3',
    packetType: 'publish',
    expect: malformed('MQTT-3.3.1-4'),
    rows: [],
    build: (c) => {
      const m = publishModel(c, v, { qos: 1 });
      m.flags |= 0x06;
      return m;
    },
  });

  // Remaining Length: a continuation bit on the fourth byte; a padded (non-minimal) encoding
  for (const type of types) {
    out.push({
      side: 'decode',
      name: `${type.toUpperCase()} Remaining Length of five bytes`,
      packetType: type,
      expect: malformed(ids.vbiLong),
      rows: [v === 5 ? 'U5-STREAM-1' : 'U311-STREAM-1'],
      build: (c) => {
        const m = validModel(c, type, v);
        m.remainingLength = [c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0, 0xff)];
        m.body = [];
        return m;
      },
    });
    out.push({
      side: 'decode',
      name: `${type.toUpperCase()} Remaining Length not in its shortest form`,
      packetType: type,
      expect: malformed(ids.vbiPadded),
      rows: [],
      build: (c) => {
        const m = validModel(c, type, v);
        const length = writeFields(m.body).length;
        const minimal = paddedVbi(length, 1).length;
        m.remainingLength = paddedVbi(length, c.int(minimal + 1, 4));
        return m;
      },
    });
  }

  // Direction (section 2.2.1 / 2.1.2): what only a server sends, sent to a server, and the other way round
  const toServer = SERVER_ONLY;
  // before 5.0 only a client sends DISCONNECT
  const toClient: PacketType[] = v === 5 ? [...CLIENT_ONLY] : [...CLIENT_ONLY, 'disconnect'];
  for (const [role, list] of [
    ['server', toServer],
    ['client', toClient],
  ] as const) {
    for (const type of list) {
      out.push({
        side: 'decode',
        name: `${type.toUpperCase()} sent to a ${role}`,
        packetType: type,
        expect: protocol(ids.direction),
        rows: [],
        decoder: { role },
        build: (c) => validModel(c, type, v),
      });
    }
  }

  // Maximum Packet Size (5.0): a packet larger than the receiver announced
  if (v === 5) {
    out.push(oversized('server', 'publish', 'MQTT-3.2.2-15', (c) => publishModel(c, v, { payload: c.bytes(16, 64) })));
    out.push(oversized('client', 'publish', 'MQTT-3.1.2-24', (c) => publishModel(c, v, { payload: c.bytes(16, 64) })));
    // A sender must leave out Reason String and User Properties that would make these packets too large
    const limited: [PropertyContext & PacketType, string[]][] = [
      ['connack', ['MQTT-3.2.2-19', 'MQTT-3.2.2-20']],
      ['puback', ['MQTT-3.4.2-2', 'MQTT-3.4.2-3']],
      ['pubrec', ['MQTT-3.5.2-2', 'MQTT-3.5.2-3']],
      ['pubrel', ['MQTT-3.6.2-2', 'MQTT-3.6.2-3']],
      ['pubcomp', ['MQTT-3.7.2-2', 'MQTT-3.7.2-3']],
      ['suback', ['MQTT-3.9.2-1', 'MQTT-3.9.2-2']],
      ['unsuback', ['MQTT-3.11.2-1', 'MQTT-3.11.2-2']],
      ['disconnect', ['MQTT-3.14.2-3', 'MQTT-3.14.2-4']],
      ['auth', ['MQTT-3.15.2-2', 'MQTT-3.15.2-3']],
    ];
    for (const [type, rows] of limited) {
      // a server sends CONNACK and SUBACK/UNSUBACK; the rest flow either way
      const role = type === 'connack' || type === 'suback' || type === 'unsuback' ? 'client' : 'server';
      out.push({
        ...oversized(role, type, undefined, (c) => withDiagnostics(c, type)),
        name: `${type.toUpperCase()} with a Reason String and User Properties over the receiver's Maximum Packet Size`,
        rows,
      });
    }
  }
  return out;
}

/** A frame of `type` over a Maximum Packet Size the receiving `role` announced (one byte short of it at simplest). */
function oversized(role: 'server' | 'client', type: PacketType, row: string | undefined, model: (c: Choices) => FrameModel): Generator {
  return {
    side: 'decode',
    name: `${type.toUpperCase()} over the ${role}'s Maximum Packet Size`,
    packetType: type,
    expect: tooLarge(),
    rows: row === undefined ? [] : [row],
    decoder: { role, maxPacketSize: 2 },
    build: (c) => {
      const frame = writeFrame(model(c));
      return { frame, decoder: { role, maxPacketSize: frame.length - c.int(1, frame.length - 2) } };
    },
  };
}

/** A 5.0 packet of `type` carrying a Reason String and User Properties (the diagnostics a sender may drop). */
function withDiagnostics(c: Choices, type: PropertyContext): FrameModel {
  return withProperties(c, type, 5, [
    { id: 0x1f, value: [str('reasonString', c.text(8, 24))] },
    { id: 0x26, value: [str('name', c.text(4, 12)), str('value', c.text(4, 12))] },
  ]);
}
