/**
 * future as an Observable: work started once, its one result replayed to
 * every subscriber.
 */
import { Observable } from 'rxjs';
import { describeValue } from '../core/channel.js';
import {
  future as startFuture,
  type Future,
  type FutureOptions,
  type FutureWork,
} from '../patterns/future.js';

/**
 * Returns an Observable of the one result of `work`, which is called now,
 * once, whatever the number of subscribers: every subscriber, early or
 * late, gets the value then `complete`, or the same error. Pass a
 * `Future` made by `rxchan`'s `future` to read it as an Observable. It is a
 * creation function because the work starts at the call, as Go's future
 * does, not at subscription.
 *
 * Compared with RxJS: `defer(work).pipe(shareReplay(1))` starts the work on
 * the first subscription and, after a failure, runs it again for the next
 * subscriber; `future` never reruns it and replays the failure too. Unlike
 * `from(promise)`, the work gets an AbortSignal (from `options.signal`).
 *
 * Ordering: one value. Buffering: the result is held for the Observable's
 * lifetime. Completion: after the value. Error: the work's error, or
 * `signal.reason` if `signal` aborted first, to every subscriber.
 * Unsubscribe: withdraws that subscriber's wait only; the work belongs to
 * every reader, so it is aborted only through `options.signal`.
 *
 * @example
 * ```ts
 * let calls = 0;
 * const answer = future(async () => {
 *   calls++;
 *   return 42;
 * });
 * console.log(await firstValueFrom(answer), await firstValueFrom(answer)); // 42 42
 * console.log(calls); // 1
 *
 * const broken = future(() => Promise.reject(new Error('down')));
 * const seen = await Promise.all(
 *   [1, 2].map(() => firstValueFrom(broken).catch((error) => error.message)),
 * );
 * console.log(seen); // [ 'down', 'down' ]
 * ```
 * @throws TypeError if `work` is neither a function nor a Future, or an
 * option is bad (synchronously).
 * @see produce
 */
export function future<T>(work: FutureWork<T> | Future<T>, options?: FutureOptions): Observable<T> {
  const started: Future<T> =
    typeof work === 'function' ? startFuture<T>(work, options) : asFuture<T>(work, options);
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    started.get({ signal: controller.signal }).then(
      (value) => {
        subscriber.next(value);
        subscriber.complete();
      },
      (error: unknown) => {
        if (!controller.signal.aborted) subscriber.error(error);
      },
    );
    return () => controller.abort();
  });
}

/** Checks that `value` is a Future (and that no options came with it). */
function asFuture<T>(value: unknown, options: FutureOptions | undefined): Future<T> {
  const candidate = value as Future<T> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.get !== 'function' ||
    typeof candidate.map !== 'function'
  ) {
    throw new TypeError(
      `future(): work must be a function or a Future, got ${describeValue(value)}`,
    );
  }
  if (options !== undefined) {
    throw new TypeError(
      'future(): options apply only when work is a function, got a Future and options',
    );
  }
  return candidate;
}
