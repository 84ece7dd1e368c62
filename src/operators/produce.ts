/**
 * produce as an Observable: each subscription runs its own producer task
 * and reads the channel it fills.
 */
import { Observable, type Subscriber } from 'rxjs';
import type { OverflowPolicy } from '../adapters/to-channel.js';
import { chan, describeValue, type Channel } from '../core/channel.js';
import { BufferOverflowError } from '../core/errors.js';
import { produce as produceChannel, type Produced, type Producer } from '../patterns/produce.js';

/**
 * Returns a cold Observable that, for each subscriber, runs `producer` as
 * a task sending into a channel and emits what it sends: the generator
 * service of `rxchan`'s `produce`, as an RxJS creation function. It is a
 * creation function, not an operator, because a generator has no upstream:
 * like `defer`, it starts its work when subscribed, once per subscriber.
 *
 * Ordering: values are emitted in the order the producer sends them.
 * Buffering: none; the channel is unbuffered and each `send` resolves once
 * its value was handed to `next`, so the producer runs in step with the
 * subscriber (a synchronous `next` takes every value at once).
 *
 * Completion: when the producer returns. Error: when the producer fails,
 * with its error. Unsubscribe: the channel is cancelled, which rejects a
 * waiting send with `ChannelClosedError`, aborts the producer's signal and
 * returns a generator producer; the pending receive is withdrawn.
 *
 * @example
 * ```ts
 * const signals: AbortSignal[] = [];
 * const counter = produce<number>(async (send, signal) => {
 *   signals.push(signal);
 *   for (let n = 1; ; n++) await send(n);
 * });
 * console.log(await lastValueFrom(counter.pipe(take(3), toArray()))); // [ 1, 2, 3 ]
 * console.log(signals.map((signal) => signal.aborted)); // [ true ]
 * ```
 * @throws TypeError if `producer` is not a function.
 * @see fanIn
 */
export function produce<T>(producer: Producer<T>): Observable<T> {
  if (typeof producer !== 'function') {
    throw new TypeError(`produce(): producer must be a function, got ${describeValue(producer)}`);
  }
  return new Observable<T>((subscriber) => observeProduced(produceChannel(producer), subscriber));
}

function noop(): void {}

/**
 * Feeds the values of a produced channel to `subscriber` and returns the
 * teardown that cancels it. Completes after the channel closes and its
 * producer finished; errors as soon as the producer fails. Shared by the
 * operators built on `produce`.
 */
export function observeProduced<T>(channel: Produced<T>, subscriber: Subscriber<T>): () => void {
  channel.done.then(undefined, (error: unknown) => subscriber.error(error));
  const subscription = channel['@@observable']().subscribe({
    // The channel checks this before every receive, so a subscriber that
    // stopped takes nothing more from it.
    get closed() {
      return subscriber.closed;
    },
    next: (value: T) => subscriber.next(value),
    error: (error: unknown) => subscriber.error(error),
    complete: () => {
      // The channel closes just before `done` settles; wait for the verdict.
      channel.done.then(() => subscriber.complete(), noop);
    },
  });
  return () => {
    subscription.unsubscribe();
    channel.cancel();
  };
}

/**
 * Subscribes `source` into a new channel of `capacity` with the `overflow`
 * policy, for the operators that feed a pattern from an Observable. An
 * upstream error, and an overflow under `'error'`, go to `subscriber.error`
 * at once (fail fast), which runs the operator's teardown; completion
 * closes the channel. Returns the channel and the teardown that
 * unsubscribes the source and cancels the channel.
 */
export function bufferSource<T>(
  source: Observable<T>,
  subscriber: Subscriber<unknown>,
  capacity: number,
  overflow: OverflowPolicy,
): { channel: Channel<T>; teardown: () => void } {
  const channel =
    overflow === 'unbounded'
      ? chan<T>({ policy: 'unbounded' })
      : overflow === 'error'
        ? chan<T>(capacity)
        : chan<T>(capacity, { policy: overflow });
  const subscription = source.subscribe({
    next: (value) => {
      // Closed only by the teardown or a completion; nothing more to do.
      if (channel.closed) return;
      if (!channel.trySend(value)) subscriber.error(new BufferOverflowError(capacity));
    },
    error: (error: unknown) => subscriber.error(error),
    complete: () => {
      if (!channel.closed) channel.close();
    },
  });
  return {
    channel,
    teardown: () => {
      subscription.unsubscribe();
      channel.cancel();
    },
  };
}
