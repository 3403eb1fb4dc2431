// `mqtt-wire/cases`: the labelled malformed cases of the conformance tables, without fast-check, for command-line
// tools and harnesses that send them as they are (`mqtt-wire/arbitraries` re-exports them beside the arbitraries).

export {
  conformanceCases,
  type CaseOptions,
  type CaseTarget,
  type CaseVersion,
  type DecoderNeeds,
  type EncoderCase,
  type FrameCase,
  type MalformedCase,
} from './fuzz/cases.js';
