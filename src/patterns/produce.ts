/**
 * produce: Go's "generator as a service". A task owns a channel, sends
 * into it, and the caller gets only the receiving side.
 *
 * Lifecycle of a produced channel:
 *
 *     running ──producer returns──────▶ closed (buffer drains to consumers)
 *        ├────producer fails──────────▶ closed with the error (consumers get it
 *        │                              after draining the buffer)
 *        ├────signal aborts───────────▶ closed, then producer signal aborted
 *        └────consumer calls cancel()─▶ cancelled (buffer discarded),
 *                                       producer signal aborted
 *
 * Invariants:
 * 1. The channel is closed by this module or by a consumer's `cancel()`
 *    only; once it is closed the producer's `send` rejects with
 *    `ChannelClosedError`.
 * 2. A stop (abort or cancel) closes the channel before it aborts the
 *    producer signal, so a send parked at that moment is rejected by the
 *    close and its value goes to `onUndelivered`, never silently lost.
 * 3. `done` settles once, after the producer has settled and the channel
 *    is closed; it rejects only with a failure that was not caused by a
 *    stop, and that failure is also the channel's close error.
 */
import { chan, describeValue, type ReceiveChannel } from '../core/channel.js';
import { ChannelClosedError } from '../core/errors.js';

/** The function a producer sends with: the channel's own `send`. */
export type Send<T> = (value: T) => Promise<void>;

/**
 * A producer: called once with the `send` function and the producer signal.
 * Either an async function that sends and then returns, or a (sync or
 * async) generator function whose yielded values are sent one at a time.
 */
export type Producer<T> = (
  send: Send<T>,
  signal: AbortSignal,
) => PromiseLike<void> | void | AsyncIterable<T> | Iterable<T>;

/** Options of {@link produce}. */
export interface ProduceOptions<T> {
  /** Buffer size of the produced channel; 0 (unbuffered, as in Go) by default. */
  capacity?: number | undefined;
  /**
   * Aborting stops the producer: the channel is closed (values already
   * buffered stay readable) and the producer signal is aborted.
   */
  signal?: AbortSignal | undefined;
  /**
   * Called with each value the channel took but will not deliver: one
   * carried by a send that a stop rejected, or one discarded from the buffer
   * by `cancel()`. See `chan`'s option of the same name.
   */
  onUndelivered?: ((value: T) => void) | undefined;
}

/**
 * A channel filled by a producer task: a real channel (usable with
 * `select`, `for await` and RxJS's `from`) plus the task's outcome.
 */
export interface Produced<T> extends ReceiveChannel<T> {
  /**
   * Settles when the producer has finished and the channel is closed:
   * resolves when the producer returned or was stopped by an abort or a
   * cancel; rejects with the producer's error when it failed on its own.
   * The error also reaches consumers through the channel, so a rejection
   * of `done` that nobody awaits is not reported as unhandled.
   */
  readonly done: Promise<void>;
}

/** The options every channel-making pattern shares, checked. */
export interface CheckedOptions<T> {
  capacity: number;
  signal: AbortSignal | undefined;
  onUndelivered: ((value: T) => void) | undefined;
}

/**
 * Checks the options shared by `produce`, `fanIn` and `daisyChain` for the
 * call named `call`; throws before anything starts.
 */
export function checkProduceOptions<T>(
  call: string,
  options: ProduceOptions<T> | undefined,
): CheckedOptions<T> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const capacity = options?.capacity ?? 0;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0) {
    throw new RangeError(
      `${call}: capacity must be a non-negative integer, got ${describeValue(capacity)}`,
    );
  }
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${call}: signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  const onUndelivered = options?.onUndelivered;
  if (onUndelivered !== undefined && typeof onUndelivered !== 'function') {
    throw new TypeError(
      `${call}: onUndelivered must be a function, got ${describeValue(onUndelivered)}`,
    );
  }
  return { capacity, signal, onUndelivered };
}

