/**
 * daisyChain: the concurrent prime sieve's chain of filter processes. Each
 * stage is a task that receives from the channel before it and sends what
 * passes its filter to the channel after it; the last channel is read by
 * the chain's own task, which may add a stage for each value that reaches
 * it (the sieve adds a filter for every prime).
 *
 *     input ─▶ [stage 1] ─link─▶ [stage 2] ─link─▶ … ─▶ tail task ─▶ output
 *                                                        └─ extend(v) appends a stage
 *
 * Invariants:
 * 1. Values leave every stage in the order they entered it, so the output
 *    keeps the input's order.
 * 2. Only the first stage (or the tail task, when there is no stage) reads
 *    the input; it does so with the chain signal, so a stop withdraws that
 *    receive and nothing more is taken from the input.
 * 3. A stop aborts the chain signal and cancels every link, so every stage
 *    ends at its next channel operation; `done` settles only after every
 *    stage task has ended.
 * 4. A stage closes the link after it once the link before it is closed
 *    and drained: closes travel down the chain behind the last value.
 */
import {
  asChannelImpl,
  chan,
  describeValue,
  type Channel,
  type ReceiveChannel,
} from '../core/channel.js';
import { ChannelClosedError } from '../core/errors.js';
import { checkProduceOptions, produce, type Produced, type ProduceOptions } from './produce.js';

/**
 * A filter stage: returns (or resolves to) whether `value` passes on down
 * the chain. Called with the chain signal, aborted when the chain stops.
 */
export type Stage<T> = (value: T, signal: AbortSignal) => boolean | PromiseLike<boolean>;

/** Options of {@link daisyChain}. */
export interface DaisyChainOptions<T> extends ProduceOptions<T> {
  /**
   * Called with each value that reaches the end of the chain, before it is
   * sent to the output; a stage it returns is appended to the chain, so it
   * filters every later value (the prime sieve's `go Filter(ch, ch1, prime)`).
   */
  extend?: ((value: T) => Stage<T> | undefined) | undefined;
}

/**
 * Passes the values received from `input` through a chain of filter
 * stages, one task per stage, linked by channels (unbuffered unless
 * `capacity` is given), and returns the output's receiving side with
 * `done` (see {@link Produced}): the concurrent prime sieve's daisy chain
 * of `Filter` goroutines, as a reusable pattern. With `extend`, the chain
 * grows while it runs: each value that reaches the end may append a stage.
 *
 * Ordering: the output keeps the input's order. Backpressure: each link
 * holds at most `capacity` values (0 by default), so the chain holds about
 * one value per stage and takes from `input` only as fast as the output is
 * read.
 *
 * Close: when `input` is closed and drained, the close travels down the
 * chain behind the last value; the output closes and `done` resolves once
 * every stage task has ended. Error: if a stage or `extend` throws, or
 * receiving from `input` rejects (a channel made by `toChannel` whose
 * source failed), every stage is stopped, the output closes and `done`
 * rejects with that error.
 *
 * Abort and cancel: aborting `signal` or cancelling the output stops every
 * stage: the chain signal aborts, every link is cancelled, and the pending
 * receive on `input` is withdrawn. `input` is left open: the chain does not
 * own it. A value taken but not yet delivered is discarded, except one
 * waiting to be sent to the output, which goes to `onUndelivered`.
 *
 * Limits: a stage that ignores its signal while awaiting keeps `done`
 * pending until it returns.
 *
 * @example
 * ```ts
 * const numbers = produce(function* () {
 *   for (let n = 2; n < 30; n++) yield n;
 * });
 * const primes = daisyChain(numbers, [], {
 *   extend: (prime: number) => (n: number) => n % prime !== 0,
 * });
 * const found: number[] = [];
 * for await (const prime of primes) found.push(prime);
 * console.log(found.join(' ')); // 2 3 5 7 11 13 17 19 23 29
 *
 * const evens = chan<number>(4);
 * for (const n of [1, 2, 3, 4]) evens.trySend(n);
 * evens.close();
 * const kept = daisyChain(evens, [(n: number) => n % 2 === 0]);
 * console.log(await kept.receive(), await kept.receive()); // 2 4
 * ```
 * @throws TypeError if `input` is not a channel, `stages` is not an array
 * of functions, `extend` is not a function, or for bad options (see
 * {@link produce}); RangeError for a bad `capacity`.
 * @see produce
 */
