/**
 * dispatch: every source value run as a job through a `Dispatcher` (a job
 * queue and a fixed set of workers), with optional one-at-a-time ordering
 * per key.
 *
 * Invariants (hold between any two notifications):
 * 1. A key is busy while one of its values is in the dispatcher (queued or
 *    running); later values of a busy key wait in that key's FIFO, so at
 *    most one value per key is handled at a time, in source order.
 * 2. Values waiting in the job queue plus values waiting behind a busy key
 *    never exceed `maxQueue`; moving a key's next value into the job queue
 *    keeps that sum, so it always finds room.
 * 3. Nothing is emitted after the output errored or was unsubscribed.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { describeValue } from '../core/channel.js';
import { BufferOverflowError } from '../core/errors.js';
import { Dispatcher, checkSizes } from '../patterns/dispatcher.js';

/** Options of {@link dispatch}. */
export interface DispatchOptions<T> {
  /** How many handlers run at once; a positive integer. */
  maxWorkers: number;
  /**
   * How many values may wait for a worker, counting values waiting behind
   * a busy key; a positive integer. More is a `BufferOverflowError`.
   */
  maxQueue: number;
  /**
   * Values with the same key are handled one at a time, in source order;
   * values with different keys run concurrently. Without it, every value is
   * independent.
   */
  key?: ((value: T) => string) | undefined;
}

/** A source value on its way through the dispatcher, with its key. */
interface Job<T> {
  readonly value: T;
  readonly key: string | undefined;
}

/**
 * Runs each source value through a {@link Dispatcher}: `handler(value,
 * signal)` is called by one of `maxWorkers` workers, and its result (or
 * the value of the promise it returns) is emitted; `signal` is shared by
 * every call and aborts when the output errors or is unsubscribed (remove
 * any listener added to it when the call ends). With `key`, values
 * sharing a key are handled one at a time in source order, while values of
 * different keys run concurrently, as a per-account or per-file queue.
 *
 * Ordering: results are emitted as handlers finish, not in source order;
 * with `key`, results of one key keep source order. Buffering: an
 * Observable cannot be made to wait, so values arriving while `maxQueue`
 * values already wait (in the job queue or behind a busy key) error the
 * output with `BufferOverflowError`; size `maxQueue` for the largest burst.
 *
 * Completion: after the source completes and every value has been handled
 * and its result emitted. Error: a handler failure, a `key` that throws, a
 * source error or an overflow errors the output at once, and the signal of
 * every running handler aborts with that error; waiting values are
 * dropped. Unsubscribe: the dispatcher stops with an abort: running
 * handlers see their signal abort (their results are dropped) and waiting
 * values are dropped.
 *
 * @example
 * ```ts
 * const results = await lastValueFrom(
 *   of(1, 2, 3, 4).pipe(dispatch(async (n: number) => n * 10, { maxWorkers: 2, maxQueue: 4 }), toArray()),
 * );
 * console.log(results.sort((a, b) => a - b)); // [ 10, 20, 30, 40 ]
 * ```
 * @example
 * ```ts
 * const handled = await lastValueFrom(
 *   of('a1', 'b1', 'a2', 'b2', 'a3').pipe(
 *     dispatch(async (job: string) => job, { maxWorkers: 2, maxQueue: 5, key: (job) => job[0] }),
 *     toArray(),
 *   ),
 * );
 * console.log(handled.filter((job) => job.startsWith('a'))); // [ 'a1', 'a2', 'a3' ]
 * ```
 * @throws TypeError if `handler` or `key` is not a function or `options`
 * is not an object; RangeError if `maxWorkers` or `maxQueue` is not a
 * positive integer (synchronously).
 * @see Dispatcher
 * @see workerPool
 */
export function dispatch<T, R>(
  handler: (value: T, signal: AbortSignal) => R | PromiseLike<R>,
  options: DispatchOptions<T>,
): OperatorFunction<T, R> {
  if (typeof handler !== 'function') {
    throw new TypeError(`dispatch(): handler must be a function, got ${describeValue(handler)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`dispatch(): options must be an object, got ${describeValue(options)}`);
  }
  const { maxWorkers, maxQueue, key } = options;
  checkSizes('dispatch()', maxWorkers, maxQueue);
  if (key !== undefined && typeof key !== 'function') {
    throw new TypeError(`dispatch(): key must be a function, got ${describeValue(key)}`);
  }

  return (source) =>
    new Observable<R>((subscriber) => {
      /** Set by the first error or by unsubscribe; nothing is emitted or submitted after. */
      let isStopped = false;
      /** Why the output stopped early; the reason handlers see. */
      let stopReason: unknown = undefined;
      let isSourceDone = false;
      /** Set just before the output completes. */
      let isComplete = false;
      /** Values accepted by the dispatcher whose results are not yet emitted. */
      let inFlight = 0;
      /** Values waiting behind a busy key, over all keys. */
      let waiting = 0;
      /** Busy keys, each with its values waiting in source order. */
      const keyed = new Map<string, T[]>();

      const fail = (error: unknown): void => {
        if (isStopped) return;
        isStopped = true;
        stopReason = error;
        subscriber.error(error);
      };

      const dispatcher = new Dispatcher<Job<T>>({
        maxWorkers,
        maxQueue,
        handler: async (job, signal) => {
          const result = await handler(job.value, signal);
          if (isStopped) return;
          subscriber.next(result);
          finished(job.key);
        },
        onError: (error) => fail(error),
      });

      // Precondition: there is room (invariant 2), so this fails only on a bug.
      const submit = (job: Job<T>): void => {
        inFlight++;
        if (!dispatcher.trySubmit(job)) fail(new BufferOverflowError(maxQueue));
      };

      const finished = (jobKey: string | undefined): void => {
        inFlight--;
        if (isStopped) return;
        if (jobKey !== undefined) {
          const behind = keyed.get(jobKey) as T[];
          const next = behind.shift();
          if (next === undefined) {
            keyed.delete(jobKey);
          } else {
            waiting--;
            submit({ value: next, key: jobKey });
          }
        }
        completeIfDone();
      };

      const completeIfDone = (): void => {
        if (!isSourceDone || inFlight > 0 || waiting > 0 || isStopped) return;
        isStopped = true;
        dispatcher.stop({ drain: true }).then(
          () => {
            isComplete = true;
            subscriber.complete();
          },
          (error: unknown) => subscriber.error(error),
        );
      };

      const accept = (value: T): void => {
        if (isStopped) return;
        let jobKey: string | undefined;
        if (key !== undefined) {
          try {
            jobKey = key(value);
          } catch (error) {
            fail(error);
            return;
          }
        }
        // Invariant 2, checked before either path.
        if (dispatcher.queued + waiting >= maxQueue) {
          fail(new BufferOverflowError(maxQueue));
          return;
        }
        if (jobKey !== undefined) {
          const behind = keyed.get(jobKey);
          if (behind !== undefined) {
            behind.push(value);
            waiting++;
            return;
          }
          keyed.set(jobKey, []);
        }
        submit({ value, key: jobKey });
      };

      const subscription = source.subscribe({
        next: accept,
        error: fail,
        complete: () => {
          isSourceDone = true;
          completeIfDone();
        },
      });

      return () => {
        subscription.unsubscribe();
        // After completion the dispatcher has stopped by draining; an abort
        // now would only fire the shared signal of handlers long finished.
        if (isComplete) return;
        isStopped = true;
        dispatcher.stop({ drain: false, reason: stopReason }).then(noop, noop);
      };
    });
}

function noop(): void {}
