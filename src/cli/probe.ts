// `mqtt-wire probe HOST:PORT`: sends the labelled malformed cases (mqtt-wire/cases) to a broker, each on a fresh
// connection, and reports by rule how it reacted (probe-case.ts). Node only.

import { parseArgs } from 'node:util';
import { conformanceCases, type FrameCase } from '../fuzz/cases.js';
import { probeCase, unreachable, type CaseResult, type ProbeTarget, type Verdict } from './probe-case.js';

export const PROBE_HELP = `Usage: mqtt-wire probe HOST:PORT [options]

Sends the labelled malformed cases of the 3.1.1 or 5.0 conformance table to an MQTT
broker, each on a fresh connection (after a valid CONNECT where the case needs one),
and reports how the broker reacted, by rule:
  as-asked      the CONNACK / DISCONNECT reason code the spec gives, or the close
  closed        closed without the CONNACK / DISCONNECT the spec gives
  other-answer  another reason code or packet
  let-through   carried on as if the input were valid (a finding)
  optional      an optional (MAY) check the broker does not make
  n/a           needs a client, or a limit the broker did not announce
Point it only at brokers you run or may test.

Options:
  --protocol 4|5        protocol level of the cases (default 4)
  --rule ID             only cases breaking this rule (repeatable)
  --type PACKET         only cases about this packet type (repeatable)
  --case-timeout MS     time for one case, connection included (default 2000)
  --timeout MS          time for the whole probe (default 300000); cases left are 'not-run'
  --concurrency N       cases at once (default 4)
  --json                one JSON report instead of the table
  --markdown            the table and the notable cases as Markdown (no host, port or timing)
  -h, --help            show this help
Exit codes: 0 nothing let through, 1 findings, 2 bad arguments or no broker.
`;

/** Where the report goes (the CLI's streams, or a test's). */
type Io = { out: (data: string) => unknown; err: (line: string) => void };

const VERDICTS: Verdict[] = ['as-asked', 'closed', 'other-answer', 'let-through', 'optional', 'not-applicable', 'error', 'not-run'];

class ProbeUsage extends Error {}

function parseTarget(value: string | undefined): ProbeTarget {
  if (value === undefined) throw new ProbeUsage('missing HOST:PORT of the broker to probe');
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !(port >= 1 && port <= 65535)) throw new ProbeUsage(`expected HOST:PORT (port 1 to 65535), got '${value}'`);
  return { host: m[1] ?? m[2]!, port };
}

function positiveInt(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new ProbeUsage(`--${name} must be an integer from 1 to ${max}, got '${value}'`);
  return n;
}

interface ProbeReport {
  target: string;
  protocol: 4 | 5;
  durationMs: number;
  totals: Record<Verdict, number>;
  rules: { rule: string; cases: number; verdicts: Partial<Record<Verdict, number>> }[];
  cases: CaseResult[];
}

/**
 * Runs the cases with at most `concurrency` connections open, in list order, until `deadline`. CONNECT cases run one
 * at a time: they carry their own Client Identifier, and two connections with the same one take each other over.
 */
async function runAll(target: ProbeTarget, cases: FrameCase[], caseMs: number, concurrency: number, deadline: number): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  const lane = (indexes: number[], width: number): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < indexes.length) {
        const i = indexes[next++]!;
        const c = cases[i]!;
        if (Date.now() + 50 > deadline) {
          results[i] = { name: c.name, rule: c.rule, rows: c.rows, expected: '', verdict: 'not-run', observed: 'the total time ran out', ms: 0 };
          continue;
        }
        results[i] = await probeCase(target, c, { caseMs: Math.min(caseMs, deadline - Date.now()), clientId: `mqtt-wire-probe-${process.pid}-${i}` });
      }
    };
    return Promise.all(Array.from({ length: Math.min(width, indexes.length) }, worker)).then(() => undefined);
  };
  const connects = cases.flatMap((c, i) => (c.packetType === 'connect' ? [i] : []));
  const others = cases.flatMap((c, i) => (c.packetType === 'connect' ? [] : [i]));
  await Promise.all([lane(connects, 1), lane(others, Math.max(1, concurrency - 1))]);
  return results;
}

function summarize(target: ProbeTarget, protocol: 4 | 5, results: CaseResult[], durationMs: number): ProbeReport {
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  const byRule = new Map<string, { rule: string; cases: number; verdicts: Partial<Record<Verdict, number>> }>();
  for (const r of results) {
    totals[r.verdict]++;
    // the size limit is the receiver's own policy: the codec gives it no rule id
    const rule = r.rule ?? 'maximum packet size';
    let row = byRule.get(rule);
    if (row === undefined) byRule.set(rule, (row = { rule, cases: 0, verdicts: {} }));
    row.cases++;
    row.verdicts[r.verdict] = (row.verdicts[r.verdict] ?? 0) + 1;
  }
  const rules = [...byRule.values()].sort((a, b) => a.rule.localeCompare(b.rule, 'en', { numeric: true }));
  return { target: `${target.host}:${target.port}`, protocol, durationMs, totals, rules, cases: results };
}

