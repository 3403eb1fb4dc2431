// The coverage rule of dissect's field trees, checked: top-level fields tile the input; a group's children tile
// the group or are bit fields that cover each bit of its one byte once.
import type { DissectField } from '../../src/index.js';

/** Throws, naming the field, unless `fields` tile [from, to) exactly. */
export function assertTiles(fields: readonly DissectField[], from: number, to: number, path = ''): void {
  let pos = from;
  for (const f of fields) {
    const here = `${path}/${f.name}@${f.offset}+${f.length}`;
    if (f.offset !== pos) throw new Error(`${here}: starts at ${f.offset}, expected ${pos}`);
    if (f.length <= 0) throw new Error(`${here}: empty field`);
    if (f.mask !== undefined) throw new Error(`${here}: bit field among byte fields`);
    const children = f.children;
    if (children !== undefined) {
      if (children.length === 0) throw new Error(`${here}: group without children`);
      if (children.every((c) => c.mask !== undefined)) {
        if (f.length !== 1) throw new Error(`${here}: bit fields on a field of ${f.length} bytes`);
        let bits = 0;
        for (const c of children) {
          if (c.offset !== f.offset || c.length !== 1) throw new Error(`${here}/${c.name}: bit field off its byte`);
          if ((bits & c.mask!) !== 0) throw new Error(`${here}/${c.name}: bits overlap`);
          bits |= c.mask!;
        }
        if (bits !== 0xff) throw new Error(`${here}: bit fields cover 0x${bits.toString(16)}, not all eight bits`);
      } else {
        assertTiles(children, f.offset, f.offset + f.length, here);
      }
    }
    pos += f.length;
  }
  if (pos !== to) throw new Error(`${path}: fields end at ${pos}, expected ${to}`);
}
