// `mqtt-wire decode`: one line per packet of a raw MQTT byte stream, printed as the stream is read.

import { MAX_PACKET_SIZE_LIMIT, packetToJson } from '../../index.js';
import { EXIT, type Command } from '../command.js';
import { hexBytes, openInput } from '../input.js';
import { maxPacketSizeOption, oneFile, parseOptions, protocolOption } from '../options.js';
import { StreamDecoder, errorLine } from '../stream-decoder.js';
import { summaryLine, type FrameInfo } from '../summary.js';

const OPTIONS = {
  json: { type: 'boolean' },
  hex: { type: 'boolean' },
  protocol: { type: 'string' },
  'max-packet-size': { type: 'string' },
} as const;

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'print one line per packet of a byte stream',
  help: `Usage: mqtt-wire decode [options] [FILE|-]

Reads a raw MQTT byte stream (FILE, or stdin when FILE is absent or '-') and prints one
line per packet as it is read: stream offset, type, flags, header+body sizes and the
packet's fields. A malformed stream prints every packet before the error, then the error
on stderr (byte offset, code, reason code, rule), stops reading and exits with 1.

Options:
  --json                   one JSON line per packet instead (read back by 'encode')
  --hex                    input is hex text (whitespace ignored) instead of binary
  --protocol 3|4|5         protocol level: 3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0
                           (default: the level of the CONNECT the stream starts
                           with; a stream that starts otherwise, as what a server
                           sends does, is read at 5.0 when its first packet decodes
                           only at 5.0, else at 3.1.1, with a note on stderr)
  --max-packet-size N      largest packet accepted, header included
                           (default ${MAX_PACKET_SIZE_LIMIT}, the protocol's own limit)
  -h, --help               show this help
`,
  async run(args, io) {
    const { values, positionals } = parseOptions(args, OPTIONS);
    const version = protocolOption(values.protocol);
    const maxPacketSize = maxPacketSizeOption(values['max-packet-size']);
    const raw = openInput(oneFile(positionals), io);
    const input = values.hex === true ? hexBytes(raw) : raw;
    const json = values.json === true;
    const decoder = new StreamDecoder({ maxPacketSize, ...(version !== undefined ? { version } : {}) });
    // the lines of one input chunk go out in one write, before the next chunk is read
    let lines = '';
    const onFrame = (info: FrameInfo): void => {
      lines += `${json ? JSON.stringify(packetToJson(info.packet)) : summaryLine(info)}\n`;
    };
    const flush = async (): Promise<void> => {
      if (lines === '') return;
      const text = lines;
      lines = '';
      await io.out(text);
    };
    let error;
    try {
      for await (const chunk of input) {
        error = decoder.push(chunk, onFrame);
        await flush();
        // the first error ends the stream: stop reading (the input may never end)
        if (error !== undefined) break;
      }
    } finally {
      // a read error after some packets: print them before the error line
      await flush();
    }
    error ??= decoder.end();
    if (error === undefined) {
      const note = decoder.takeNote();
      if (note !== undefined) io.err(`note: ${note}`);
      return EXIT.ok;
    }
    io.err(errorLine(error));
    const note = decoder.takeNote();
    if (note !== undefined) io.err(`note: ${note}`);
    return EXIT.malformed;
  },
};
