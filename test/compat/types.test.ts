// Code typed against mqtt-packet type-checks against the compat layer: MQTT.js's own declarations (which import
// IPublishPacket, IConnackPacket, Packet, … from 'mqtt-packet') and a program using both, compiled by tsc with
// 'mqtt-packet' resolved to src/compat and the declarations of node_modules checked too (skipLibCheck off).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const dir = mkdtempSync(join(tmpdir(), 'mqtt-wire-compat-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = `
import mqtt, { type IClientPublishOptions } from 'mqtt';
import type { IConnackPacket, IPublishPacket, Packet } from 'mqtt-packet';
import { generate, parser, writeToStream } from 'mqtt-packet';

const client = mqtt.connect('mqtt://127.0.0.1', { protocolVersion: 5 });
client.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => {
  const text: string = packet.payload.toString();
  console.log(topic, payload.toString('hex'), text, packet.properties?.userProperties?.['a']);
});
client.on('connect', (ack: IConnackPacket) => console.log(ack.sessionPresent, ack.properties?.maximumQoS));
const options: IClientPublishOptions = { qos: 1, properties: { userProperties: { a: 'b' } } };
client.publish('t', 'x', options);
const p = parser({ protocolVersion: 5 });
p.on('packet', (packet: Packet) => console.log(packet.cmd));
const frame: Buffer = generate({ cmd: 'pingreq' });
writeToStream.cacheNumbers = false;
export {};
`;

/** Compiles the program and a copy with one type error added, in one tsc run; returns its exit status and output. */
function check(): { status: number | null; output: string } {
  const good = join(dir, 'program.ts');
  const bad = join(dir, 'wrong.ts');
  writeFileSync(good, PROGRAM);
  // the same program with one mistake, so that the run shows the check is not vacuous
  writeFileSync(bad, `${PROGRAM}\nconst wrong: number = frame;\nexport {};\n`);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        // MQTT.js's dependencies name Worker and MessagePort: DOM, as in a browser or a Node project's defaults
        lib: ['ES2022', 'DOM'],
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        baseUrl: ROOT,
        paths: { 'mqtt-packet': ['src/compat/index.ts'], mqtt: ['node_modules/mqtt'] },
      },
      files: [good, bad],
    }),
  );
  const out = spawnSync(process.execPath, [TSC, '-p', dir], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  return { status: out.status, output: out.stdout + out.stderr };
}

describe('mqtt-packet types', () => {
  it("MQTT.js's declarations and a program using both type-check against the compat layer; a mistake is found", () => {
    const { status, output } = check();
    // one error, the one put in wrong.ts: nothing in program.ts, MQTT.js's declarations or the compat layer
    expect(status).toBe(2);
    expect(output.trim().split('\n')).toStrictEqual([
      expect.stringMatching(/wrong\.ts\(\d+,7\): error TS2322: Type 'Buffer<\w+>' is not assignable to type 'number'\.$/),
    ]);
  }, 240_000);
});
