// `mqtt-wire`: inspect raw MQTT byte streams and write them from a readable form. Node only.
// This file is the registry: each command is a module exporting a `Command` (command.ts), listed once below.

import { version } from '../../package.json';
import { EXIT, UsageError, type Command, type Io } from './command.js';
import { decodeCommand } from './commands/decode.js';
import { encodeCommand } from './commands/encode.js';
import { DISSECT_HELP, runDissect } from './dissect-command.js';
import { PCAP_HELP, runPcap } from './pcap-command.js';
import { PROBE_HELP, runProbe } from './probe.js';

/** `dissect` and `pcap` as records (their modules export a run function and a help text). */
const dissectCommand: Command = {
  name: 'dissect',
  summary: 'show each frame field by field, with its bytes and every rule it breaks',
  help: DISSECT_HELP,
  run: (args, io) => runDissect(args, io),
};
const pcapCommand: Command = {
  name: 'pcap',
  summary: 'print the MQTT packets of a pcap/pcapng capture, per TCP connection',
  help: PCAP_HELP,
  run: (args, io) => runPcap(args, io),
};

const probeCommand: Command = {
  name: 'probe',
  summary: 'send labelled malformed cases to a broker and report how it answered',
  help: PROBE_HELP,
  run: (args, io) => runProbe(args, io),
};

/** Every command, in the order the help lists them. */
const COMMANDS: readonly Command[] = [decodeCommand, encodeCommand, dissectCommand, pcapCommand, probeCommand];

function overallHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  return `Usage: mqtt-wire <command> [options] [FILE|-]

Inspect and write raw MQTT 3.1 / 3.1.1 / 5.0 byte streams.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  -h, --help     show this help ('mqtt-wire <command> --help' for a command's options)
  --version      print the program version

Exit codes: 0 success, 1 malformed stream, 2 bad arguments or input.
`;
}

/** Whether the arguments ask for help (before a `--`, after which everything is an operand). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '-h' || a === '--help');
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const names = COMMANDS.map((c) => c.name).join(', ');
  if (name === undefined) {
    io.err(`mqtt-wire: missing command (${names}); see 'mqtt-wire --help'`);
    return EXIT.usage;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && command === undefined) {
      io.err(`mqtt-wire help: unknown command '${topic}' (${names})`);
      return EXIT.usage;
    }
    await io.out(command?.help ?? overallHelp());
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    await io.out(`${version}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    const what = name.startsWith('-') ? `unknown option '${name}'` : `unknown command '${name}'`;
    io.err(`mqtt-wire: ${what} (commands: ${names}); see 'mqtt-wire --help'`);
    return EXIT.usage;
  }
  if (asksForHelp(rest)) {
    await io.out(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`mqtt-wire ${command.name}: ${e.message}`);
      return EXIT.usage;
    }
    throw e;
  }
}

/** Writes to stdout, waiting for 'drain' when the pipe is full, so output never piles up in memory. */
function writeOut(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(data)) resolve();
    else {
      const onDrain = (): void => {
        process.stdout.off('error', onError);
        resolve();
      };
      const onError = (e: Error): void => {
        process.stdout.off('drain', onDrain);
        reject(e);
      };
      process.stdout.once('drain', onDrain);
      process.stdout.once('error', onError);
    }
  });
}

// `decode ... | head` closes the pipe early: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  out: writeOut,
  err: (line) => {
    process.stderr.write(`${line}\n`);
  },
});
