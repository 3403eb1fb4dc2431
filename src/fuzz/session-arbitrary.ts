// `sessionArbitrary`: connection scripts (session.ts) with fast-check drawing their choices, so a failing script
// shrinks to the fewest, simplest steps that still fail.

import * as fc from 'fast-check';
import type { ProtocolVersion } from '../types.js';
import { fastCheckChoices } from './fc-choices.js';
import { buildSession, type SessionOptions, type SessionRole, type SessionScript } from './session.js';

/**
 * Connection scripts of the side `role` (`'client'` scripts test a server, `'server'` scripts test a client) at
 * level `version`: valid for the role and level, or (`options.violations`) with one labelled state violation.
 */
export function sessionArbitrary(version: ProtocolVersion, role: SessionRole, options: SessionOptions = {}): fc.Arbitrary<SessionScript> {
  if (version !== 3 && version !== 4 && version !== 5) throw new RangeError(`protocol level must be 3, 4 or 5, got ${String(version)}`);
  if (role !== 'client' && role !== 'server') throw new RangeError(`role must be 'client' or 'server', got ${String(role)}`);
  const mode = options.violations ?? 'sometimes';
  if (mode !== 'never' && mode !== 'sometimes' && mode !== 'always') throw new RangeError(`violations must be 'never', 'sometimes' or 'always', got ${String(mode)}`);
  return fc.gen().map((g) => buildSession(fastCheckChoices(g), version, role, options));
}
