/** `ChannelImpl.poll` found nothing to receive and the channel is open. */
export const EMPTY: unique symbol = Symbol('rxchan.empty');
/** `ChannelImpl.poll` found the channel closed and drained. */
export const CLOSED: unique symbol = Symbol('rxchan.closed');
