// The codec's tables against the spec's: PROPERTY_TABLE against v5-properties.tsv, the reason-code rows against
// v5-reason-codes.tsv (codes, names, packets, both levels), and the per-packet property types against the table
// (checked by tsc, which runs over the tests).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PROPERTY_TABLE, ReasonCode, allowedReasonCodes, reasonCodeName, type AllProperties } from '../src/index.js';
import type { PropertyContext, PropertyKeysIn } from '../src/properties.js';
import type { AckProperties, AuthProperties, ConnackProperties, ConnectProperties, DisconnectProperties, PublishProperties, SubscribeProperties, UnsubscribeProperties, WillProperties } from '../src/types.js';

function tsv(name: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(join(__dirname, '..', 'fixtures', 'spec', name), 'utf8').trimEnd().split('\n');
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i]!, v])));
}

const BIT: Record<string, number> = {
  will: 1 << 0,
  connect: 1 << 1,
  connack: 1 << 2,
  publish: 1 << 3,
  puback: 1 << 4,
  pubrec: 1 << 5,
  pubrel: 1 << 6,
  pubcomp: 1 << 7,
  subscribe: 1 << 8,
  suback: 1 << 9,
  unsubscribe: 1 << 10,
  unsuback: 1 << 11,
  disconnect: 1 << 14,
  auth: 1 << 15,
};

describe('PROPERTY_TABLE is v5-properties.tsv', () => {
  const spec = tsv('v5-properties.tsv');
  it('the same identifiers, names and blocks, in the same order', () => {
    expect(PROPERTY_TABLE.map((d) => [d.id, d.name])).toEqual(spec.map((r) => [Number(r['id_dec']), r['name']]));
    for (const r of spec) {
      const def = PROPERTY_TABLE.find((d) => d.id === Number(r['id_dec']))!;
      let blocks = 0;
      for (const p of r['packets']!.split(', ')) blocks |= BIT[p.startsWith('Will Properties') ? 'will' : p.toLowerCase()]!;
      expect([def.name, def.allowed]).toEqual([r['name'], blocks]);
      // User Property repeats everywhere it may appear; Subscription Identifier in PUBLISH only
      const repeats = r['repeat'] === 'once' ? 0 : def.id === 0x26 ? blocks : BIT['publish'];
      expect([def.name, def.repeats]).toEqual([r['name'], repeats]);
    }
  });
});

describe('the reason-code rows are v5-reason-codes.tsv', () => {
  const spec = tsv('v5-reason-codes.tsv');
  it('every packet carries exactly the codes the spec lists, with the spec’s names, at 5.0 and 3.1.1', () => {
    for (const version of [5, 4] as const) {
      const rows = spec.filter((r) => r['version'] === (version === 5 ? '5.0' : '3.1.1'));
      const packets = [...new Set(rows.map((r) => r['packet']!.toLowerCase()))];
      for (const packet of packets) {
        const mine = rows.filter((r) => r['packet']!.toLowerCase() === packet);
        expect([packet, allowedReasonCodes(packet, version)]).toEqual([packet, mine.map((r) => Number(r['code_dec'])).sort((a, b) => a - b)]);
        for (const r of mine) expect(reasonCodeName(Number(r['code_dec']), packet, version).toLowerCase()).toBe(r['name']!.toLowerCase());
      }
    }
  });

  it('ReasonCode has one constant per 5.0 name', () => {
    expect(ReasonCode.PacketTooLarge).toBe(0x95);
    expect(ReasonCode.NormalDisconnection).toBe(0x00);
    expect(Object.keys(ReasonCode)).toHaveLength(new Set(spec.filter((r) => r['version'] === '5.0').map((r) => `${r['code_hex']} ${r['name']!.toLowerCase()}`)).size);
  });
});

