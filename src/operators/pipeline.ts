/**
 * pipeline (operator): an Observable run through channel stages, with the
 * push source held to a bounded entry buffer.
 */
import { Observable, type OperatorFunction, type Subscriber } from 'rxjs';
import { callHook, chan, describeValue, type Channel } from '../core/channel.js';
import { BufferOverflowError } from '../core/errors.js';
import type { ChannelObserver } from '../core/observe.js';
import type { OverflowPolicy } from '../adapters/to-channel.js';
import {
  pipeline as runPipeline,
  splitStages,
  type Pipeline,
  type PipelineStage,
} from '../patterns/pipeline.js';

/** What a full entry buffer does with a new value: an {@link OverflowPolicy} without `'unbounded'`. */
export type BoundedOverflowPolicy = Exclude<OverflowPolicy, 'unbounded'>;

/** How an operator buffers its push source before the channel stages. */
export interface PipelineBufferOptions<T> {
  /** Size of the entry buffer; a positive integer, 16 by default. */
  capacity?: number | undefined;
  /**
   * What a full entry buffer does with a new value: `'error'` (the
   * default) errors the output with `BufferOverflowError` and unsubscribes
   * the source; `'drop-newest'` discards the new value; `'drop-oldest'`
   * discards the oldest buffered one.
   */
  overflow?: BoundedOverflowPolicy | undefined;
  /**
   * Called with each value taken from the source that will never reach a
   * stage: dropped by the overflow policy, the value that overflowed under
   * `'error'`, and values still buffered when the output errors or is
   * unsubscribed. An exception it throws is rethrown asynchronously.
   */
  onDrop?: ((value: T) => void) | undefined;
}

/** Default size of the entry buffer, as for `toChannel`'s push sources. */
const ENTRY_CAPACITY = 16;

const OVERFLOW_POLICIES: readonly string[] = ['error', 'drop-newest', 'drop-oldest'];

/** Checked {@link PipelineBufferOptions} with defaults filled in. */
interface EntryBuffer<T> {
  capacity: number;
  overflow: BoundedOverflowPolicy;
  onDrop: ((value: T) => void) | undefined;
}

/** Checks the buffer options of `call`; throws before anything is subscribed. */
export function resolveBuffer<T>(
  call: string,
  options: PipelineBufferOptions<T> | undefined,
): EntryBuffer<T> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const capacity = options?.capacity ?? ENTRY_CAPACITY;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(
      `${call}: capacity must be a positive integer, got ${describeValue(capacity)}`,
    );
  }
  const overflow = options?.overflow ?? 'error';
  if (!OVERFLOW_POLICIES.includes(overflow)) {
    throw new TypeError(
      `${call}: overflow must be 'error', 'drop-newest' or 'drop-oldest', got ${describeValue(overflow)}`,
    );
  }
  const onDrop = options?.onDrop;
  if (onDrop !== undefined && typeof onDrop !== 'function') {
    throw new TypeError(`${call}: onDrop must be a function, got ${describeValue(onDrop)}`);
  }
  return { capacity, overflow, onDrop };
}

/**
 * Emits a running pipeline's output to `subscriber`: each value as the last
 * stage sends it, `complete` once the output is closed and `done` has
 * resolved, `error` as soon as `done` rejects. Returns the teardown, which
 * withdraws the pending receive and cancels the pipeline.
 */
export function relayPipeline<R>(subscriber: Subscriber<R>, run: Pipeline<R>): () => void {
  const fail = (error: unknown): void => subscriber.error(error);
  // Fail fast: a stage failure reaches the subscriber without waiting for
  // the output to close.
  run.done.then(undefined, fail);
  const observer: ChannelObserver<R> = {
    next: (value) => subscriber.next(value),
    complete: () => {
      // The output closes on success and on failure alike; `done` says which.
      run.done.then(() => subscriber.complete(), fail);
    },
    get closed() {
      return subscriber.closed;
    },
  };
  const subscription = run.output['@@observable']().subscribe(observer);
  return () => {
    subscription.unsubscribe();
    run.cancel();
  };
}

/** The entry channel for `buffer`, with the drop policies built in. */
function entryChannel<T>({ capacity, overflow, onDrop }: EntryBuffer<T>): Channel<T> {
  return overflow === 'error'
    ? chan<T>(capacity, { onUndelivered: onDrop })
    : chan<T>(capacity, { policy: overflow, onUndelivered: onDrop });
}

/**
 * The operator behind `pipeline` and `workerPool`: buffers the source in
 * an entry channel and runs `stages` on it. `call` names the public call in
 * argument errors; `stages` must already be checked.
 */