function table(report: ProbeReport): string {
  const short: Record<Verdict, string> = {
    'as-asked': 'as-asked',
    closed: 'closed',
    'other-answer': 'other',
    'let-through': 'let-thru',
    optional: 'optional',
    'not-applicable': 'n/a',
    error: 'error',
    'not-run': 'not-run',
  };
  const shown = VERDICTS.filter((v) => report.totals[v] > 0 || v === 'as-asked' || v === 'let-through');
  const width = Math.max(4, ...report.rules.map((r) => r.rule.length));
  const head = `${'rule'.padEnd(width)}  cases  ${shown.map((v) => short[v].padStart(8)).join(' ')}`;
  const lines = [
    `probe ${report.target}, MQTT ${report.protocol === 5 ? '5.0' : '3.1.1'}: ${report.cases.length} cases in ${(report.durationMs / 1000).toFixed(1)} s`,
    '',
    head,
    ...report.rules.map((r) => `${r.rule.padEnd(width)}  ${String(r.cases).padStart(5)}  ${shown.map((v) => String(r.verdicts[v] ?? '').padStart(8)).join(' ')}`),
    `${'total'.padEnd(width)}  ${String(report.cases.length).padStart(5)}  ${shown.map((v) => String(report.totals[v]).padStart(8)).join(' ')}`,
  ];
  const notable = report.cases.filter((c) => c.verdict === 'let-through' || c.verdict === 'other-answer' || c.verdict === 'error');
  if (notable.length > 0) {
    lines.push('', 'cases let through, answered otherwise, or not run:');
    for (const c of notable) lines.push(`  ${c.verdict.padEnd(12)} ${c.name} (${c.rule ?? 'no rule'}): expected ${c.expected}, got ${c.observed}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The report as Markdown: one row per rule, then the cases let through or answered otherwise. */
function markdown(report: ProbeReport): string {
  const columns: [Verdict, string][] = [
    ['as-asked', 'as asked'],
    ['closed', 'closed'],
    ['other-answer', 'other answer'],
    ['let-through', 'let through'],
    ['optional', 'optional, not checked'],
    ['not-applicable', 'n/a'],
  ];
  const extra = (['error', 'not-run'] as Verdict[]).filter((v) => report.totals[v] > 0);
  const all: [Verdict, string][] = [...columns, ...extra.map((v): [Verdict, string] => [v, v])];
  const lines = [
    `| rule | cases | ${all.map(([, h]) => h).join(' | ')} |`,
    `| --- | ---: | ${all.map(() => '---:').join(' | ')} |`,
    ...report.rules.map((r) => `| ${r.rule} | ${r.cases} | ${all.map(([v]) => r.verdicts[v] ?? '').join(' | ')} |`),
    `| **total** | **${report.cases.length}** | ${all.map(([v]) => `**${report.totals[v]}**`).join(' | ')} |`,
  ];
  const notable = report.cases.filter((c) => c.verdict === 'let-through' || c.verdict === 'other-answer');
  if (notable.length > 0) {
    lines.push('', '| case | rule | verdict | expected | got |', '| --- | --- | --- | --- | --- |');
    for (const c of notable) lines.push(`| ${c.name.replace(/\|/g, '\\|')} | ${c.rule ?? '—'} | ${c.verdict} | ${c.expected} | ${c.observed} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** `mqtt-wire probe` with its arguments (after the command name); returns the exit code. */
export async function runProbe(args: string[], io: Io): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          help: { type: 'boolean', short: 'h' },
          protocol: { type: 'string' },
          rule: { type: 'string', multiple: true },
          type: { type: 'string', multiple: true },
          'case-timeout': { type: 'string' },
          timeout: { type: 'string' },
          concurrency: { type: 'string' },
          json: { type: 'boolean' },
          markdown: { type: 'boolean' },
        },
      });
    } catch (e) {
      throw new ProbeUsage((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
    }
    const { values, positionals } = parsed;
    if (values.help === true) {
      await io.out(PROBE_HELP);
      return 0;
    }
    if (positionals.length > 1) throw new ProbeUsage(`expected one HOST:PORT, got ${positionals.length}: ${positionals.join(' ')}`);
    const target = parseTarget(positionals[0]);
    if (values.json === true && values.markdown === true) throw new ProbeUsage('--json and --markdown exclude each other');
    const protocol = values.protocol ?? '4';
    if (protocol !== '4' && protocol !== '5') throw new ProbeUsage(`--protocol must be 4 (3.1.1) or 5 (5.0), got '${protocol}'`);
    const version = Number(protocol) as 4 | 5;
    const caseMs = positiveInt('case-timeout', values['case-timeout'], 2000, 600_000);
    const totalMs = positiveInt('timeout', values.timeout, 300_000, 86_400_000);
    const concurrency = positiveInt('concurrency', values.concurrency, 4, 256);
    const types = ['reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth'];
    for (const t of values.type ?? []) if (!types.includes(t)) throw new ProbeUsage(`--type must be one of ${types.join(', ')}; got '${t}'`);
    let cases: FrameCase[];
    try {
      cases = conformanceCases(version, {
        ...(values.rule !== undefined ? { rules: values.rule } : {}),
        ...(values.type !== undefined ? { packetTypes: values.type as FrameCase['packetType'][] } : {}),
      });
    } catch (e) {
      throw new ProbeUsage((e as Error).message);
    }
    const started = Date.now();
    // a broker that is not there is a bad argument, not hundreds of failed cases
    const missing = await unreachable(target, caseMs);
    if (missing !== undefined) {
      io.err(`mqtt-wire probe: ${missing}`);
      return 2;
    }
    const results = await runAll(target, cases, caseMs, concurrency, started + totalMs);
    const report = summarize(target, version, results, Date.now() - started);
    await io.out(values.json === true ? `${JSON.stringify(report, null, 2)}\n` : values.markdown === true ? markdown(report) : table(report));
    return report.totals['let-through'] > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof ProbeUsage) {
      io.err(`mqtt-wire probe: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
