// A small event emitter with the methods of Node's EventEmitter that mqtt-packet's users call on a parser, without
// importing Node's `events`: the compat layer runs wherever the codec runs.

type Listener = (...args: any[]) => void;
/** A `once` wrapper remembers the listener it wraps, so `off(event, listener)` finds it. */
type Wrapped = Listener & { listener?: Listener };

export class Emitter {
  /**
   * Listeners by event name. Each array is replaced, never changed in place, when a listener is added or removed:
   * `emit` walks the array it found without copying it, and a listener removed during an emit is still called by
   * that emit, as with Node's EventEmitter.
   */
  #listeners: Record<string | symbol, Wrapped[]> = Object.create(null) as Record<string | symbol, Wrapped[]>;
  #maxListeners = 10;

  on(event: string | symbol, listener: Listener): this {
    return this.#add(event, listener, false);
  }

  addListener(event: string | symbol, listener: Listener): this {
    return this.#add(event, listener, false);
  }

  prependListener(event: string | symbol, listener: Listener): this {
    return this.#add(event, listener, true);
  }

  once(event: string | symbol, listener: Listener): this {
    return this.#add(event, this.#onceWrapper(event, listener), false);
  }

  prependOnceListener(event: string | symbol, listener: Listener): this {
    return this.#add(event, this.#onceWrapper(event, listener), true);
  }

  off(event: string | symbol, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  /** Removes the most recently added instance of `listener` (or of a `once` wrapper around it). */
  removeListener(event: string | symbol, listener: Listener): this {
    const list = this.#listeners[event];
    if (list === undefined) return this;
    for (let i = list.length - 1; i >= 0; i--) {
      const l = list[i]!;
      if (l === listener || l.listener === listener) {
        if (list.length === 1) delete this.#listeners[event];
        else this.#listeners[event] = list.slice(0, i).concat(list.slice(i + 1));
        break;
      }
    }
    return this;
  }

  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this.#listeners = Object.create(null) as Record<string | symbol, Wrapped[]>;
    else delete this.#listeners[event];
    return this;
  }

  /**
   * Calls every listener of `event` with `this` the emitter; returns whether there was one. An `'error'` with no
   * listener is thrown, as Node's EventEmitter does, so that a failure nobody listens for is not lost.
   */
  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.#listeners[event];
    if (list === undefined) {
      if (event === 'error') {
        const err = args[0];
        throw err instanceof Error ? err : new Error(`Unhandled error. (${String(err)})`);
      }
      return false;
    }
    if (list.length === 1) {
      // the common case (one 'packet' listener) without the loop
      list[0]!.apply(this, args);
      return true;
    }
    for (let i = 0; i < list.length; i++) list[i]!.apply(this, args);
    return true;
  }

  listenerCount(event: string | symbol): number {
    return this.#listeners[event]?.length ?? 0;
  }

  /** The listeners of `event`, with `once` wrappers unwrapped. */
  listeners(event: string | symbol): Listener[] {
    return (this.#listeners[event] ?? []).map((l) => l.listener ?? l);
  }

  rawListeners(event: string | symbol): Listener[] {
    return (this.#listeners[event] ?? []).slice();
  }

  eventNames(): (string | symbol)[] {
    return Reflect.ownKeys(this.#listeners);
  }

  /** Kept for callers that set it; this emitter never warns about the number of listeners. */
  setMaxListeners(n: number): this {
    this.#maxListeners = n;
    return this;
  }

  getMaxListeners(): number {
    return this.#maxListeners;
  }

  #add(event: string | symbol, listener: Wrapped, prepend: boolean): this {
    if (typeof listener !== 'function') {
      throw new TypeError(`The "listener" argument must be of type function. Received ${listener === null ? 'null' : typeof listener}`);
    }
    const list = this.#listeners[event];
    if (list === undefined) this.#listeners[event] = [listener];
    else this.#listeners[event] = prepend ? [listener, ...list] : [...list, listener];
    return this;
  }

  #onceWrapper(event: string | symbol, listener: Listener): Wrapped {
    if (typeof listener !== 'function') return listener;
    let fired = false;
    const wrapper: Wrapped = (...args: unknown[]): void => {
      if (fired) return;
      fired = true;
      this.removeListener(event, wrapper);
      listener.apply(this, args);
    };
    wrapper.listener = listener;
    return wrapper;
  }
}
