/**
 * future: call a function now, read its one result as often as needed
 * later. Go writes this as a goroutine sending into a channel of capacity 1,
 * which only one reader can ever receive from; here every reader gets the
 * same outcome.
 *
 *     pending ──work resolves──▶ fulfilled (every get() resolves with the value)
 *        ├────work fails─────▶ rejected  (every get() rejects with the error)
 *        └────signal aborts──▶ rejected  (reason: signal.reason)
 *
 * Invariants:
 * 1. The work function is called exactly once, synchronously, by `future`.
 * 2. A future settles once; its outcome never changes afterwards.
 * 3. A waiting `get` is in `waiters` until the future settles or its own
 *    signal aborts; either removes it and its abort listener.
 * 4. The `done` channel, once made, is closed exactly when the future
 *    settles.
 */
import {
  chan,
  describeValue,
  type Channel,
  type ReceiveChannel,
  type WaitOptions,
} from '../core/channel.js';

/** The work a future runs: called once with the future's signal. */
export type FutureWork<T> = (signal: AbortSignal) => T | PromiseLike<T>;

/** Options of {@link future} and {@link Future.map}. */
export interface FutureOptions {
  /**
   * Aborting rejects a pending future with `signal.reason` at once and
   * aborts the signal handed to the work; a late result is ignored.
   */
  signal?: AbortSignal | undefined;
}

/** Where a future is in its life. */
export type FutureState = 'pending' | 'fulfilled' | 'rejected';

/**
 * The result of work started by {@link future}, readable any number of
 * times.
 */
export interface Future<T> {
  /** `'pending'` until the work settles (or the future is aborted). */
  readonly state: FutureState;
  /**
   * Resolves with the work's value, or rejects with its error; every call
   * gets the same outcome, before or after the future settled. Aborting
   * `signal` withdraws this one wait (it rejects with `signal.reason`) and
   * leaves the future and its other readers alone.
   */
  get(options?: WaitOptions): Promise<T>;
  /**
   * A channel closed when the future settles, so a future can be a case of
   * `select` (receive from it, then `get()`). Nothing is ever sent on it.
   */
  readonly done: ReceiveChannel<never>;
  /**
   * Starts a new future that applies `fn` to this one's value as soon as
   * it is there: futures chained this way form a pipe of concurrent
   * filters. If this future rejects, the new one rejects with the same
   * error and `fn` is not called.
   *
   * @throws TypeError if `fn` is not a function or an option is bad.
   */
  map<R>(
    fn: (value: T, signal: AbortSignal) => R | PromiseLike<R>,
    options?: FutureOptions,
  ): Future<R>;
}

/** A `get` waiting for a pending future. */
interface GetWaiter<T> {
  resolve(value: T): void;
  reject(reason: unknown): void;
  /** The signal of this `get`, listened to while it waits. */
  signal: AbortSignal;
  /** Its abort listener, removed when the future settles. */
  onAbort(): void;
}

class FutureImpl<T> implements Future<T> {
  /** Where the future is; changed once, by `settle`. */
  state: FutureState = 'pending';
  /** Waiting `get`s that carry a signal; emptied by `settle`. */
  private readonly waiters = new Set<GetWaiter<T>>();
  /** Settles with the outcome; made at construction, never rejects unhandled. */
  private readonly promise: Promise<T>;
  /** Resolves `promise`; set once, at construction. */
  private resolvePromise: (value: T) => void = noop;
  /** Rejects `promise`; set once, at construction. */
  private rejectPromise: (reason: unknown) => void = noop;
  /** The channel closed on settling; made lazily by the `done` getter. */
  private doneChannel: Channel<never> | undefined = undefined;
  /** Aborts the work's signal; aborted by an abort of the parent signal. */
  private readonly controller = new AbortController();

  constructor(
    work: FutureWork<T>,
    /** The caller's signal, if any; fixed. */
    private readonly parent: AbortSignal | undefined,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    // Reading later is the point of a future, so an outcome nobody has read
    // yet is not an unhandled rejection.
    this.promise.catch(noop);

    if (parent !== undefined && parent.aborted) {
      this.controller.abort(parent.reason);
      this.settle('rejected', parent.reason);
      return;
    }
    parent?.addEventListener('abort', this.parentAborted);
    let result: T | PromiseLike<T>;
    try {
      result = work(this.controller.signal);
    } catch (error) {
      this.settle('rejected', error);
      return;
    }
    Promise.resolve(result).then(
      (value) => this.settle('fulfilled', value),
      (error: unknown) => this.settle('rejected', error),
    );
  }

