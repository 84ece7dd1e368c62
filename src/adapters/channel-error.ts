import { asChannelImpl, describeValue, type ReceiveChannel } from '../core/channel.js';

/**
 * Returns the error that ended `channel` (the same as `channel.closeError`),
 * or `undefined` if the channel is open or closed without an error. Use it
 * after a comma-ok receive (`receiveOk`, `tryReceive`, a select case)
 * reports `ok: false` on a channel made by `toChannel`, to tell a completed
 * source from a failed one; `receive()`, `for await` and `fromChannel`
 * surface the error themselves. Reading it has no effect on the channel.
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
  const impl = asChannelImpl(channel);
  if (impl === undefined) {
    throw new TypeError(`channelError(): expected a channel, got ${describeValue(channel)}`);
  }
  return impl.closeError;
}
