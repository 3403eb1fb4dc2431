// `mqtt-wire encode`: the frames of JSON packet lines (as `decode --json` prints them), written as each line is read.

import { toHex } from '../../index.js';
import { EXIT, type Command } from '../command.js';
import { openInput } from '../input.js';
import { oneFile, parseOptions, protocolOption } from '../options.js';
import { LineEncoder } from '../packet-lines.js';
import { concat } from '../bytes.js';

const OPTIONS = {
  hex: { type: 'boolean' },
  protocol: { type: 'string' },
} as const;

export const encodeCommand: Command = {
  name: 'encode',
  summary: "write the bytes of JSON packet lines (as printed by 'decode --json')",
  help: `Usage: mqtt-wire encode [options] [FILE|-]

Reads JSON packet lines (FILE, or stdin when FILE is absent or '-'), one packet per line
as printed by 'decode --json', and writes each packet's frame to stdout as its line is
read: 'decode --json | encode' gives back the stream. Binary fields (payload, password,
correlationData, authenticationData) are written {"utf8": "text"} or {"hex": "0a1b"}.
A bad line stops the run after the frames of the lines before it, with one line on
stderr naming the line, and exit code 2.

Options:
  --hex                    write hex text, one frame per line, instead of binary
  --protocol 3|4|5         protocol level: 3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0
                           (default: 4 until a CONNECT, then its level)
  -h, --help               show this help
`,
  async run(args, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    const encoder = new LineEncoder(protocolOption(values.protocol));
    const input = openInput(oneFile(positionals), io);
    const hex = values.hex === true;
    // the frames of one input chunk go out in one write, before the next chunk is read
    let frames: Uint8Array[] = [];
    const onFrame = (frame: Uint8Array): void => {
      frames.push(frame);
    };
    const flush = async (): Promise<void> => {
      if (frames.length === 0) return;
      const out = hex ? frames.map((f) => `${toHex(f)}\n`).join('') : concat(frames);
      frames = [];
      await io.out(out);
    };
    try {
      for await (const chunk of input) {
        encoder.push(chunk, onFrame);
        await flush();
      }
      encoder.end(onFrame);
    } finally {
      // a bad line after good ones: their frames are written before the error line
      await flush();
    }
    return EXIT.ok;
  },
};
