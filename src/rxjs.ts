/**
 * rxchan/rxjs: the RxJS bridge. `rxjs` is a peer dependency.
 */
export { fromChannel } from './adapters/from-channel.js';
export { consumeChannel } from './adapters/consume-channel.js';
export { toChannel } from './adapters/to-channel.js';
export type { OverflowPolicy, ToChannelOptions } from './adapters/to-channel.js';
export { toAsyncIterable } from './adapters/to-async-iterable.js';
export { sendTo } from './adapters/send-to.js';
export type { SendToOptions } from './adapters/send-to.js';
export { channelError } from './adapters/channel-error.js';
export { produce } from './operators/produce.js';
export { fanIn } from './operators/fan-in.js';
export type { FanInObservableOptions } from './operators/fan-in.js';
export { future } from './operators/future.js';
export { daisyChain } from './operators/daisy-chain.js';
export type { DaisyChainOperatorOptions } from './operators/daisy-chain.js';
export { ownState } from './operators/own-state.js';
export type { OwnStateOperatorOptions } from './operators/own-state.js';
export { dispatch } from './operators/dispatch.js';
export type { DispatchOptions } from './operators/dispatch.js';
