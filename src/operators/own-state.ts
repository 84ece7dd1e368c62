/**
 * ownState as an operator: upstream update functions applied, one at a
 * time, by a task that owns the state; every state is emitted.
 */
import { EMPTY, Observable, type OperatorFunction } from 'rxjs';
import { resolveOptions, type OverflowPolicy } from '../adapters/to-channel.js';
import { ChannelClosedError } from '../core/errors.js';
import { ownState as startOwner, type StateUpdate } from '../patterns/own-state.js';
import { bufferSource } from './produce.js';

/** Options of the {@link ownState} operator. */
export interface OwnStateOperatorOptions {
  /** Size of the buffer of updates waiting for the owner; 16 by default. */
  capacity?: number | undefined;
  /**
   * What that buffer does when full (see `toChannel`): `'error'` (the
   * default) errors with `BufferOverflowError`; `'drop-newest'`,
   * `'drop-oldest'` or `'unbounded'` otherwise.
   */
  overflow?: OverflowPolicy | undefined;
}

/**
 * Treats each upstream value as an update function `(state, signal) =>
 * next` (sync or async), applies them one at a time in a task that owns
 * the state (`rxchan`'s `ownState`, Go's shared-variable watchdog), and
 * emits `initial` on subscription, then the state after each update.
 * Compared with `scan`, updates may be asynchronous and still never
 * overlap or lose a write; compared with `mergeScan(fn, seed, 1)`, the
 * queue of waiting updates is bounded.
 *
 * Ordering: updates apply in upstream order, each after the previous one
 * finished; states are emitted in that order. Buffering: updates wait in a
 * buffer of `capacity` (16 by default) with the `overflow` policy, since
 * an Observable cannot be slowed down.
 *
 * Completion: after the upstream completes and every buffered update was
 * applied. Error: an upstream error, an update that throws (or is not a
 * function), or a buffer overflow (with `'error'`) errors at once and
 * stops the owner. Unsubscribe: the owner task stops (an update in
 * progress sees its signal aborted), the pending receive is withdrawn and
 * the upstream is unsubscribed.
 *
 * @example
 * ```ts
 * const states = await lastValueFrom(
 *   of(
 *     (n: number) => n + 1,
 *     async (n: number) => n * 10,
 *   ).pipe(ownState(1), toArray()),
 * );
 * console.log(states); // [ 1, 2, 20 ]
 * ```
 * @throws TypeError if `overflow` is unknown or `options` is not an
 * object; RangeError for a bad `capacity` (synchronously).
 * @see daisyChain
 */
export function ownState<S>(
  initial: S,
  options?: OwnStateOperatorOptions,
): OperatorFunction<StateUpdate<S>, S> {
  const { capacity, overflow } = resolveOptions('ownState()', EMPTY, options);
  return (source) =>
    new Observable<S>((subscriber) => {
      subscriber.next(initial);
      // A subscriber that stopped at the initial state needs no owner.
      if (subscriber.closed) return undefined;
      const owner = startOwner(initial);
      const updates = bufferSource(source, subscriber, capacity, overflow);

      const pump = async (): Promise<void> => {
        for (;;) {
          let update: StateUpdate<S>;
          try {
            update = await updates.channel.receive();
          } catch (error) {
            if (error instanceof ChannelClosedError) break;
            throw error;
          }
          subscriber.next(await owner.write(update));
        }
        subscriber.complete();
      };

      pump().then(undefined, (error: unknown) => subscriber.error(error));
      return () => {
        updates.teardown();
        owner.close();
      };
    });
}
