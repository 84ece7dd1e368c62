/**
 * toAsyncIterable: `for await` over an Observable with a bounded buffer, an
 * explicit overflow policy, and `break` that unsubscribes.
 */
import type { ObservableInput } from 'rxjs';
import type { ReceiveChannel } from '../core/channel.js';
import { resolveOptions, toChannel, type ToChannelOptions } from './to-channel.js';

/**
 * Returns an async iterable over the values of `input`, for `for await`.
 * Each iteration subscribes anew when the loop starts (nothing happens
 * before), reading the source through {@link toChannel} with the same
 * options: a push source's values wait in a buffer of `capacity` (16 by
 * default) and a full buffer applies `overflow` (`'error'` by default), so
 * memory stays bounded while the loop body awaits; a pull source is read one
 * value at a time, as the loop asks. Values arrive in source order, minus
 * any a drop policy discarded.
 *
 * Completion: the loop ends after the buffered values. Error: the loop
 * throws the source's error (or the `BufferOverflowError`) after the values
 * buffered before it. `break`, `return` or an exception in the loop body:
 * the source is unsubscribed (or its iterator returned) and buffered values
 * are discarded. Abort: aborting `signal` does the same, and the loop
 * throws `signal.reason`.
 *
 * Compared with RxJS: `lastValueFrom` and `forEach` cannot be stopped
 * early, and an Observable read by pushing into an unbounded queue grows
 * while the loop body is slow; here the bound and the policy are explicit.
 *
 * @example
 * ```ts
 * for await (const n of toAsyncIterable(range(1, 5), { capacity: 8 })) {
 *   if (n > 2) break;
 *   console.log(n); // 1, 2
 * }
 * const failing = concat(of('a'), throwError(() => new Error('lost connection')));
 * try {
 *   for await (const v of toAsyncIterable(failing)) console.log(v); // a
 * } catch (error) {
 *   console.log((error as Error).message); // lost connection
 * }
 * ```
 * @throws TypeError or RangeError, synchronously, for the arguments
 * {@link toChannel} rejects.
 * @see toChannel
 */
export function toAsyncIterable<T>(
  input: ObservableInput<T>,
  options?: ToChannelOptions,
): AsyncIterable<T> {
  resolveOptions('toAsyncIterable()', input, options);
  return {
    [Symbol.asyncIterator]: (): AsyncIterableIterator<T> =>
      new SourceIterator(toChannel(input, options)),
  };
}

/** One loop over a source: the channel's iterator, whose end also cancels the channel. */
class SourceIterator<T> implements AsyncIterableIterator<T> {
  /** The channel's own iterator; fixed. */
  private readonly inner: AsyncIterator<T>;

  constructor(
    /** The channel the source fills; fixed. */
    private readonly channel: ReceiveChannel<T>,
  ) {
    this.inner = channel[Symbol.asyncIterator]();
  }

  next(): Promise<IteratorResult<T>> {
    return this.inner.next();
  }

  return(): Promise<IteratorResult<T>> {
    // Cancelling stops the source; the loop is over, so buffered values go too.
    this.channel.cancel();
    return this.inner.return!();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
