/**
 * daisyChain as an operator: upstream values pass through a chain of filter
 * stages, one task per stage, linked by unbuffered channels.
 */
import { EMPTY, Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { resolveOptions, type OverflowPolicy } from '../adapters/to-channel.js';
import {
  checkStages,
  daisyChain as daisyChainChannel,
  type Stage,
} from '../patterns/daisy-chain.js';
import { bufferSource, observeProduced } from './produce.js';

/** Options of the {@link daisyChain} operator. */
export interface DaisyChainOperatorOptions<T> {
  /**
   * Called with each value that reaches the end of the chain, before it is
   * emitted; a stage it returns is appended to the chain (the prime sieve
   * adds a filter for each prime).
   */
  extend?: ((value: T) => Stage<T> | undefined) | undefined;
  /** Size of the buffer between the upstream and the first stage; 16 by default. */
  capacity?: number | undefined;
  /**
   * What that buffer does when full (see `toChannel`): `'error'` (the
   * default) errors with `BufferOverflowError`; `'drop-newest'`,
   * `'drop-oldest'` or `'unbounded'` otherwise.
   */
  overflow?: OverflowPolicy | undefined;
}

/**
 * Passes each upstream value through a chain of filter stages, each run by
 * its own task and linked to the next by an unbuffered channel, and emits
 * the values that pass every stage: the concurrent prime sieve's daisy
 * chain as a pipeable operator (see `rxchan`'s `daisyChain`). With
 * `extend`, each emitted value may append a stage, so the chain grows as
 * it runs. A chain of plain `filter`s does the same work synchronously in
 * one call stack; use this one when stages are asynchronous and should
 * work on different values at the same time, as a pipeline.
 *
 * Ordering: upstream order is kept. Buffering: the upstream is pushed into
 * a buffer of `capacity` (16 by default) with the `overflow` policy, since
 * an Observable cannot be slowed down; past that, each link holds one value
 * in flight, and a value is emitted only when `next` can take it at once.
 *
 * Completion: after the upstream completes and the last value has gone
 * through. Error: an upstream error, a stage or `extend` that throws, or a
 * buffer overflow (with `'error'`) errors at once and stops every stage.
 * Unsubscribe: every stage task stops (its links are cancelled, its signal
 * aborted), the pending receives are withdrawn and the upstream is
 * unsubscribed.
 *
 * @example
 * ```ts
 * const primes = await lastValueFrom(
 *   range(2, 29).pipe(
 *     daisyChain([], { extend: (p) => (n) => n % p !== 0, capacity: 32 }),
 *     toArray(),
 *   ),
 * );
 * console.log(primes.join(' ')); // 2 3 5 7 11 13 17 19 23 29
 * ```
 * @throws TypeError if `stages` is not an array of functions, `extend` is
 * not a function or `overflow` is unknown; RangeError for a bad `capacity`
 * (synchronously).
 * @see fanIn
 */
export function daisyChain<T>(
  stages: readonly Stage<T>[] = [],
  options?: DaisyChainOperatorOptions<T>,
): MonoTypeOperatorFunction<T> {
  checkStages<T>('daisyChain()', stages, { extend: options?.extend });
  const { capacity, overflow } = resolveOptions('daisyChain()', EMPTY, {
    capacity: options?.capacity,
    overflow: options?.overflow,
  });
  const extend = options?.extend;
  return (source) =>
    new Observable<T>((subscriber) => {
      const input = bufferSource(source, subscriber, capacity, overflow);
      const stop = observeProduced(
        daisyChainChannel(input.channel, stages, { extend }),
        subscriber,
      );
      return () => {
        stop();
        input.teardown();
      };
    });
}
