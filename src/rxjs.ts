/**
 * rxchan/rxjs: the RxJS bridge. Adapters between channels and Observables,
 * and the Go patterns as pipeable operators. `rxjs` is a peer dependency.
 */

// Adapters
export { fromChannel } from './adapters/from-channel.js';
export { consumeChannel } from './adapters/consume-channel.js';
export { toChannel } from './adapters/to-channel.js';
export type { OverflowPolicy, ToChannelOptions } from './adapters/to-channel.js';
export { toAsyncIterable } from './adapters/to-async-iterable.js';
export { sendTo } from './adapters/send-to.js';
export type { SendToOptions } from './adapters/send-to.js';

// Operators
export { workerPool, workerPoolFrom } from './operators/worker-pool.js';
export type { WorkerPoolFromOptions, WorkerPoolOptions } from './operators/worker-pool.js';
export { pipeline } from './operators/pipeline.js';
export type { BoundedOverflowPolicy, PipelineBufferOptions } from './operators/pipeline.js';
export { produce } from './operators/produce.js';
export { fanIn } from './operators/fan-in.js';
export type { FanInObservableOptions } from './operators/fan-in.js';
export { future } from './operators/future.js';
export { daisyChain } from './operators/daisy-chain.js';
export type { DaisyChainOperatorOptions } from './operators/daisy-chain.js';
export { ownState } from './operators/own-state.js';
export type { OwnStateOperatorOptions } from './operators/own-state.js';
export { withDeadline } from './operators/with-deadline.js';
export type { WithDeadlineOptions } from './operators/with-deadline.js';
export { withResource } from './operators/with-resource.js';
export type { ResourceWork, WithResourceOptions } from './operators/with-resource.js';
export { dispatch } from './operators/dispatch.js';
export type { DispatchOptions } from './operators/dispatch.js';
export { withConcurrencyLimit } from './operators/with-concurrency-limit.js';
export type { WithConcurrencyLimitOptions } from './operators/with-concurrency-limit.js';
