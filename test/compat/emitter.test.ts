// The parser's event emitter beside Node's EventEmitter: the same calls give the same results.

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Emitter } from '../../src/compat/index.js';

/** Runs `script` on a fresh emitter of each kind; returns what each recorded. */
function both(script: (e: EventEmitter | Emitter, log: unknown[]) => void): [unknown[], unknown[]] {
  const ours: unknown[] = [];
  const node: unknown[] = [];
  script(new Emitter(), ours);
  script(new EventEmitter(), node);
  return [ours, node];
}

describe('Emitter', () => {
  it('on, once, off, prepend: call order, once-only, removal by the original listener', () => {
    const [ours, node] = both((e, log) => {
      const a = (x: unknown): number => log.push(['a', x]);
      const b = (x: unknown): number => log.push(['b', x]);
      e.on('x', a);
      e.once('x', b);
      e.prependListener('x', (x: unknown) => log.push(['first', x]));
      e.emit('x', 1);
      e.emit('x', 2);
      e.off('x', a);
      e.emit('x', 3);
      const c = (): number => log.push('c');
      e.once('y', c);
      e.removeListener('y', c);
      log.push(e.emit('y'), e.listenerCount('x'), e.listenerCount('y'));
    });
    expect(ours).toStrictEqual(node);
  });

  it('a listener removed or added during an emit: that emit still calls the listeners it started with', () => {
    const [ours, node] = both((e, log) => {
      const second = (): number => log.push('second');
      e.on('x', () => {
        log.push('first');
        e.off('x', second);
        e.on('x', () => log.push('added'));
      });
      e.on('x', second);
      e.emit('x');
      e.emit('x');
    });
    expect(ours).toStrictEqual(node);
  });

  it("'error' without a listener is thrown; with one it is handed over; this is the emitter", () => {
    const [ours, node] = both((e, log) => {
      try {
        e.emit('error', new Error('boom'));
      } catch (err) {
        log.push((err as Error).message);
      }
      e.on('error', function (this: unknown, err: Error) {
        log.push(this === e, err.message);
      });
      e.emit('error', new Error('handled'));
    });
    expect(ours).toStrictEqual(node);
  });

  it('listeners, rawListeners, eventNames, removeAllListeners, max listeners', () => {
    const [ours, node] = both((e, log) => {
      const f = (): void => undefined;
      e.on('a', f);
      e.once('b', f);
      log.push(e.listeners('b')[0] === f, e.rawListeners('b')[0] === f, e.eventNames());
      e.removeAllListeners('a');
      log.push(e.eventNames());
      e.removeAllListeners();
      log.push(e.eventNames(), e.setMaxListeners(3) === e, e.getMaxListeners());
    });
    expect(ours).toStrictEqual(node);
  });
});
