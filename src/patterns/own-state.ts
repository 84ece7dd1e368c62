/**
 * ownState: Go's shared-variable watchdog. One task owns a value and is
 * the only code that touches it; everyone else reads and writes through
 * channels, so no update is ever lost to an interleaving.
 *
 * The owner task loops on one select:
 *
 *     select ─┬─ receive an update on `writer` ─▶ apply it, reply with the new state
 *             └─ send the state on `reader`    ─▶ (a read was served)
 *
 * Invariants:
 * 1. The state changes only inside the owner task, one update at a time, in
 *    the order the owner received the updates.
 * 2. A read returns the state between two updates, never one in progress.
 * 3. Once stopped (close, abort, or `reader` cancelled), both channels are
 *    closed: waiting and later reads and writes reject with
 *    `ChannelClosedError`. An update the owner already took still completes
 *    and its write settles with its outcome.
 */
import { chan, describeValue, type ReceiveChannel, type WaitOptions } from '../core/channel.js';
import { ChannelClosedError } from '../core/errors.js';
import { onReceive, onSend } from '../core/cases.js';
import { select } from '../core/select.js';

/**
 * An update: returns (or resolves to) the next state from the current one.
 * Called by the owner task with the owner's signal, aborted when it stops.
 */
export type StateUpdate<S> = (state: S, signal: AbortSignal) => S | PromiseLike<S>;

/** Options of {@link ownState}. */
export interface OwnStateOptions {
  /** Aborting stops the owner, as `close()` does. */
  signal?: AbortSignal | undefined;
}

/** The handle of a state owned by one task; see {@link ownState}. */
export interface StateOwner<S> {
  /**
   * Receives the current state from the owner.
   *
   * @throws rejects with `ChannelClosedError` once the owner has stopped;
   * with `signal.reason` if aborted first (the read then had no effect).
   */
  read(options?: WaitOptions): Promise<S>;
  /**
   * Hands `update` to the owner, which applies it after every update it
   * took before; resolves with the state it produced. If `update` throws,
   * the write rejects with that error and the state is unchanged.
   *
   * @throws rejects with `ChannelClosedError` once the owner has stopped;
   * with `signal.reason` if aborted before the owner took the update (it
   * then had no effect; an update already taken is not undone).
   */
  write(update: StateUpdate<S>, options?: WaitOptions): Promise<S>;
  /**
   * The channel the owner serves reads on, as Go's `reader`: each receive
   * gets the current state, so reads can be `select` cases. Cancelling it
   * stops the owner.
   */
  readonly reader: ReceiveChannel<S>;
  /** Whether the owner has stopped (or been asked to). */
  readonly closed: boolean;
  /**
   * Stops the owner: waiting and later reads and writes reject with
   * `ChannelClosedError`; an update being applied finishes. Safe to call
   * more than once.
   */
  close(): void;
  /** Resolves when the owner task has ended. Never rejects. */
  readonly done: Promise<void>;
}

/** An update on its way to the owner, with the write's settlement. */
interface UpdateMessage<S> {
  update: StateUpdate<S>;
  resolve(state: S): void;
  reject(reason: unknown): void;
}

class StateOwnerImpl<S> implements StateOwner<S> {
  /** Updates from writers; unbuffered, received only by the owner task. */
  private readonly writer = chan<UpdateMessage<S>>();
  /** The state, offered to readers by the owner task; unbuffered. */
  private readonly readerChannel = chan<S>();
  /** Aborted once, when the owner stops; its signal goes to every update. */
  private readonly controller = new AbortController();
  /** Settles when the owner task has ended; set once, at construction. */
  readonly done: Promise<void>;

  constructor(
    initial: S,
    /** The caller's signal, if any; fixed. */
    private readonly parent: AbortSignal | undefined,
  ) {
    if (parent !== undefined && parent.aborted) {
      this.close();
      this.done = Promise.resolve();
      return;
    }
    parent?.addEventListener('abort', this.close, { once: true });
    this.done = this.serve(initial);
  }

  get reader(): ReceiveChannel<S> {
    return this.readerChannel.receiveOnly;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  read(options?: WaitOptions): Promise<S> {
    return this.readerChannel.receive(options);
  }

  write(update: StateUpdate<S>, options?: WaitOptions): Promise<S> {
    if (typeof update !== 'function') {
      throw new TypeError(
        `StateOwner.write(): update must be a function, got ${describeValue(update)}`,
      );
    }
    let resolve: (state: S) => void = noop;
    let reject: (reason: unknown) => void = noop;
    const applied = new Promise<S>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return this.writer.send({ update, resolve, reject }, options).then(() => applied);
  }

  /** Stops the owner; bound, because it is also the parent's abort listener. */
  readonly close = (): void => {
    if (this.controller.signal.aborted) return;
    this.parent?.removeEventListener('abort', this.close);
    // The abort withdraws the owner's select before the closes reject the
    // parked readers and writers, so the owner never sees a half-closed pair.
    this.controller.abort(new ChannelClosedError('ownState(): the owner was closed'));
    if (!this.writer.closed) this.writer.close();
    if (!this.readerChannel.closed) this.readerChannel.close();
  };

  /** The owner task. */
  private async serve(initial: S): Promise<void> {
    const signal = this.controller.signal;
    let state = initial;
    try {
      for (;;) {
        const picked = await select(
          { write: onReceive(this.writer), read: onSend(this.readerChannel, state) },
          { signal },
        );
        if (picked.key === 'read') continue;
        if (!picked.ok) return;
        const message = picked.value;
        try {
          const next = message.update(state, signal);
          state = isThenable(next) ? await next : next;
        } catch (error) {
          message.reject(error);
          continue;
        }
        message.resolve(state);
      }
    } catch {
      // The select failed: the owner was closed (an abort), or a caller
      // cancelled `reader` (a send case on a closed channel). Both stop it.
    } finally {
      this.close();
    }
  }
}

function noop(): void {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Starts a task that owns `initial` and serves reads and writes of it
 * through channels, and returns its handle: Go's shared-variable watchdog
 * (`select { case value = <-writer: case reader <- value: }`), with writes
 * as update functions so a read-modify-write is one atomic step.
 *
 * Ordering: updates apply one at a time in the order the owner receives
 * them (waiting writers are served first come, first served); a read gets
 * the state between two updates. When a read and a write are both waiting,
 * the owner's select picks one at random, so neither side starves.
 *
 * Close: `close()` or aborting `signal` stops the owner. Waiting and later
 * reads and writes reject with `ChannelClosedError`; an update already
 * being applied completes (its signal is aborted, so a long one can stop),
 * and `done` resolves when the task has ended. Error: an update that throws
 * rejects only its own write; the state and the owner carry on.
 *
 * Backpressure: both channels are unbuffered, so a write waits until the
 * owner is free to take it; a slow (async) update holds up every reader
 * and writer behind it, which is the price of one owner.
 *
 * @example
 * ```ts
 * const counter = ownState(0);
 * console.log(await counter.read()); // 0
 * await Promise.all([1, 2, 3].map(() => counter.write((n) => n + 1)));
 * console.log(await counter.read()); // 3
 * counter.close();
 * console.log(await counter.read().catch((e) => e.name)); // ChannelClosedError
 * ```
 * @throws TypeError if `options` is not an object or `signal` is not an
 * AbortSignal.
 * @see future
 */
export function ownState<S>(initial: S, options?: OwnStateOptions): StateOwner<S> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`ownState(): options must be an object, got ${describeValue(options)}`);
  }
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`ownState(): signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  return new StateOwnerImpl(initial, signal);
}
