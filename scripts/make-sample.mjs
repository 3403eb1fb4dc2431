// Writes fixtures/session-311.bin and fixtures/session-50.bin: one MQTT session each (a sensor client and its
// broker), every packet in the order it crosses the wire, both directions in one byte stream.
// Run after `npm run build`: node scripts/make-sample.mjs. See fixtures/session-311.md for what the streams hold.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const utf8 = (s) => new TextEncoder().encode(s);
const publish = (fields) => ({ type: 'publish', retain: false, dup: false, ...fields });

/** MQTT 3.1.1 (level 4). Comments: C = client to broker, S = broker to client. */
const session311 = [
  // C: log in with a Will that marks the sensor offline if the connection drops
  {
    type: 'connect', protocolVersion: 4, clientId: 'sensor-17', clean: true, keepAlive: 60, username: 'alice', password: utf8('s3cret'),
    will: { topic: 'devices/sensor-17/status', payload: utf8('offline'), qos: 1, retain: true },
  },
  { type: 'connack', sessionPresent: false, reasonCode: 0 }, // S
  // C: three filters at three QoS levels
  {
    type: 'subscribe', packetId: 1,
    subscriptions: [
      { topicFilter: 'commands/sensor-17/#', qos: 1 },
      { topicFilter: 'config/+/sensor-17', qos: 2 },
      { topicFilter: 'broadcast', qos: 0 },
    ],
  },
  { type: 'suback', packetId: 1, reasonCodes: [1, 2, 0] }, // S
  publish({ topic: 'sensors/17/temperature', payload: utf8('21.5'), qos: 0 }), // C: QoS 0, no acknowledgement
  publish({ topic: 'sensors/17/humidity', payload: utf8('48'), qos: 1, packetId: 2, retain: true }), // C: QoS 1
  { type: 'puback', packetId: 2 }, // S
  publish({ topic: 'sensors/17/alarm', payload: utf8('{"level":"high","value":93.4}'), qos: 2, packetId: 3 }), // C: QoS 2
  { type: 'pubrec', packetId: 3 }, // S
  { type: 'pubrel', packetId: 3 }, // C
  { type: 'pubcomp', packetId: 3 }, // S
  publish({ topic: 'broadcast', payload: utf8('maintenance window 02:00-02:30 UTC'), qos: 0 }), // S: QoS 0
  publish({ topic: 'commands/sensor-17/reboot', payload: new Uint8Array([0x00, 0x01, 0xfe, 0xff]), qos: 1, packetId: 1 }), // S: QoS 1, binary
  { type: 'puback', packetId: 1 }, // C
  publish({ topic: 'config/site-a/sensor-17', payload: utf8('{"interval":30}'), qos: 2, packetId: 2 }), // S: QoS 2
  { type: 'pubrec', packetId: 2 }, // C
  { type: 'pubrel', packetId: 2 }, // S
  { type: 'pubcomp', packetId: 2 }, // C
  { type: 'pingreq' }, // C
  { type: 'pingresp' }, // S
  { type: 'unsubscribe', packetId: 4, topicFilters: ['broadcast', 'config/+/sensor-17'] }, // C
  { type: 'unsuback', packetId: 4 }, // S
  { type: 'disconnect' }, // C
];

/** MQTT 5.0 (level 5), the same conversation with properties and reason codes. */
const session50 = [
  {
    type: 'connect', protocolVersion: 5, clientId: 'sensor-17', clean: true, keepAlive: 60, username: 'alice', password: utf8('s3cret'),
    properties: { sessionExpiryInterval: 3600, receiveMaximum: 20, topicAliasMaximum: 10, userProperties: [['site', 'a'], ['rack', '4']] },
    will: { topic: 'devices/sensor-17/status', payload: utf8('offline'), qos: 1, retain: true, properties: { willDelayInterval: 30, contentType: 'text/plain' } },
  },
  {
    type: 'connack', sessionPresent: false, reasonCode: 0,
    properties: { sessionExpiryInterval: 3600, receiveMaximum: 100, retainAvailable: 1, wildcardSubscriptionAvailable: 1, topicAliasMaximum: 5, serverKeepAlive: 45 },
  },
  {
    type: 'subscribe', packetId: 1, properties: { subscriptionIdentifier: 7 },
    subscriptions: [
      { topicFilter: 'commands/sensor-17/#', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 0 },
      { topicFilter: 'config/+/sensor-17', qos: 2, noLocal: false, retainAsPublished: true, retainHandling: 1 },
      { topicFilter: 'admin/#', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 2 },
    ],
  },
  { type: 'suback', packetId: 1, reasonCodes: [0x01, 0x02, 0x87], properties: { reasonString: 'admin topics need a role' } },
  publish({ topic: 'sensors/17/temperature', payload: utf8('21.5'), qos: 0, properties: { payloadFormatIndicator: 1, topicAlias: 1 } }),
  publish({ topic: '', payload: utf8('21.7'), qos: 0, properties: { payloadFormatIndicator: 1, topicAlias: 1 } }), // alias reuse
  publish({
    topic: 'sensors/17/humidity', payload: utf8('48'), qos: 1, packetId: 2,
    properties: { messageExpiryInterval: 300, contentType: 'text/plain', userProperties: [['unit', '%']] },
  }),
  { type: 'puback', packetId: 2, reasonCode: 0x10, properties: { reasonString: 'no subscribers' } },
  publish({
    topic: 'sensors/17/alarm', payload: utf8('{"level":"high","value":93.4}'), qos: 2, packetId: 3,
    properties: { responseTopic: 'alarms/ack/sensor-17', correlationData: new Uint8Array([0xca, 0xfe, 0x00, 0x01]), contentType: 'application/json' },
  }),
  { type: 'pubrec', packetId: 3, reasonCode: 0 },
  { type: 'pubrel', packetId: 3, reasonCode: 0 },
  { type: 'pubcomp', packetId: 3, reasonCode: 0 },
  publish({ topic: 'commands/sensor-17/reboot', payload: new Uint8Array([0x00, 0x01, 0xfe, 0xff]), qos: 1, packetId: 1, properties: { subscriptionIdentifiers: [7] } }),
  { type: 'puback', packetId: 1, reasonCode: 0 },
  publish({ topic: 'config/site-a/sensor-17', payload: utf8('{"interval":30}'), qos: 2, packetId: 2, retain: true, properties: { subscriptionIdentifiers: [7] } }),
  { type: 'pubrec', packetId: 2, reasonCode: 0 },
  { type: 'pubrel', packetId: 2, reasonCode: 0 },
  { type: 'pubcomp', packetId: 2, reasonCode: 0 },
  { type: 'pingreq' },
  { type: 'pingresp' },
  { type: 'unsubscribe', packetId: 4, topicFilters: ['config/+/sensor-17', 'broadcast'] },
  { type: 'unsuback', packetId: 4, reasonCodes: [0x00, 0x11] },
  { type: 'disconnect', reasonCode: 0x04, properties: { sessionExpiryInterval: 0 } },
];

function stream(packets, version) {
  const frames = packets.map((p) => encode(p, { version }));
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of frames) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}

for (const [name, packets, version] of [['session-311.bin', session311, 4], ['session-50.bin', session50, 5]]) {
  const bytes = stream(packets, version);
  writeFileSync(join(root, 'fixtures', name), bytes);
  console.log(`fixtures/${name}: ${packets.length} packets, ${bytes.length} bytes`);
}
