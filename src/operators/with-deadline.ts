/**
 * withDeadline: the runner's deadline applied to a whole stream, counted
 * from subscription to completion.
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { describeValue } from '../core/channel.js';
import { systemClock, type Clock } from '../core/clock.js';
import { TimeoutError } from '../core/errors.js';

/** Options of {@link withDeadline}. */
export interface WithDeadlineOptions {
  /** The clock that measures the deadline; {@link systemClock} by default. */
  clock?: Clock | undefined;
}

function checkArguments(ms: unknown, options: unknown): Clock {
  if (typeof ms !== 'number') {
    throw new TypeError(`withDeadline(): ms must be a number, got ${describeValue(ms)}`);
  }
  if (!(ms > 0)) {
    throw new RangeError(`withDeadline(): ms must be a positive number, got ${ms}`);
  }
  if (options === undefined) return systemClock;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`withDeadline(): options must be an object, got ${describeValue(options)}`);
  }
  const { clock } = options as WithDeadlineOptions;
  if (clock === undefined) return systemClock;
  if (
    typeof clock !== 'object' ||
    clock === null ||
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    throw new TypeError(
      `withDeadline(): clock must have now, setTimeout and clearTimeout methods, ` +
        `got ${describeValue(clock)}`,
    );
  }
  return clock;
}

/**
 * Mirrors the source, but errors with {@link TimeoutError} if the source has
 * not completed within `ms` milliseconds of subscription: a deadline for the
 * whole stream, as `Runner` puts one on a whole list of tasks. `Infinity`
 * means no deadline.
 *
 * Compared with RxJS: `timeout(ms)` (or `timeout({ each, first })`) limits
 * the wait for the first value and the gaps between values, so a stream that
 * keeps emitting never times out, however long it runs. `withDeadline`
 * limits the total time until `complete`, however busy the stream is: a
 * source that emits every millisecond still fails at the deadline.
 *
 * Ordering: values pass through unchanged and in order, up to the deadline.
 * Buffering: none. Completion: when the source completes before the
 * deadline; the timer is cleared then. Error: a source error passes through
 * and clears the timer; at the deadline the result errors with
 * `TimeoutError` (its `ms` is the deadline) and the source is unsubscribed,
 * which tears down whatever it started. Unsubscribe: clears the timer and
 * unsubscribes the source.
 *
 * @example
 * ```ts
 * const quick = await lastValueFrom(of(1, 2, 3).pipe(withDeadline(20), toArray()));
 * console.log(quick); // [ 1, 2, 3 ]
 *
 * let tornDown = false;
 * const endless = new Observable<number>(() => () => (tornDown = true));
 * const error = await lastValueFrom(endless.pipe(withDeadline(5))).catch((e) => e);
 * console.log(error.message, error.ms, tornDown); // timed out after 5 ms 5 true
 * ```
 * @throws TypeError if `ms` is not a number, or `options` or `clock` has the
 * wrong shape; RangeError if `ms` is not positive (synchronously).
 * @see Runner
 */
export function withDeadline<T>(
  ms: number,
  options?: WithDeadlineOptions,
): MonoTypeOperatorFunction<T> {
  const clock = checkArguments(ms, options);
  return (source) =>
    new Observable<T>((subscriber) => {
      // Armed before subscribing, so time a source spends subscribing counts.
      const handle =
        ms === Infinity
          ? undefined
          : clock.setTimeout(() => subscriber.error(new TimeoutError(ms)), ms);
      const subscription = source.subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        if (ms !== Infinity) clock.clearTimeout(handle);
        subscription.unsubscribe();
      };
    });
}