/**
 * Runs `producer(send, signal)` as a task that sends into a channel it owns,
 * and returns that channel for receiving, as Go's generator-as-a-service
 * (`func gen() <-chan int { out := make(chan int); go func() {...}(); return out }`).
 * The producer may also be a generator function: each value it yields is
 * sent with `await send`. The task starts at once and runs until its first
 * `await` before `produce` returns.
 *
 * Close: the channel closes when the producer returns; consumers drain the
 * buffer, then see the close, and `done` resolves.
 *
 * Error: when the producer throws or rejects, the channel is closed with
 * that error (`close(error)`): consumers drain the buffer, then `receive()`
 * rejects with the error, `for await` throws it and RxJS's `from(ch)`
 * emits it; comma-ok reads (`receiveOk`, `select`) see `ok: false` with
 * the error in `ch.closeError`. `done` rejects with it too.
 *
 * Abort and cancel: aborting `signal` closes the channel (buffered values
 * stay readable); a consumer calling `ch.cancel()` closes it and discards the
 * buffer. Either way a send that is waiting is rejected with
 * `ChannelClosedError` (its value goes to `onUndelivered`), the producer
 * signal aborts so a producer waiting on anything else can stop, and a
 * generator producer is returned (its `finally` blocks run). A producer
 * that ends by rejecting with the stop's reason or a `ChannelClosedError`
 * counts as stopped: `done` resolves. A consumer that merely stops reading
 * leaves the producer waiting on its send, as in Go: cancel the channel.
 *
 * Backpressure: `send` resolves when a consumer takes the value (or, with
 * `capacity` n, when it fits in the buffer), so the producer runs at most
 * `capacity` values ahead of its consumers.
 *
 * @example
 * ```ts
 * let next = 0;
 * const ids = produce<number>(async (send, signal) => {
 *   while (!signal.aborted) await send(next++);
 * });
 * console.log(await ids.receive(), await ids.receive()); // 0 1
 * ids.cancel();
 * await ids.done;
 * console.log(ids.closed); // true
 *
 * const letters = produce(function* () {
 *   yield* 'ab';
 *   throw new Error('out of letters');
 * });
 * try {
 *   for await (const letter of letters) console.log(letter); // a, b
 * } catch (error) {
 *   console.log((error as Error).message); // out of letters
 * }
 * ```
 * @throws TypeError if `producer` is not a function, `options` is not an
 * object, `signal` is not an AbortSignal or `onUndelivered` is not a
 * function; RangeError if `capacity` is not a non-negative integer.
 * @see fanIn
 * @see daisyChain
 */
export function produce<T>(producer: Producer<T>, options?: ProduceOptions<T>): Produced<T> {
  if (typeof producer !== 'function') {
    throw new TypeError(`produce(): producer must be a function, got ${describeValue(producer)}`);
  }
  const { capacity, signal: parent, onUndelivered } = checkProduceOptions('produce()', options);
  const controller = new AbortController();
  const signal = controller.signal;
  // Whether the producer has settled; a close after that stops nothing.
  let isFinished = false;

  // Every close passes here: the producer's own (nothing to stop), an
  // abort's, or a consumer's cancel(); the last two stop the producer.
  const onClose = (): void => {
    if (isFinished || signal.aborted) return;
    controller.abort(
      parent !== undefined && parent.aborted
        ? parent.reason
        : new ChannelClosedError('produce(): the channel was cancelled'),
    );
  };
  const channel = chan<T>(capacity, { onUndelivered, onClose });
  const onParentAbort = (): void => {
    // Invariant 2: the close rejects a parked send before the abort.
    if (!channel.closed) channel.close();
    if (!signal.aborted) controller.abort((parent as AbortSignal).reason);
  };
  const send: Send<T> = (value) => channel.send(value);

  let run: Promise<void>;
  if (parent !== undefined && parent.aborted) {
    // The producer never starts; its channel is closed from the outset.
    onParentAbort();
    run = Promise.resolve();
  } else {
    parent?.addEventListener('abort', onParentAbort, { once: true });
    run = runProducer(producer, send, signal);
  }

  const done = run.then(
    () => {
      isFinished = true;
      parent?.removeEventListener('abort', onParentAbort);
      if (!channel.closed) channel.close();
    },
    (error: unknown) => {
      isFinished = true;
      parent?.removeEventListener('abort', onParentAbort);
      if (signal.aborted && (error === signal.reason || error instanceof ChannelClosedError)) {
        if (!channel.closed) channel.close();
        return;
      }
      if (!channel.closed) channel.close(error);
      // A failure also aborts the producer signal, so tasks it started stop.
      if (!signal.aborted) controller.abort(error);
      throw error;
    },
  );
  // The failure reaches consumers through the channel as well (invariant 3).
  done.catch(noop);
  Object.defineProperty(channel, 'done', { value: done });
  return channel as unknown as Produced<T>;
}

function noop(): void {}

/** Calls the producer and, if it is a generator, sends what it yields. */
async function runProducer<T>(
  producer: Producer<T>,
  send: Send<T>,
  signal: AbortSignal,
): Promise<void> {
  const result = producer(send, signal);
  if (isIterable<T>(result)) {
    // A rejected send ends the loop, which returns the generator.
    for await (const value of result) await send(value);
    return;
  }
  await result;
}

function isIterable<T>(value: unknown): value is AsyncIterable<T> | Iterable<T> {
  if (typeof value !== 'object' || value === null) return false;
  return (
    typeof (value as AsyncIterable<T>)[Symbol.asyncIterator] === 'function' ||
    typeof (value as Iterable<T>)[Symbol.iterator] === 'function'
  );
}
