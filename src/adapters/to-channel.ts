/**
 * toChannel: any Observable, promise or (async) iterable read into a
 * channel, with the buffering stated up front.
 *
 * Two modes, chosen by what the input can do:
 * - push (Observables, interop Observables, promises, array-likes): the
 *   source decides when values come, so they go into a bounded buffer with
 *   `trySend` and the overflow policy decides what a full buffer does;
 * - pull (our channels, async iterables, iterables): values are read one at
 *   a time and handed over with `await send`, so the source is advanced only
 *   as the consumer makes room. Lossless, and no overflow policy applies.
 *
 * Invariants:
 * 1. The source is stopped (unsubscribed, or its iterator returned) at most
 *    once, and only if it has not ended by itself.
 * 2. After the source ends, by completion, error or overflow, the abort
 *    listener is gone and no callback of the source changes the channel.
 * 3. Values enter the channel in source order; a value is missing only if
 *    the chosen drop policy dropped it or the channel was cancelled.
 */
import { from, Observable, type ObservableInput, type Subscriber } from 'rxjs';
import {
  asChannelImpl,
  chan,
  describeValue,
  type Channel,
  type ReceiveChannel,
} from '../core/channel.js';
import { BufferOverflowError } from '../core/errors.js';
import { reportUnhandledError } from './report-unhandled-error.js';

/**
 * What a push source's full buffer does with a new value: `'error'` ends
 * the channel with a `BufferOverflowError` and unsubscribes the source;
 * `'drop-newest'` discards the new value; `'drop-oldest'` discards the
 * oldest buffered one; `'unbounded'` never fills (explicit opt-in: memory
 * grows with the backlog).
 */
export type OverflowPolicy = 'error' | 'drop-newest' | 'drop-oldest' | 'unbounded';

/** Options of {@link toChannel} and `toAsyncIterable`. */
export interface ToChannelOptions {
  /**
   * Buffer size. For a push source a positive integer, 16 by default (not
   * allowed with `overflow: 'unbounded'`); for a pull source a non-negative
   * integer, 0 by default: the source is advanced only after the consumer
   * took the previous value.
   */
  capacity?: number | undefined;
  /** What a push source's full buffer does; `'error'` by default. Pull sources never overflow. */
  overflow?: OverflowPolicy | undefined;
  /**
   * Aborting stops the source and cancels the channel: buffered values are
   * discarded and the consumer's next receive rejects with `signal.reason`.
   * An abort after the source ended changes nothing.
   */
  signal?: AbortSignal | undefined;
}

/** Default buffer size for push sources. */
const PUSH_CAPACITY = 16;

const OVERFLOW_POLICIES: readonly string[] = ['error', 'drop-newest', 'drop-oldest', 'unbounded'];

/** How an input is read. */
type Mode = 'push' | 'pull';

/** Validated {@link ToChannelOptions}, with the defaults of the input's mode filled in. */
export interface ResolvedOptions {
  mode: Mode;
  capacity: number;
  overflow: OverflowPolicy;
  signal: AbortSignal | undefined;
}

/**
 * Checks the arguments of `call` (`toChannel()` or `toAsyncIterable()`)
 * and fills in defaults; throws before anything is subscribed.
 */
export function resolveOptions(
  call: string,
  input: unknown,
  options: ToChannelOptions | undefined,
): ResolvedOptions {
  const mode = modeOf(input);
  if (mode === undefined) {
    throw new TypeError(
      `${call}: input must be an Observable, a promise or an (async) iterable, got ${describeValue(input)}`,
    );
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const overflow = options?.overflow ?? 'error';
  if (!OVERFLOW_POLICIES.includes(overflow)) {
    throw new TypeError(
      `${call}: overflow must be 'error', 'drop-newest', 'drop-oldest' or 'unbounded', got ${describeValue(overflow)}`,
    );
  }
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${call}: signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  const capacity = options?.capacity;
  if (mode === 'pull') {
    if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 0)) {
      throw new RangeError(
        `${call}: capacity must be a non-negative integer for a pull source, got ${describeValue(capacity)}`,
      );
    }
    return { mode, capacity: capacity ?? 0, overflow, signal };
  }
  if (overflow === 'unbounded') {
    if (capacity !== undefined) {
      throw new RangeError(
        `${call}: overflow 'unbounded' sets its own capacity, so none may be given, got ${describeValue(capacity)}`,
      );
    }
    return { mode, capacity: Infinity, overflow, signal };
  }
  if (capacity !== undefined && !(Number.isInteger(capacity) && capacity > 0)) {
    throw new RangeError(
      `${call}: capacity must be a positive integer for a push source, got ${describeValue(capacity)}`,
    );
  }
  return { mode, capacity: capacity ?? PUSH_CAPACITY, overflow, signal };
}