export function daisyChain<T>(
  input: ReceiveChannel<T>,
  stages: readonly Stage<T>[] = [],
  options?: DaisyChainOptions<T>,
): Produced<T> {
  if (asChannelImpl(input) === undefined) {
    throw new TypeError(`daisyChain(): input must be a channel, got ${describeValue(input)}`);
  }
  checkStages('daisyChain()', stages, options);
  const capacity = options?.capacity ?? 0;
  const extend = options?.extend;
  const initial = stages.slice();

  return produce<T>(
    async (send, signal) => {
      const chain = new AbortController();
      const links: Channel<T>[] = [];
      const tasks: Promise<void>[] = [];
      const stop = (reason: unknown): void => {
        if (chain.signal.aborted) return;
        chain.abort(reason);
        for (const link of links) link.cancel();
      };
      const onAbort = (): void => stop(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });

      const addStage = (from: ReceiveChannel<T>, keep: Stage<T>): ReceiveChannel<T> => {
        const to = chan<T>(capacity);
        links.push(to);
        tasks.push(runStage(from, to, keep, from === input, chain.signal).then(undefined, stop));
        return to;
      };

      try {
        let tail = input;
        for (const keep of initial) tail = addStage(tail, keep);
        for (;;) {
          const value = await receiveOrClosed(tail, chain.signal);
          if (value === CLOSED) break;
          if (extend !== undefined) {
            const keep = extend(value);
            if (keep !== undefined) {
              if (typeof keep !== 'function') {
                throw new TypeError(
                  `daisyChain(): extend must return a function or undefined, got ${describeValue(keep)}`,
                );
              }
              tail = addStage(tail, keep);
            }
          }
          await send(value);
        }
      } catch (error) {
        stop(error);
        // A stage failure aborted the chain signal with its error; report that one.
        throw chain.signal.reason;
      } finally {
        signal.removeEventListener('abort', onAbort);
        await Promise.all(tasks);
      }
    },
    { capacity, signal: options?.signal, onUndelivered: options?.onUndelivered },
  );
}

/** Checks the stages and options of `daisyChain` for the call named `call`. */
export function checkStages<T>(
  call: string,
  stages: unknown,
  options: DaisyChainOptions<T> | undefined,
): void {
  if (!Array.isArray(stages)) {
    throw new TypeError(`${call}: stages must be an array, got ${describeValue(stages)}`);
  }
  stages.forEach((stage: unknown, index) => {
    if (typeof stage !== 'function') {
      throw new TypeError(
        `${call}: stage ${index} must be a function, got ${describeValue(stage)}`,
      );
    }
  });
  checkProduceOptions(call, options);
  const extend = options?.extend;
  if (extend !== undefined && typeof extend !== 'function') {
    throw new TypeError(`${call}: extend must be a function, got ${describeValue(extend)}`);
  }
}

/** What {@link receiveOrClosed} returns once its channel is closed and drained. */
const CLOSED: unique symbol = Symbol('closed');

/**
 * Receives the next value, or CLOSED once `from` is closed and drained. A
 * rejection other than the close (an abort, a failed source) propagates.
 */
async function receiveOrClosed<T>(
  from: ReceiveChannel<T>,
  signal: AbortSignal | undefined,
): Promise<T | typeof CLOSED> {
  try {
    return await (signal === undefined ? from.receive() : from.receive({ signal }));
  } catch (error) {
    if (error instanceof ChannelClosedError && !signal?.aborted) return CLOSED;
    throw error;
  }
}

/**
 * One filter stage: forwards what passes `keep` from `from` to `to`, and
 * closes `to` when `from` ends. Only the stage reading the chain's input
 * listens to the signal (invariant 2); the others end when a stop cancels
 * their links.
 */
async function runStage<T>(
  from: ReceiveChannel<T>,
  to: Channel<T>,
  keep: Stage<T>,
  readsInput: boolean,
  signal: AbortSignal,
): Promise<void> {
  const options = readsInput ? { signal } : undefined;
  for (;;) {
    let value: T;
    try {
      value = await from.receive(options);
    } catch (error) {
      if (error instanceof ChannelClosedError && !signal.aborted) break;
      throw error;
    }
    const verdict = keep(value, signal);
    const passes = isThenable(verdict) ? await verdict : verdict;
    if (passes) await to.send(value);
  }
  if (!to.closed) to.close();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