  get done(): ReceiveChannel<never> {
    if (this.doneChannel === undefined) {
      this.doneChannel = chan<never>();
      if (this.state !== 'pending') this.doneChannel.close();
    }
    return this.doneChannel.receiveOnly;
  }

  get(options?: WaitOptions): Promise<T> {
    const signal = options?.signal;
    if (signal === undefined || this.state !== 'pending') return this.promise;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const waiter: GetWaiter<T> = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.waiters.delete(waiter);
          reject(signal.reason);
        },
      };
      this.waiters.add(waiter);
      signal.addEventListener('abort', waiter.onAbort, { once: true });
    });
  }

  map<R>(
    fn: (value: T, signal: AbortSignal) => R | PromiseLike<R>,
    options?: FutureOptions,
  ): Future<R> {
    if (typeof fn !== 'function') {
      throw new TypeError(`Future.map(): fn must be a function, got ${describeValue(fn)}`);
    }
    const signal = checkFutureOptions('Future.map()', options);
    return new FutureImpl<R>(
      async (mapSignal) => fn(await this.get({ signal: mapSignal }), mapSignal),
      signal,
    );
  }

  /** The abort listener on the parent signal. */
  private readonly parentAborted = (): void => {
    const reason = (this.parent as AbortSignal).reason;
    this.controller.abort(reason);
    if (this.state === 'pending') this.settle('rejected', reason);
  };

  /** Records the outcome once and wakes every reader. */
  private settle(state: 'fulfilled' | 'rejected', outcome: unknown): void {
    if (this.state !== 'pending') return;
    this.state = state;
    this.parent?.removeEventListener('abort', this.parentAborted);
    if (state === 'fulfilled') this.resolvePromise(outcome as T);
    else this.rejectPromise(outcome);
    for (const waiter of this.waiters) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      if (state === 'fulfilled') waiter.resolve(outcome as T);
      else waiter.reject(outcome);
    }
    this.waiters.clear();
    if (this.doneChannel !== undefined) this.doneChannel.close();
  }
}

function noop(): void {}

function checkFutureOptions(
  call: string,
  options: FutureOptions | undefined,
): AbortSignal | undefined {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${call}: signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  return signal;
}

/**
 * Calls `work(signal)` now and returns a {@link Future} of its result, which
 * any number of readers can `get()` later, as Go's future (a goroutine that
 * sends its one result into a channel of capacity 1), except that the
 * result is kept rather than handed to the first reader only. `map` chains
 * futures into a pipe of concurrent filters.
 *
 * Error: if `work` throws or rejects, every `get()` rejects with that
 * error. A failure that nobody reads is not reported anywhere (reading
 * later is what a future is for): read every future you start.
 *
 * Abort: aborting `signal` while the future is pending rejects it at once
 * with `signal.reason` and aborts the signal handed to `work`, which should
 * stop; what `work` returns afterwards is ignored. After the future has
 * settled an abort changes nothing. A single reader gives up with
 * `get({ signal })` without affecting the others.
 *
 * Backpressure: none; `work` runs as soon as `future` is called and its
 * result is held until the future is dropped.
 *
 * @example
 * ```ts
 * const query = future(async () => 'get ' + 'select * from table');
 * console.log(await query.get()); // get select * from table
 * console.log(await query.get()); // get select * from table
 *
 * const length = query.map((rows) => rows.length);
 * console.log(await length.get(), length.state); // 23 fulfilled
 *
 * const failing = future(() => {
 *   throw new Error('no connection');
 * });
 * const reasons = await Promise.all([1, 2].map(() => failing.get().catch((e) => e.message)));
 * console.log(reasons); // [ 'no connection', 'no connection' ]
 * ```
 * @throws TypeError if `work` is not a function, `options` is not an
 * object or `signal` is not an AbortSignal.
 * @see produce
 */
export function future<T>(work: FutureWork<T>, options?: FutureOptions): Future<T> {
  if (typeof work !== 'function') {
    throw new TypeError(`future(): work must be a function, got ${describeValue(work)}`);
  }
  return new FutureImpl<T>(work, checkFutureOptions('future()', options));
}