/** Whether `input` is read by pulling or by subscribing; undefined if it is neither. */
function modeOf(input: unknown): Mode | undefined {
  if (typeof input === 'string') return 'pull';
  if ((typeof input !== 'object' && typeof input !== 'function') || input === null) {
    return undefined;
  }
  // A channel also speaks the interop protocol; pulling it is what keeps it lossless.
  if (asChannelImpl(input) !== undefined) return 'pull';
  const candidate = input as Record<string | symbol, unknown>;
  if (input instanceof Observable) return 'push';
  if (typeof candidate['@@observable'] === 'function') return 'push';
  if (typeof Symbol.observable === 'symbol' && typeof candidate[Symbol.observable] === 'function') {
    return 'push';
  }
  if (typeof candidate[Symbol.asyncIterator] === 'function') return 'pull';
  if (typeof candidate[Symbol.iterator] === 'function') return 'pull';
  if (typeof candidate.then === 'function') return 'push';
  if (typeof candidate.length === 'number') return 'push';
  if (typeof candidate.getReader === 'function') return 'push';
  return undefined;
}

/**
 * Reads `input` into a new channel and returns the channel's receiving
 * side. A push source (an Observable, an interop Observable such as a
 * Subject, a promise) is subscribed at once; each value is offered to the
 * buffer of `capacity` (16 by default) and a full buffer applies `overflow`:
 * `'error'` (the default) ends the channel with a `BufferOverflowError`
 * after the buffered values and unsubscribes the source, `'drop-newest'` and
 * `'drop-oldest'` drop a value and go on, `'unbounded'` buffers everything.
 * A pull source (one of our channels, an async iterable, an iterable) is
 * read one value at a time with `await send`, so it is advanced only after
 * the consumer has taken the previous value (one value read ahead waits in
 * the send, plus up to `capacity` more in the buffer): lossless and truly
 * backpressured. Ordering: values leave in source order, minus any a drop
 * policy discarded.
 *
 * Completion: when the source completes the channel closes, and consumers
 * drain the buffer before they see the close. Error: the channel closes
 * with the error recorded; consumers drain the buffer, then `receive()`
 * rejects with the error, `for await` throws it, `fromChannel` and `from`
 * emit it as `error`, and comma-ok reads (`receiveOk`, select) report
 * `ok: false` with the error readable through `ch.closeError`.
 * Cancel: `ch.cancel()` on the returned channel unsubscribes a push source
 * or calls `return()` on a pull source's iterator (a value already read
 * from it is discarded with the buffer). Abort: aborting `signal` does the
 * same, and records `signal.reason` as the channel's error.
 *
 * Limits: a push source cannot be slowed down; pick the overflow policy
 * that fits, or read a pull source instead. A push source is subscribed
 * during the call, so a synchronous source with more values than
 * `capacity` overflows before the first receive.
 *
 * @example
 * ```ts
 * const ch = toChannel(of('a', 'b', 'c', 'd'), { capacity: 2, overflow: 'drop-oldest' });
 * console.log(await ch.receive(), await ch.receive()); // c d
 * console.log(await ch.receiveOk()); // { value: undefined, ok: false }
 *
 * async function* numbers() {
 *   for (let i = 1; ; i++) yield i;
 * }
 * const pulled = toChannel(numbers());
 * console.log(await pulled.receive(), await pulled.receive()); // 1 2
 * pulled.cancel();
 * ```
 * @throws TypeError if `input` is not an Observable, promise or iterable,
 * `overflow` is unknown or `signal` is not an AbortSignal; RangeError for a
 * capacity out of range for the input's mode.
 * @see toAsyncIterable
 */
export function toChannel<T>(
  input: ObservableInput<T>,
  options?: ToChannelOptions,
): ReceiveChannel<T> {
  const resolved = resolveOptions('toChannel()', input, options);
  return resolved.mode === 'push'
    ? pushInto(input, resolved)
    : pullInto(input as AsyncIterable<T> | Iterable<T>, resolved);
}

/** The channel a push source fills, with the overflow policy built in where chan has one. */
function pushChannel<T>({ capacity, overflow }: ResolvedOptions, onClose: () => void): Channel<T> {
  switch (overflow) {
    case 'unbounded':
      return chan<T>({ policy: 'unbounded', onClose });
    case 'drop-newest':
    case 'drop-oldest':
      return chan<T>(capacity, { policy: overflow, onClose });
    default:
      return chan<T>(capacity, { onClose });
  }
}

