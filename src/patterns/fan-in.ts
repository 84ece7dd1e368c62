/**
 * fanIn: Go's multiplexing. One task selects over every input and sends
 * what it receives into one output channel.
 *
 * Invariants:
 * 1. Each input is read only by the fan-in task, with one `select` at a
 *    time, so values of one input leave in the order they were received.
 * 2. The task holds at most one value that it has received and not yet
 *    sent; a stop rejects that send, handing the value to `onUndelivered`.
 * 3. An input drops out of the select once it is closed and drained; the
 *    output closes when none is left, or with the error of the first input
 *    found closed with one.
 */
import { asChannelImpl, describeValue, type ReceiveChannel } from '../core/channel.js';
import { onReceive, type ReceiveCase } from '../core/cases.js';
import { select } from '../core/select.js';
import { checkProduceOptions, produce, type Produced, type ProduceOptions } from './produce.js';

/** Options of {@link fanIn}. */
export interface FanInOptions<T> extends ProduceOptions<T> {
  /**
   * The random source `select` uses to choose among ready inputs, returning
   * numbers in [0, 1); `Math.random` by default. Pass `seededRandom(n)` for
   * reproducible runs.
   */
  random?: (() => number) | undefined;
}

/**
 * Merges several channels into one output channel, as Go's multiplexing
 * generator (`out <- <-gen1` and `out <- <-gen2` in one channel), read by
 * one task that selects over every input. Returns the output's receiving
 * side, with `done` (see {@link Produced}). Call it with the inputs as
 * arguments, or with an array of inputs and options.
 *
 * Ordering and fairness: when several inputs have a value ready, `select`
 * picks one uniformly at random, so a busy input cannot starve the others;
 * values of any one input keep their order. Values of different inputs
 * interleave in the order the task received them.
 *
 * Close: an input that is closed and drained drops out; the output closes
 * once every input has, and `done` resolves. With no inputs the output is
 * closed at once. A nil input never closes, so the output never does.
 *
 * Error: an input closed with an error (`close(error)`, as a failed
 * `produce` does) fails the fan-in: the other inputs are no longer read,
 * and the output is closed with that error after its buffered values
 * (`done` rejects with it too).
 *
 * Abort and cancel: aborting `signal` or cancelling the output stops the
 * task: its pending select is withdrawn (nothing more is taken from any
 * input) and the output is closed (abort) or cancelled. A value already
 * taken from an input and waiting to be sent is handed to `onUndelivered`.
 * The inputs themselves are left open: fanIn does not own them.
 *
 * Backpressure: the task takes the next value only after the previous one
 * was sent, so it holds at most one value beyond the output's `capacity`
 * (0 by default) and senders on the inputs wait for the output's readers.
 *
 * @example
 * ```ts
 * const a = chan<string>(2);
 * const b = chan<string>(2);
 * for (const v of ['a1', 'a2']) a.trySend(v);
 * for (const v of ['b1', 'b2']) b.trySend(v);
 * a.close();
 * b.close();
 * const received: string[] = [];
 * for await (const v of fanIn(a, b)) received.push(v);
 * console.log(received.length); // 4
 * console.log(received.filter((v) => v.startsWith('a'))); // [ 'a1', 'a2' ]
 * ```
 * @throws TypeError if an input is not a channel made by this library, or
 * for bad options (see {@link produce}); RangeError for a bad `capacity`.
 * @see produce
 */
export function fanIn<T>(
  inputs: readonly ReceiveChannel<T>[],
  options?: FanInOptions<T>,
): Produced<T>;
export function fanIn<T>(...inputs: ReceiveChannel<T>[]): Produced<T>;
export function fanIn<T>(...args: unknown[]): Produced<T> {
  const { inputs, options } = fanInArguments<T>('fanIn()', args);
  const random = options?.random;
  return produce<T>(
    async (send, signal) => {
      const open = inputs.slice();
      let cases = casesOf(open);
      while (open.length > 0) {
        const result = await select(cases, { signal, random });
        if (!result.ok) {
          const [closed] = open.splice(Number(result.key), 1);
          // An input closed with an error (a failed producer) fails the fan-in.
          if (closed?.closeError !== undefined) throw closed.closeError;
          cases = casesOf(open);
          continue;
        }
        await send(result.value);
      }
    },
    {
      capacity: options?.capacity,
      signal: options?.signal,
      onUndelivered: options?.onUndelivered,
    },
  );
}

/**
 * Reads the two call forms of `fanIn` (inputs as arguments, or an array
 * and options) for the call named `call`, checking every input and option.
 */
export function fanInArguments<T>(
  call: string,
  args: readonly unknown[],
): { inputs: ReceiveChannel<T>[]; options: FanInOptions<T> | undefined } {
  const isArrayForm = Array.isArray(args[0]);
  if (isArrayForm && args.length > 2) {
    throw new TypeError(
      `${call}: pass the inputs either as arguments or as one array, got an array and ${args.length - 1} more arguments`,
    );
  }
  const inputs = (isArrayForm ? (args[0] as unknown[]) : args).slice() as ReceiveChannel<T>[];
  const options = isArrayForm ? (args[1] as FanInOptions<T> | undefined) : undefined;
  inputs.forEach((input, index) => {
    if (asChannelImpl(input) === undefined) {
      throw new TypeError(`${call}: input ${index} must be a channel, got ${describeValue(input)}`);
    }
  });
  checkProduceOptions(call, options);
  const random = options?.random;
  if (random !== undefined && typeof random !== 'function') {
    throw new TypeError(`${call}: random must be a function, got ${describeValue(random)}`);
  }
  return { inputs, options };
}

/** One receive case per open input, keyed by its index in `open`. */
function casesOf<T>(open: readonly ReceiveChannel<T>[]): Record<string, ReceiveCase<T>> {
  const cases: Record<string, ReceiveCase<T>> = {};
  open.forEach((input, index) => {
    cases[index] = onReceive(input);
  });
  return cases;
}
