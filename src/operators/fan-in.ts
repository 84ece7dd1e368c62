/**
 * fanIn as an Observable: several channels read fairly by one task, their
 * values emitted as one stream.
 */
import { Observable } from 'rxjs';
import type { ReceiveChannel } from '../core/channel.js';
import { fanIn as fanInChannel, fanInArguments, type FanInOptions } from '../patterns/fan-in.js';
import { observeProduced } from './produce.js';

/** Options of the {@link fanIn} Observable. */
export type FanInObservableOptions<T> = Pick<FanInOptions<T>, 'random' | 'onUndelivered'>;

/**
 * Returns a cold Observable of the values received from several channels,
 * read by one task that selects over all of them: Go's multiplexing, as an
 * RxJS creation function. Use it instead of `merge(from(a), from(b))` when
 * the sources are channels: `merge` subscribes to each and lets whichever
 * channel has values drain first, while `fanIn` picks uniformly at random
 * among the channels that are ready, so a busy channel cannot starve a
 * quiet one. Call it with channels as arguments, or an array and options.
 *
 * Ordering: values of one channel keep their order; values of different
 * channels interleave as received. Buffering: none; a value is taken from
 * a channel only once the previous one has been handed to `next`, so
 * senders on the channels wait for the subscriber.
 *
 * Completion: once every channel is closed and drained. Error: none of its
 * own (channels do not fail). Unsubscribe: the pending select is withdrawn
 * from every channel, so nothing more is taken; a value taken but not yet
 * emitted at that moment (possible only when unsubscribing from outside
 * `next`) is handed to `onUndelivered`. The channels stay open: several
 * subscribers compete for their values.
 *
 * @example
 * ```ts
 * const fast = chan<string>(3);
 * const slow = chan<string>(1);
 * for (const v of ['f1', 'f2', 'f3']) fast.trySend(v);
 * slow.trySend('s1');
 * const firstThree = await lastValueFrom(
 *   fanIn([fast, slow], { random: seededRandom(3) }).pipe(take(3), toArray()),
 * );
 * console.log(firstThree.length); // 3
 * console.log(fast.length + slow.length); // 1
 * ```
 * @throws TypeError if an input is not a channel made by this library, or
 * an option is bad (synchronously).
 * @see produce
 */
export function fanIn<T>(
  inputs: readonly ReceiveChannel<T>[],
  options?: FanInObservableOptions<T>,
): Observable<T>;
export function fanIn<T>(...inputs: ReceiveChannel<T>[]): Observable<T>;
export function fanIn<T>(...args: unknown[]): Observable<T> {
  const { inputs, options } = fanInArguments<T>('fanIn()', args);
  return new Observable<T>((subscriber) =>
    observeProduced(
      fanInChannel(inputs, { random: options?.random, onUndelivered: options?.onUndelivered }),
      subscriber,
    ),
  );
}