describe('the property types come from the table', () => {
  it('AllProperties holds exactly the keys of the table, list keys included', () => {
    expectTypeOf<PropertyKeysIn<PropertyContext>>().toEqualTypeOf<keyof AllProperties>();
    expect(new Set(PROPERTY_TABLE.flatMap((d) => [d.key, d.listKey]))).toEqual(
      new Set([...PROPERTY_TABLE.map((d) => d.key), 'subscriptionIdentifiers']),
    );
  });

  it('each packet’s properties are the ones the table allows there', () => {
    expectTypeOf<keyof ConnectProperties>().toEqualTypeOf<
      | 'sessionExpiryInterval'
      | 'receiveMaximum'
      | 'maximumPacketSize'
      | 'topicAliasMaximum'
      | 'requestResponseInformation'
      | 'requestProblemInformation'
      | 'authenticationMethod'
      | 'authenticationData'
      | 'userProperties'
    >();
    expectTypeOf<keyof WillProperties>().toEqualTypeOf<
      'willDelayInterval' | 'payloadFormatIndicator' | 'messageExpiryInterval' | 'contentType' | 'responseTopic' | 'correlationData' | 'userProperties'
    >();
    expectTypeOf<keyof PublishProperties>().toEqualTypeOf<
      | 'payloadFormatIndicator'
      | 'messageExpiryInterval'
      | 'topicAlias'
      | 'responseTopic'
      | 'correlationData'
      | 'userProperties'
      | 'subscriptionIdentifiers'
      | 'contentType'
    >();
    expectTypeOf<keyof ConnackProperties>().toEqualTypeOf<
      | 'sessionExpiryInterval'
      | 'receiveMaximum'
      | 'maximumQos'
      | 'retainAvailable'
      | 'maximumPacketSize'
      | 'assignedClientIdentifier'
      | 'topicAliasMaximum'
      | 'reasonString'
      | 'userProperties'
      | 'wildcardSubscriptionAvailable'
      | 'subscriptionIdentifiersAvailable'
      | 'sharedSubscriptionAvailable'
      | 'serverKeepAlive'
      | 'responseInformation'
      | 'serverReference'
      | 'authenticationMethod'
      | 'authenticationData'
    >();
    expectTypeOf<keyof AckProperties>().toEqualTypeOf<'reasonString' | 'userProperties'>();
    expectTypeOf<keyof SubscribeProperties>().toEqualTypeOf<'subscriptionIdentifier' | 'userProperties'>();
    expectTypeOf<keyof UnsubscribeProperties>().toEqualTypeOf<'userProperties'>();
    expectTypeOf<keyof DisconnectProperties>().toEqualTypeOf<'sessionExpiryInterval' | 'reasonString' | 'serverReference' | 'userProperties'>();
    expectTypeOf<keyof AuthProperties>().toEqualTypeOf<'authenticationMethod' | 'authenticationData' | 'reasonString' | 'userProperties'>();
    expectTypeOf<SubscribeProperties['subscriptionIdentifier']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<PublishProperties['subscriptionIdentifiers']>().toEqualTypeOf<number[] | undefined>();
  });
});

describe('the decoder\'s constant-key stores match the table', () => {
  it('each identifier stored with a constant key is the table\'s key for it, and 0x26 is userProperties', async () => {
    const { STORED_KEYS } = await import('../src/properties.js');
    for (const [id, key] of Object.entries(STORED_KEYS)) expect([id, key]).toEqual([id, PROPERTY_TABLE.find((d) => d.id === Number(id))!.key]);
    expect(PROPERTY_TABLE.find((d) => d.id === 0x26)!.key).toBe('userProperties');
  });
});

describe('the encoder\'s constant-key lookups match the table', () => {
  it('defOfKey gives the table\'s property for every key and list key, and nothing for any other', async () => {
    const { defOfKey } = await import('../src/properties.js');
    for (const d of PROPERTY_TABLE) {
      expect([d.key, defOfKey(d.key)?.id]).toEqual([d.key, d.id]);
      expect([d.listKey, defOfKey(d.listKey)?.id]).toEqual([d.listKey, d.id]);
    }
    for (const other of ['toString', '__proto__', 'constructor', 'user', 'userProperty', '']) expect(defOfKey(other)).toBeUndefined();
  });
});
