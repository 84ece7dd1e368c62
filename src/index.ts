/**
 * rxchan: Go's channels, select, timers and tasks for TypeScript, and the
 * Go concurrency patterns as channel functions. This entry point has no
 * runtime dependencies; the RxJS bridge is `rxchan/rxjs`, the testing
 * harness `rxchan/testing`.
 */

// Channels
export { chan, nilChan } from './core/channel.js';
export type {
  BufferPolicy,
  ChanOptions,
  Channel,
  ReceiveChannel,
  ReceiveResult,
  SendChannel,
  WaitOptions,
} from './core/channel.js';
export type { ChannelObservable, ChannelObserver, ChannelSubscription } from './core/observe.js';

// Select
export { select } from './core/select.js';
export type { SelectOptions, SelectResult } from './core/select.js';
export { onReceive, onSend, onTimeout, onDefault } from './core/cases.js';
export type { DefaultCase, ReceiveCase, SelectCase, SendCase, TimeoutCase } from './core/cases.js';
export { seededRandom } from './core/random.js';

// Time
export { after, timer, ticker, sleep } from './core/timers.js';
export type { DelayOptions, Ticker, Timer, TimerOptions } from './core/timers.js';
export { systemClock } from './core/clock.js';
export type { Clock } from './core/clock.js';

// Tasks
export { go } from './core/tasks.js';
export { WaitGroup } from './core/wait-group.js';
export { Group } from './core/group.js';
export type { GroupOptions, GroupTask } from './core/group.js';
export { doneChannel } from './core/done-channel.js';
export { yieldEvery } from './core/yield-every.js';

// Errors
export {
  BufferOverflowError,
  ChannelClosedError,
  InterruptError,
  PoolClosedError,
  TimeoutError,
} from './core/errors.js';

// Patterns from the Go tutorial, as channel functions
export { produce } from './patterns/produce.js';
export type { Produced, ProduceOptions, Producer, Send } from './patterns/produce.js';
export { fanIn } from './patterns/fan-in.js';
export type { FanInOptions } from './patterns/fan-in.js';
export { future } from './patterns/future.js';
export type { Future, FutureOptions, FutureState, FutureWork } from './patterns/future.js';
export { daisyChain } from './patterns/daisy-chain.js';
export type { DaisyChainOptions, Stage } from './patterns/daisy-chain.js';
export { ownState } from './patterns/own-state.js';
export type { OwnStateOptions, StateOwner, StateUpdate } from './patterns/own-state.js';
export { pipeline } from './patterns/pipeline.js';
export type {
  Pipeline,
  PipelineOptions,
  PipelineStage,
  PipelineStageOutput,
} from './patterns/pipeline.js';
export { poolMap } from './patterns/pool-map.js';
export type { PoolMapOptions, PoolMapResult, PoolWork } from './patterns/pool-map.js';
export { Runner } from './patterns/runner.js';
export type { RunnerOptions, RunnerState, RunnerTask, SigintSource } from './patterns/runner.js';
export { ResourcePool } from './patterns/resource-pool.js';
export type {
  Lease,
  ResourceCheck,
  ResourceFactory,
  ResourcePoolOptions,
} from './patterns/resource-pool.js';
export { WorkerPool } from './patterns/worker-pool.js';
export type { WorkerPoolClassOptions, WorkerTask } from './patterns/worker-pool.js';
export { Dispatcher } from './patterns/dispatcher.js';
export type {
  DispatcherEnv,
  DispatcherEnvOptions,
  DispatcherFailure,
  DispatcherOptions,
  DispatcherStopOptions,
  JobHandler,
} from './patterns/dispatcher.js';
export { ConcurrencyLimiter, concurrencyLimit } from './patterns/concurrency-limit.js';
export type { ConcurrencyLimitOptions, LimitedTask } from './patterns/concurrency-limit.js';
export type { AdaptiveLimitOptions, LimitDecision } from './patterns/adaptive-limit.js';
