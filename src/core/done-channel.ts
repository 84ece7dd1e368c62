/**
 * doneChannel: an AbortSignal seen as a channel, Go's `ctx.Done()`, so an
 * abort can be one case of a `select`.
 *
 * Invariants:
 * 1. Once a signal has aborted, its cached done channel is closed: the
 *    abort listener closes it synchronously, during the abort.
 * 2. A signal has at most one pending `abort` listener from this module,
 *    unless a caller cancelled a cached channel (then the stale listener
 *    stays until the abort, and finds its channel already closed).
 * 3. No value is ever sent on a done channel; it only closes.
 */
import { chan, describeValue, type Channel, type ReceiveChannel } from './channel.js';

/** The done channel of each signal seen; entries go with their signal. */
const cache = new WeakMap<AbortSignal, Channel<never>>();

/**
 * Returns a channel that is closed when `signal` aborts (at once if it
 * already has), as Go's `ctx.Done()`. Nothing is ever sent on it, so a
 * receive waits until the abort and then reports the close: `receiveOk()`
 * resolves `{ ok: false }`, `receive()` rejects with `ChannelClosedError`, a
 * `for await` loop ends, and a select case on it fires with `ok: false`.
 * The abort reason is `signal.reason`; the channel does not carry it.
 *
 * Repeated calls with one signal return the same channel, so calling this
 * in a loop adds no listeners. The channel registers one `abort` listener
 * (`{ once: true }`) that stays on the signal until it aborts: for a signal
 * that may never abort, the channel lives as long as the signal does.
 * Calling `cancel()` on the returned channel closes it for every holder
 * without aborting anything; later calls then return a fresh channel.
 * There is no backpressure: nothing is sent.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const jobs = chan<number>();
 * const picked = select({
 *   done: onReceive(doneChannel(controller.signal)),
 *   job: onReceive(jobs),
 * });
 * controller.abort();
 * console.log((await picked).key); // done
 * console.log(doneChannel(controller.signal).closed); // true
 * ```
 * @throws TypeError if `signal` is not an `AbortSignal`.
 * @see Group
 */
export function doneChannel(signal: AbortSignal): ReceiveChannel<never> {
  if (!(signal instanceof AbortSignal)) {
    throw new TypeError(
      `doneChannel(): signal must be an AbortSignal, got ${describeValue(signal)}`,
    );
  }
  const cached = cache.get(signal);
  // A cached channel closed while the signal is live was cancelled by a
  // caller; it no longer tells whether the signal aborted, so replace it.
  if (cached !== undefined && (!cached.closed || signal.aborted)) return cached.receiveOnly;

  const done = chan<never>();
  if (signal.aborted) {
    done.close();
  } else {
    signal.addEventListener('abort', () => closeIfOpen(done), { once: true });
  }
  cache.set(signal, done);
  return done.receiveOnly;
}

/** Closes `done` unless a caller has cancelled it already. */
function closeIfOpen(done: Channel<never>): void {
  if (!done.closed) done.close();
}
