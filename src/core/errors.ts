/**
 * Error classes for misuse of channels and for operations that ran out of
 * time. Bad arguments are reported with the built-in `TypeError` and
 * `RangeError` instead; aborted operations reject with `signal.reason`.
 */

/**
 * Thrown (or used as a rejection) when an operation needs an open channel
 * and the channel is closed: `send` and `trySend` on a closed channel, a
 * sender still parked when the channel closes, a second `close`, and a plain
 * `receive` once the channel is closed and its buffer drained.
 *
 * @example
 * ```ts
 * const ch = chan<number>(1);
 * ch.close();
 * try {
 *   ch.trySend(1);
 * } catch (error) {
 *   console.log(error instanceof ChannelClosedError); // true
 * }
 * ```
 */
export class ChannelClosedError extends Error {
  override name = 'ChannelClosedError';

  constructor(message = 'channel is closed', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown when a bounded buffer would have to grow past its capacity and the
 * overflow policy is `'error'` (used by the RxJS adapters, which buffer push
 * sources). `capacity` is the bound that was hit.
 *
 * @example
 * ```ts
 * const error = new BufferOverflowError(8);
 * console.log(error.message); // buffer overflow: more than 8 values waiting
 * ```
 */
export class BufferOverflowError extends Error {
  override name = 'BufferOverflowError';
  /** The capacity that would have been exceeded. */
  readonly capacity: number;

  constructor(capacity: number, options?: { cause?: unknown }) {
    super(`buffer overflow: more than ${capacity} values waiting`, options);
    this.capacity = capacity;
  }
}

/**
 * The rejection of an operation that did not finish before its deadline.
 * `ms` is the deadline that passed, in milliseconds.
 *
 * @example
 * ```ts
 * const error = new TimeoutError(250);
 * console.log(error.message); // timed out after 250 ms
 * ```
 */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
  /** The deadline that passed, in milliseconds. */
  readonly ms: number;

  constructor(ms: number, options?: { cause?: unknown }) {
    super(`timed out after ${ms} ms`, options);
    this.ms = ms;
  }
}

/**
 * The rejection of a `ResourcePool` acquire that cannot be served because
 * the pool is closed: every acquire made after `close()`, and every acquire
 * still waiting (for a free slot, a new resource or a health check) when
 * `close()` is called.
 *
 * @example
 * ```ts
 * const pool = new ResourcePool(() => ({ close() {} }), { size: 1 });
 * await pool.close();
 * const error = await pool.acquire().catch((e) => e);
 * console.log(error instanceof PoolClosedError, error.message); // true resource pool is closed
 * ```
 */
export class PoolClosedError extends Error {
  override name = 'PoolClosedError';

  constructor(message = 'resource pool is closed', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The rejection of work stopped by an interrupt rather than by its own
 * failure or a deadline: an operating-system signal such as `SIGINT`
 * (Ctrl-C), or an AbortSignal. `signal` names the operating-system signal
 * when one caused it, and is undefined otherwise; when an AbortSignal fired,
 * `cause` holds its `reason`. `Runner.start()` rejects with it.
 *
 * @example
 * ```ts
 * const fromCtrlC = new InterruptError({ signal: 'SIGINT' });
 * console.log(fromCtrlC.message, fromCtrlC.signal); // interrupted by SIGINT SIGINT
 *
 * const fromAbort = new InterruptError({ cause: 'user went away' });
 * console.log(fromAbort.message, fromAbort.cause); // interrupted user went away
 * ```
 */
export class InterruptError extends Error {
  override name = 'InterruptError';
  /** The operating-system signal that interrupted, such as `'SIGINT'`, if any. */
  readonly signal: string | undefined;

  constructor(options?: { signal?: string | undefined; cause?: unknown }) {
    const signal = options?.signal;
    super(
      signal === undefined ? 'interrupted' : `interrupted by ${signal}`,
      options !== undefined && 'cause' in options ? { cause: options.cause } : undefined,
    );
    this.signal = signal;
  }
}
