/**
 * consumeChannel: a channel read as an Observable by its only consumer,
 * which cancels the channel when it stops reading.
 */
import { Observable } from 'rxjs';
import { asChannelImpl, describeValue, type ReceiveChannel } from '../core/channel.js';

/**
 * Returns an Observable of the values received from `channel`, for a
 * subscriber that owns the channel: when it stops reading before the
 * channel is drained, by unsubscribing or because it errors (an error
 * thrown downstream unsubscribes it too), the channel is cancelled: closed,
 * its buffered values handed to its `onUndelivered` hook, and waiting
 * senders rejected with `ChannelClosedError`. So the producer learns that
 * nobody will read, instead of waiting forever on a full buffer. A channel
 * made by `toChannel` then stops its source.
 *
 * Ordering, delivery and backpressure are those of {@link fromChannel}:
 * one receive outstanding, each value handed synchronously to `next`.
 * Close: buffered values are delivered, then the subscriber completes (and
 * nothing is cancelled: nothing is left). Error: a failed `toChannel`
 * channel errors after its buffered values. Meant for one subscriber;
 * several would compete for values, and the first to stop would cancel the
 * channel for all (use `share()` to fan out).
 *
 * @example
 * ```ts
 * const dropped: number[] = [];
 * const ch = chan<number>(4, { onUndelivered: (n) => dropped.push(n) });
 * for (const n of [1, 2, 3]) ch.trySend(n);
 * const taken = await firstValueFrom(consumeChannel(ch));
 * console.log(taken, ch.closed, dropped); // 1 true [ 2, 3 ]
 * ```
 * @throws TypeError if `channel` is not a channel made by this library.
 * @see fromChannel
 */
export function consumeChannel<T>(channel: ReceiveChannel<T>): Observable<T> {
  const impl = asChannelImpl(channel);
  if (impl === undefined) {
    throw new TypeError(`consumeChannel(): expected a channel, got ${describeValue(channel)}`);
  }
  return new Observable<T>((subscriber) => {
    const subscription = channel['@@observable']().subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      // After a normal completion the channel is closed and empty, so this
      // changes nothing; a nil channel can never be cancelled.
      if (!impl.isNil) channel.cancel();
    };
  });
}