/** Closes `channel` with `error` unless it is closed already. */
function fail(channel: Channel<unknown>, error: unknown): void {
  if (!channel.closed) channel.close(error);
}

function pushInto<T>(input: ObservableInput<T>, options: ResolvedOptions): ReceiveChannel<T> {
  const { capacity, signal } = options;
  // Closing the channel, by the source ending or by the consumer's cancel,
  // ends the bridge.
  const channel = pushChannel<T>(options, () => end());
  // The source's subscriber, known as soon as the source is subscribed:
  // stopping through it also stops a source that emits synchronously during
  // subscribe, before `subscribe` has returned anything to unsubscribe.
  let subscriber: Subscriber<T> | undefined;
  let isEnded = false;

  const end = (): void => {
    if (isEnded) return;
    isEnded = true;
    signal?.removeEventListener('abort', onAbort);
    subscriber?.unsubscribe();
  };
  const onAbort = (): void => {
    if (isEnded) return;
    fail(channel, (signal as AbortSignal).reason);
    channel.cancel();
  };
  const receiver = channel.receiveOnly;

  if (signal?.aborted === true) {
    onAbort();
    return receiver;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  new Observable<T>((target) => {
    subscriber = target;
    return from(input).subscribe(target);
  }).subscribe({
    next(value) {
      if (isEnded) return;
      // Only a caller who cast the view back can close it; stop quietly.
      if (channel.closed) return end();
      if (!channel.trySend(value)) {
        fail(channel, new BufferOverflowError(capacity));
        end();
      }
    },
    error(error: unknown) {
      if (isEnded) return;
      fail(channel, error);
      end();
    },
    complete() {
      if (isEnded) return;
      if (!channel.closed) channel.close();
      end();
    },
  });
  return receiver;
}

function pullInto<T>(
  input: AsyncIterable<T> | Iterable<T>,
  options: ResolvedOptions,
): ReceiveChannel<T> {
  const { capacity, signal } = options;
  // Closing the channel, by the source ending or by the consumer's cancel,
  // ends the bridge.
  const channel = chan<T>(capacity, { onClose: () => end() });
  let iterator: AsyncIterator<T> | Iterator<T> | undefined;
  // Whether the source finished on its own (done or threw): no return() then.
  let isFinished = false;
  let isEnded = false;

  const end = (): void => {
    if (isEnded) return;
    isEnded = true;
    signal?.removeEventListener('abort', onAbort);
    if (iterator !== undefined && !isFinished) returnIterator(iterator);
  };
  const onAbort = (): void => {
    if (isEnded) return;
    fail(channel, (signal as AbortSignal).reason);
    channel.cancel();
  };
  const receiver = channel.receiveOnly;

  if (signal?.aborted === true) {
    onAbort();
    return receiver;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    iterator = iteratorOf(input);
  } catch (error) {
    isFinished = true;
    fail(channel, error);
    end();
    return receiver;
  }
  void pump(iterator);
  return receiver;

  async function pump(source: AsyncIterator<T> | Iterator<T>): Promise<void> {
    try {
      for (;;) {
        const result = await source.next();
        if (isEnded) return;
        if (result.done === true) {
          isFinished = true;
          channel.close();
          end();
          return;
        }
        // Waits while the buffer is full: the backpressure on the source.
        // A cancel closes the channel, which rejects this send.
        await channel.send(result.value);
        if (isEnded) return;
      }
    } catch (error) {
      if (isEnded) return;
      // Only the source can fail here: sends fail only once the consumer
      // cancelled, and then the bridge has already ended.
      isFinished = true;
      fail(channel, error);
      end();
    }
  }
}

function iteratorOf<T>(input: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  const asyncIterable = input as AsyncIterable<T>;
  if (typeof asyncIterable[Symbol.asyncIterator] === 'function') {
    return asyncIterable[Symbol.asyncIterator]();
  }
  return (input as Iterable<T>)[Symbol.iterator]();
}

/**
 * Stops a source iterator early. An async generator that is running runs
 * its `finally` once its pending step settles; an error from `return()`
 * has no caller left, so it is reported as unhandled.
 */
function returnIterator<T>(iterator: AsyncIterator<T> | Iterator<T>): void {
  if (typeof iterator.return !== 'function') return;
  try {
    Promise.resolve(iterator.return()).then(undefined, reportUnhandledError);
  } catch (error) {
    reportUnhandledError(error);
  }
}
