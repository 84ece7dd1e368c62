/**
 * fromChannel: a channel read as an Observable, losslessly, by any number
 * of competing subscribers.
 */
import { Observable } from 'rxjs';
import { asChannelImpl, describeValue, type ReceiveChannel } from '../core/channel.js';

/**
 * Returns a cold Observable of the values received from `channel`. Each
 * subscriber keeps one receive outstanding and takes a value only when it
 * can hand it to `next` at once, synchronously, so a subscriber that stops
 * early (`take(2)`, an error downstream) leaves every later value in the
 * channel. Several subscribers compete: each value goes to exactly one of
 * them, in FIFO order of their waiting receives (use `share()` to
 * broadcast instead). Equivalent to RxJS's `from(ch)`, which takes the
 * same interop path, with the value type kept and the argument checked.
 *
 * Close: values buffered at the close are delivered, then the subscriber
 * completes. Error: a channel made by `toChannel` whose source failed
 * errors with that error after its buffered values; the channel itself is
 * never errored by a subscriber. Unsubscribe: the outstanding receive is
 * withdrawn and nothing is consumed; the channel stays open. Backpressure:
 * a value leaves the channel only when a subscriber takes it, so senders
 * on a full channel wait for the subscribers.
 *
 * @example
 * ```ts
 * const jobs = chan<string>(4);
 * for (const job of ['a', 'b', 'c']) jobs.trySend(job);
 * const firstTwo = await lastValueFrom(fromChannel(jobs).pipe(take(2), toArray()));
 * console.log(firstTwo); // [ 'a', 'b' ]
 * console.log(jobs.length); // 1
 * ```
 * @throws TypeError if `channel` is not a channel made by this library.
 * @see consumeChannel
 * @see toChannel
 */
export function fromChannel<T>(channel: ReceiveChannel<T>): Observable<T> {
  if (asChannelImpl(channel) === undefined) {
    throw new TypeError(`fromChannel(): expected a channel, got ${describeValue(channel)}`);
  }
  return new Observable<T>((subscriber) => {
    // The subscriber itself is the observer: the channel checks its
    // `closed` before every receive, which also covers a subscriber that
    // stops during subscribe, before this teardown is registered.
    const subscription = channel['@@observable']().subscribe(subscriber);
    return () => subscription.unsubscribe();
  });
}
