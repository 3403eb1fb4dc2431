// What every mqtt-wire command is (a record with one signature) and what it is given to run: its arguments and
// the process's streams. A new command is one module exporting a `Command` and one entry in main.ts.

/** The process's streams, as a command sees them (tests and other hosts can pass their own). */
export interface Io {
  /** Standard input, as the chunks arrive. `isTTY` is true when it is a terminal rather than a pipe or a file. */
  readonly stdin: AsyncIterable<Uint8Array> & { readonly isTTY?: boolean };
  /** Writes to standard output; resolves when more may be written (so output waits for a slow reader). */
  out(data: string | Uint8Array): Promise<void>;
  /** Writes one line to standard error. */
  err(line: string): void;
}

export interface Command {
  /** The word that selects it: `mqtt-wire <name> …`. */
  readonly name: string;
  /** One line for the overall help. */
  readonly summary: string;
  /** The whole text of `mqtt-wire <name> --help`, starting with its usage line. */
  readonly help: string;
  /**
   * Runs the command and returns the exit code (see EXIT). Bad arguments or input are thrown as `UsageError`, which
   * the entry prints as one line on stderr with exit code 2. `--help` never reaches `run`: the entry prints `help`.
   */
  run(args: string[], io: Io): Promise<number>;
}

/** The exit codes every command uses. */
export const EXIT = {
  ok: 0,
  /** The stream is malformed: the packets before the error were printed, then the error. */
  malformed: 1,
  /** Bad arguments or input (not a stream error): one line on stderr. */
  usage: 2,
} as const;

/** A failure that is the user's arguments or input, not the stream: one line on stderr, exit code 2. */
export class UsageError extends Error {}
