/**
 * sendTo: an Observer that forwards an Observable's values into a channel
 * without waiting, for channels that never have to make a producer wait.
 */
import type { Observer } from 'rxjs';
import { asChannelImpl, describeValue, type SendChannel } from '../core/channel.js';
import { BufferOverflowError } from '../core/errors.js';
import { reportUnhandledError } from './report-unhandled-error.js';

/** Options of {@link sendTo}. */
export interface SendToOptions {
  /** Close the channel when the source completes, errors or overflows; true by default. */
  close?: boolean | undefined;
  /** Aborting stops the forwarding; later notifications are ignored and the channel is left as it is. */
  signal?: AbortSignal | undefined;
}

/**
 * Returns an Observer that sends each value it is given into `channel`
 * with `trySend`, in order, for `source$.subscribe(sendTo(ch))`.
 *
 * Backpressure: there is none. RxJS calls `next` synchronously and cannot
 * be asked to wait, so a value must fit at once: into a free buffer slot,
 * to a waiting receiver, or through the channel's drop policy (a channel
 * made with `'drop-newest'`, `'drop-oldest'`, `'conflated'` or `'unbounded'`
 * always accepts). When a value does not fit, forwarding stops for good
 * (so the channel holds a gap-free prefix of the source), the value is
 * discarded, the channel is closed (unless `close: false`), and a
 * `BufferOverflowError` is reported as an unhandled error (see below),
 * because an Observer cannot fail its source. To wait instead, read the
 * source with `toChannel`, whose overflow policy is explicit and whose
 * failures reach the consumer.
 *
 * Completion closes the channel (unless `close: false`), and receivers
 * drain it. Error: the channel is closed the same way, and the error,
 * which the channel cannot carry, is reported as unhandled: to
 * `config.onUnhandledError` if set, else thrown in a microtask, as RxJS
 * does for a subscriber without an error callback; catch it upstream
 * (`catchError`) or use `toChannel` to hand it to the consumer. Channel
 * closed by someone else: forwarding stops quietly (the value goes to the
 * channel's `onUndelivered`). Abort: aborting `signal` stops forwarding and
 * leaves the channel open; unsubscribing the source stops it too.
 *
 * @example
 * ```ts
 * const ch = chan<number>(8);
 * of(1, 2, 3).subscribe(sendTo(ch));
 * for await (const n of ch) console.log(n); // 1, 2, 3
 *
 * const latest = chan<number>({ policy: 'conflated' });
 * of(1, 2, 3).subscribe(sendTo(latest));
 * console.log(await latest.receive()); // 3
 * ```
 * @throws TypeError if `channel` is not a channel made by this library or
 * is a nil channel, or an option has the wrong type.
 * @see toChannel
 */
export function sendTo<T>(channel: SendChannel<T>, options?: SendToOptions): Observer<T> {
  const impl = asChannelImpl(channel);
  if (impl === undefined) {
    throw new TypeError(`sendTo(): expected a channel, got ${describeValue(channel)}`);
  }
  if (impl.isNil) throw new TypeError('sendTo(): cannot send to a nil channel');
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`sendTo(): options must be an object, got ${describeValue(options)}`);
  }
  const close = options?.close ?? true;
  if (typeof close !== 'boolean') {
    throw new TypeError(`sendTo(): close must be a boolean, got ${describeValue(close)}`);
  }
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`sendTo(): signal must be an AbortSignal, got ${describeValue(signal)}`);
  }

  let isStopped = signal?.aborted === true;
  const stop = (): void => {
    isStopped = true;
    signal?.removeEventListener('abort', stop);
  };
  /** Stops forwarding and, if asked, closes the channel unless someone already did. */
  const finish = (): void => {
    stop();
    if (close && !channel.closed) channel.close();
  };
  if (!isStopped) signal?.addEventListener('abort', stop, { once: true });

  return {
    next(value: T): void {
      if (isStopped) return;
      let isSent: boolean;
      try {
        isSent = channel.trySend(value);
      } catch (_closed) {
        // Closed by someone else; trySend handed the value to onUndelivered.
        stop();
        return;
      }
      if (!isSent) {
        finish();
        reportUnhandledError(new BufferOverflowError(channel.capacity));
      }
    },
    error(error: unknown): void {
      if (isStopped) return;
      finish();
      reportUnhandledError(error);
    },
    complete(): void {
      if (isStopped) return;
      finish();
    },
  };
}
