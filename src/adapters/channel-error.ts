/**
 * Channels that end with an error. A channel has no error state of its own,
 * so the adapters that fill a channel from a source that can fail
 * (`toChannel`, `toAsyncIterable`) record the failure here, then close the
 * channel. The channel's own receive paths are wrapped so the error reaches
 * the consumer once the buffer is drained: `receive()` rejects with it, an
 * iterator throws it, and an Observable subscriber gets `error`. The
 * comma-ok paths (`receiveOk`, `tryReceive`, select cases) keep their
 * contract and report `ok: false`; {@link channelError} then says why.
 *
 * Invariants:
 * 1. A failure is recorded before its channel closes, so every receive that
 *    learns of the close can also learn of the failure.
 * 2. A channel's failure is recorded at most once and never changes.
 * 3. Buffered values are always delivered before the failure is reported.
 */
import {
  asChannelImpl,
  describeValue,
  type Channel,
  type ReceiveChannel,
  type WaitOptions,
} from '../core/channel.js';
import { ChannelClosedError } from '../core/errors.js';
import type { ChannelObservable, ChannelObserver, ChannelSubscription } from '../core/observe.js';
import { reportUnhandledError } from './report-unhandled-error.js';

/** The error each failed channel ended with, boxed so `undefined` can be an error too. */
const failures = new WeakMap<object, { error: unknown }>();

/**
 * Returns the error that ended `channel`, or `undefined` if the channel is
 * open, ended normally, or was never made by an adapter that can fail. Use
 * it after a comma-ok receive (`receiveOk`, `tryReceive`, a select case)
 * reports `ok: false` on a channel made by `toChannel`, to tell a completed
 * source from a failed one; `receive()`, `for await` and `fromChannel`
 * surface the error themselves. Reading it has no effect on the channel.
 * (A source that errors with `undefined` itself reads as `undefined` here.)
 *
 * @example
 * ```ts
 * const ch = toChannel(concat(of(1), throwError(() => new Error('boom'))));
 * console.log(await ch.receiveOk()); // { value: 1, ok: true }
 * console.log(await ch.receiveOk()); // { value: undefined, ok: false }
 * console.log((channelError(ch) as Error).message); // boom
 * ```
 * @throws TypeError if `channel` is not a channel made by this library.
 * @see toChannel
 */
export function channelError(channel: ReceiveChannel<unknown>): unknown {
  if (asChannelImpl(channel) === undefined) {
    throw new TypeError(`channelError(): expected a channel, got ${describeValue(channel)}`);
  }
  return failures.get(channel)?.error;
}

/**
 * Records `error` as the failure of `channel` and closes it, so consumers
 * drain the buffer and then see the error. Does nothing if the channel
 * already failed or closed. Precondition: `channel` went through
 * {@link reportFailures}.
 */
export function failChannel(channel: Channel<unknown>, error: unknown): void {
  if (channel.closed) return;
  failures.set(channel, { error });
  channel.close();
}

/**
 * Wraps the receive paths of `channel` (its own methods, so the object
 * stays a real channel usable in `select`) to surface a failure recorded
 * by {@link failChannel}, and calls `onCancel` after `cancel()`. Returns
 * the same channel, typed for receiving.
 */
export function reportFailures<T>(channel: Channel<T>, onCancel: () => void): ReceiveChannel<T> {
  const receive = channel.receive;
  const values = channel.values;
  const observable = channel['@@observable'];
  const cancel = channel.cancel;

  const methods: Partial<ReceiveChannel<T>> = {
    receive(options?: WaitOptions): Promise<T> {
      // A buffered value is taken at once; only a receive that may see the
      // close needs the extra reaction.
      const isBuffered = channel.length > 0;
      const received = receive.call(channel, options);
      if (isBuffered) return received;
      return received.then(undefined, (error: unknown) => {
        const failure = failures.get(channel);
        throw error instanceof ChannelClosedError && failure !== undefined ? failure.error : error;
      });
    },
    values(options?: WaitOptions): AsyncIterableIterator<T> {
      return new FailureIterator(channel, values.call(channel, options));
    },
    [Symbol.asyncIterator](): AsyncIterableIterator<T> {
      return new FailureIterator(channel, values.call(channel));
    },
    '@@observable'(): ChannelObservable<T> {
      const interop = {
        subscribe(observer?: ChannelObserver<T> | ((value: T) => void)): ChannelSubscription {
          const target: ChannelObserver<T> =
            typeof observer === 'function' ? { next: observer } : (observer ?? {});
          return observable.call(channel).subscribe(new FailureObserver(channel, target));
        },
        '@@observable': () => interop,
      } as ChannelObservable<T>;
      defineObservableSymbol(interop, () => interop);
      return interop;
    },
    cancel(): void {
      cancel.call(channel);
      onCancel();
    },
  };
  Object.assign(channel, methods);
  defineObservableSymbol(channel, methods['@@observable'] as () => unknown);
  return channel.receiveOnly;
}

/** Adds `method` under `Symbol.observable` where a polyfill defines that symbol. */
function defineObservableSymbol(target: object, method: () => unknown): void {
  if (typeof Symbol.observable === 'symbol') {
    Object.defineProperty(target, Symbol.observable, {
      value: method,
      configurable: true,
      writable: true,
    });
  }
}

/** An iterator that throws the channel's failure where it would have ended. */
class FailureIterator<T> implements AsyncIterableIterator<T> {
  /** Set once the failure was thrown or `return()` was called; later ends are plain. */
  private isSettled = false;

  constructor(
    /** The channel whose failure is reported; fixed. */
    private readonly channel: Channel<T>,
    /** The channel's own iterator; fixed. */
    private readonly inner: AsyncIterableIterator<T>,
  ) {}

  next(): Promise<IteratorResult<T>> {
    return this.inner.next().then((result) => {
      if (result.done !== true || this.isSettled) return result;
      this.isSettled = true;
      const failure = failures.get(this.channel);
      if (failure !== undefined) throw failure.error;
      return result;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.isSettled = true;
    return this.inner.return!();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** An observer that turns the channel's completion into `error` when it failed. */
class FailureObserver<T> implements ChannelObserver<T> {
  constructor(
    /** The channel whose failure is reported; fixed. */
    private readonly channel: Channel<T>,
    /** The subscriber's observer; fixed. */
    private readonly target: ChannelObserver<T>,
  ) {}

  get closed(): boolean {
    return this.target.closed === true;
  }

  next(value: T): void {
    this.target.next?.(value);
  }

  complete(): void {
    const failure = failures.get(this.channel);
    if (failure === undefined) {
      this.target.complete?.();
    } else if (this.target.error !== undefined) {
      this.target.error(failure.error);
    } else {
      reportUnhandledError(failure.error);
    }
  }
}