export function throughStages<A, R>(
  call: string,
  stages: PipelineStage<unknown, unknown>[],
  options: PipelineBufferOptions<A> | undefined,
): OperatorFunction<A, R> {
  const buffer = resolveBuffer(call, options);
  return (source) =>
    new Observable<R>((subscriber) => {
      const entry = entryChannel(buffer);
      const run = runPipeline(entry.receiveOnly, ...stages) as Pipeline<R>;
      const stopRelay = relayPipeline(subscriber, run);
      // The source's own subscriber, known as soon as the source is
      // subscribed: unsubscribing it also stops a source that emits
      // synchronously during subscribe, before `subscribe` returns.
      let upstream: Subscriber<A> | undefined;
      new Observable<A>((target) => {
        upstream = target;
        return source.subscribe(target);
      }).subscribe({
        next(value) {
          // Closed after completion or teardown: nothing more is taken.
          if (entry.closed) return;
          if (entry.trySend(value)) return;
          // Only the 'error' policy refuses a value: the buffer is full
          // and no worker waits.
          upstream?.unsubscribe();
          if (buffer.onDrop !== undefined) callHook(buffer.onDrop, value);
          subscriber.error(new BufferOverflowError(buffer.capacity));
        },
        error(error: unknown) {
          subscriber.error(error);
        },
        complete() {
          if (!entry.closed) entry.close();
        },
      });
      return () => {
        upstream?.unsubscribe();
        stopRelay();
        // Values still buffered go to onDrop.
        entry.cancel();
      };
    });
}

/**
 * Runs the source Observable through channel `stages` (see the channel
 * function `pipeline` of `rxchan`, which this operator wraps): values enter
 * a bounded entry buffer, the first stage reads it, each later stage reads
 * the output of the one before, and the last stage's output is emitted.
 * Each stage is called once per subscription, with its input channel and
 * the pipeline signal, and runs its own tasks.
 *
 * Ordering: whatever the stages keep (plain loops keep source order).
 * Buffering: a push source cannot be slowed down, so it fills an entry
 * buffer of `capacity` (16 by default) and a full buffer applies
 * `overflow`; after that, stages are linked by channels and wait for each
 * other (lossless backpressure), and each value is emitted synchronously
 * as the last stage sends it.
 *
 * Completion: when the source completes, the entry closes, each stage
 * drains its input and closes its output in turn, and the output
 * completes once every stage's `done` has resolved. Error: a source error,
 * an overflow under `'error'` or a stage failure (its `done` rejects)
 * errors the output at once, aborts the signal every stage got, cancels
 * every stage's output and hands buffered entry values to `onDrop`.
 * Unsubscribe: the same teardown, without an error. Argument errors throw
 * when the operator is made; a stage that throws when called errors the
 * subscription.
 *
 * @example
 * ```ts
 * const results = await lastValueFrom(
 *   of(1, 2, 3).pipe(
 *     pipeline(
 *       (input, signal) =>
 *         poolMap(input, async (n) => n * n, { concurrency: 2, ordered: true, signal }),
 *       (input, signal) => {
 *         const output = chan<string>();
 *         const done = go(async () => {
 *           for await (const n of input.values({ signal })) await output.send(`#${n}`, { signal });
 *           output.close();
 *         });
 *         return { output, done };
 *       },
 *     ),
 *     toArray(),
 *   ),
 * );
 * console.log(results); // [ '#1', '#4', '#9' ]
 * ```
 * @throws TypeError if a stage is not a function or `overflow`, `onDrop`
 * or the options are of the wrong kind; RangeError if `capacity` is not a
 * positive integer.
 * @see workerPool
 */
export function pipeline<A, B>(
  s1: PipelineStage<A, B>,
  options?: PipelineBufferOptions<A>,
): OperatorFunction<A, B>;
export function pipeline<A, B, C>(
  s1: PipelineStage<A, B>,
  s2: PipelineStage<B, C>,
  options?: PipelineBufferOptions<A>,
): OperatorFunction<A, C>;
export function pipeline<A, B, C, D>(
  s1: PipelineStage<A, B>,
  s2: PipelineStage<B, C>,
  s3: PipelineStage<C, D>,
  options?: PipelineBufferOptions<A>,
): OperatorFunction<A, D>;
export function pipeline<A, B, C, D, E>(
  s1: PipelineStage<A, B>,
  s2: PipelineStage<B, C>,
  s3: PipelineStage<C, D>,
  s4: PipelineStage<D, E>,
  options?: PipelineBufferOptions<A>,
): OperatorFunction<A, E>;
export function pipeline(
  ...stagesAndOptions: Array<PipelineStage<unknown, unknown> | PipelineBufferOptions<unknown>>
): OperatorFunction<unknown, unknown>;
export function pipeline(...stagesAndOptions: unknown[]): OperatorFunction<unknown, unknown> {
  const { stages, options } = splitStages<PipelineBufferOptions<unknown>>(
    'pipeline()',
    stagesAndOptions,
  );
  return throughStages('pipeline()', stages, options);
}
