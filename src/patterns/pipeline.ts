/**
 * pipeline: stages linked by channels, each reading the previous stage's
 * output, torn down together.
 *
 * Invariants (hold between any two public calls):
 * 1. The pipeline signal aborts at most once: at the first stage failure,
 *    on the caller's abort or on `cancel()`, whichever comes first; from
 *    then on every stage's output is cancelled.
 * 2. `done` settles once. It rejects at the first failure or abort, and
 *    otherwise resolves after every stage's `done` has settled.
 * 3. The source is only read, never closed or cancelled.
 */
import { asChannelImpl, describeValue, type ReceiveChannel } from '../core/channel.js';

/** What a stage may return besides a bare channel: its output and when it has finished. */
export interface PipelineStageOutput<B> {
  /** The stage's output channel, which the next stage reads. */
  readonly output: ReceiveChannel<B>;
  /**
   * Settles when the stage has finished: resolves after it closed its
   * output, rejects with its failure. A rejection tears the pipeline down.
   */
  readonly done?: PromiseLike<void> | undefined;
}

/**
 * One stage: reads `input` (in a task of its own) and returns the channel
 * it writes to, which it closes when `input` is closed and drained. It
 * should stop when `signal` aborts; the pipeline also cancels its output
 * then, so a send it is waiting on rejects. Return `{ output, done }` (as
 * `poolMap` does) to let a failure of the stage tear the pipeline down.
 */
export type PipelineStage<A, B> = (
  input: ReceiveChannel<A>,
  signal: AbortSignal,
) => ReceiveChannel<B> | PipelineStageOutput<B>;

/** Options of {@link pipeline}. */
export interface PipelineOptions {
  /** Aborting tears the pipeline down; `done` rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** A running pipeline: what {@link pipeline} returns. */
export interface Pipeline<T> {
  /** The last stage's output. */
  readonly output: ReceiveChannel<T>;
  /**
   * Resolves once every stage has finished (or, after `cancel()`, has
   * stopped); rejects as soon as a stage fails or the caller's signal
   * aborts, with that failure or `signal.reason`.
   */
  readonly done: Promise<void>;
  /**
   * Tears the pipeline down as a normal end: aborts the stages' signal with
   * `reason` (an `AbortError` by default) and cancels every stage's output.
   * `done` then resolves once every stage has stopped. Idempotent.
   */
  cancel(reason?: unknown): void;
}

function noop(): void {}

/** The shared state of one running pipeline. */
class PipelineRun {
  /** Aborted once, by the first teardown (invariant 1). */
  readonly controller = new AbortController();
  /** Every stage's output, in order; cancelled by the teardown. */
  readonly outputs: ReceiveChannel<unknown>[] = [];
  /** Set by the first teardown. */
  private isTornDown = false;
  /** Stage `done`s not yet settled; decremented as each settles. */
  private pending = 0;
  /** Whether every stage has been built; `done` may resolve only then. */
  private isBuilt = false;
  /** Settles `done`; set once, in the constructor. */
  readonly done: Promise<void>;
  /** Resolves `done`; called by `finish` once every stage has settled. */
  private resolveDone: () => void = noop;
  /** Rejects `done`; called by the first teardown that is a failure or an abort. */
  private rejectDone: (reason: unknown) => void = noop;

  constructor(
    /** The caller's signal, listened to until `done` settles; fixed. */
    private readonly signal: AbortSignal | undefined,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
  }

  /** Tracks a stage's `done`: its rejection tears everything down. */
  track(done: PromiseLike<void>): void {
    this.pending++;
    Promise.resolve(done).then(this.stageSettled, (error: unknown) => {
      this.tearDown(error, true);
      this.stageSettled();
    });
  }

  /** Called once every stage is built. */
  built(): void {
    this.isBuilt = true;
    if (this.pending === 0) this.finish();
  }

  /**
   * Stops every stage; the first call wins. `failed` says whether `done`
   * rejects with `reason`, or resolves once the stages have settled.
   */
  tearDown(reason: unknown, failed: boolean): void {
    if (this.isTornDown) return;
    this.isTornDown = true;
    this.signal?.removeEventListener('abort', this.aborted);
    // Aborting first lets stages withdraw their waiting operations; the
    // cancels then reject any send a stage is still waiting on.
    this.controller.abort(reason);
    for (const output of this.outputs) output.cancel();
    if (failed) this.rejectDone(reason);
  }

  private readonly stageSettled = (): void => {
    this.pending--;
    if (this.pending === 0 && this.isBuilt) this.finish();
  };

  private finish(): void {
    this.signal?.removeEventListener('abort', this.aborted);
    // After a rejection this does nothing.
    this.resolveDone();
  }

  /** The listener on the caller's signal. */
  readonly aborted = (): void => {
    this.tearDown((this.signal as AbortSignal).reason, true);
  };
}

/** Reads what a stage returned: a channel, or `{ output, done }`. */
function stageOutput(made: unknown, index: number): PipelineStageOutput<unknown> {
  if (asChannelImpl(made) !== undefined) return { output: made as ReceiveChannel<unknown> };
  const candidate = made as Partial<PipelineStageOutput<unknown>> | null;
  if (
    typeof candidate === 'object' &&
    candidate !== null &&
    asChannelImpl(candidate.output) !== undefined &&
    (candidate.done === undefined || typeof candidate.done.then === 'function')
  ) {
    return candidate as PipelineStageOutput<unknown>;
  }
  throw new TypeError(
    `pipeline(): stage ${index + 1} must return a channel or { output, done }, got ${describeValue(made)}`,
  );
}

/**
 * Links `stages` into a pipeline reading `source`: the first stage reads
 * `source`, each later stage reads the output of the one before, and the
 * last stage's output is the pipeline's `output`. Each stage is called once,
 * in order, with its input and the pipeline signal, and runs its own
 * tasks, as the stages of a Go pipeline each run in their own goroutines.
 *
 * Backpressure: stages are linked only by channels, so a slow stage makes
 * the sends of the stage before it wait, and so on back to the source;
 * with unbuffered links nothing piles up anywhere. Ordering is whatever
 * each stage keeps (a plain loop keeps input order).
 *
 * Close: closing `source` lets each stage drain its input and close its
 * output in turn; `done` resolves once every stage's `done` has resolved
 * (a stage that returns a bare channel counts as done at once). Error: the
 * first stage whose `done` rejects tears the pipeline down: the signal
 * every stage got aborts with the error, every stage's output is cancelled
 * (buffered values are discarded, waiting sends reject), and `done`
 * rejects with the error. Abort: aborting `signal` does the same with
 * `signal.reason`. `cancel()` tears down the same way but as a normal end,
 * so `done` resolves. The source is never closed or cancelled: values the
 * first stage has not taken stay in it. Cancelling only `output` stops the
 * last stage at its next send, not the rest; use `cancel()`.
 *
 * @example
 * ```ts
 * // A stage: one task reading its input, writing its own output.
 * function double(input: ReceiveChannel<number>, signal: AbortSignal) {
 *   const output = chan<number>();
 *   const done = go(async () => {
 *     for await (const n of input.values({ signal })) await output.send(n * 2, { signal });
 *     output.close();
 *   });
 *   return { output, done };
 * }
 * const source = chan<number>(3);
 * for (const n of [1, 2, 3]) source.trySend(n);
 * source.close();
 * const run = pipeline(source, double, (input, signal) =>
 *   poolMap(input, (n) => n + 1, { concurrency: 2, ordered: true, signal }),
 * );
 * const results: number[] = [];
 * for await (const n of run.output) results.push(n);
 * await run.done;
 * console.log(results); // [ 3, 5, 7 ]
 * ```
 * @throws TypeError (synchronously) if `source` is not a channel made by
 * this library, a stage is not a function or returns something else than
 * a channel or `{ output, done }`, or `signal` is not an AbortSignal;
 * whatever a stage throws while it is being called, after the stages
 * called before it have been torn down.
 * @see poolMap
 */
export function pipeline<A, B>(
  source: ReceiveChannel<A>,
  s1: PipelineStage<A, B>,
  options?: PipelineOptions,
): Pipeline<B>;
export function pipeline<A, B, C>(
  source: ReceiveChannel<A>,
  s1: PipelineStage<A, B>,
  s2: PipelineStage<B, C>,
  options?: PipelineOptions,
): Pipeline<C>;
export function pipeline<A, B, C, D>(
  source: ReceiveChannel<A>,
  s1: PipelineStage<A, B>,
  s2: PipelineStage<B, C>,
  s3: PipelineStage<C, D>,
  options?: PipelineOptions,
): Pipeline<D>;
export function pipeline<A, B, C, D, E>(
  source: ReceiveChannel<A>,
  s1: PipelineStage<A, B>,
  s2: PipelineStage<B, C>,
  s3: PipelineStage<C, D>,
  s4: PipelineStage<D, E>,
  options?: PipelineOptions,
): Pipeline<E>;
export function pipeline<A, B, C, D, E, F>(
  source: ReceiveChannel<A>,
  s1: PipelineStage<A, B>,
  s2: PipelineStage<B, C>,
  s3: PipelineStage<C, D>,
  s4: PipelineStage<D, E>,
  s5: PipelineStage<E, F>,
  options?: PipelineOptions,
): Pipeline<F>;
export function pipeline(
  source: ReceiveChannel<unknown>,
  ...stagesAndOptions: Array<PipelineStage<unknown, unknown> | PipelineOptions | undefined>
): Pipeline<unknown>;
export function pipeline(
  source: ReceiveChannel<unknown>,
  ...stagesAndOptions: Array<PipelineStage<unknown, unknown> | PipelineOptions | undefined>
): Pipeline<unknown> {
  if (asChannelImpl(source) === undefined) {
    throw new TypeError(`pipeline(): source must be a channel, got ${describeValue(source)}`);
  }
  const { stages, options } = splitStages<PipelineOptions>('pipeline()', stagesAndOptions);
  const signal = options?.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`pipeline(): signal must be an AbortSignal, got ${describeValue(signal)}`);
  }

  const run = new PipelineRun(signal);
  if (signal?.aborted === true) run.aborted();
  else signal?.addEventListener('abort', run.aborted);
  let input = source;
  for (const [index, stage] of stages.entries()) {
    let made: PipelineStageOutput<unknown>;
    try {
      made = stageOutput(stage(input, run.controller.signal), index);
    } catch (error) {
      // The caller gets the throw, not `done`, so `done` must not reject
      // unhandled; the stages already built are stopped before rethrowing.
      run.done.catch(noop);
      run.tearDown(error, true);
      throw error;
    }
    // A stage that hands its input straight on must not get the source
    // cancelled. A stage built after a teardown still sees an aborted
    // signal, and its output is cancelled too, so nothing is left running.
    if (made.output !== source) {
      run.outputs.push(made.output);
      if (run.controller.signal.aborted) made.output.cancel();
    }
    if (made.done !== undefined) run.track(made.done);
    input = made.output;
  }
  run.built();
  return {
    output: input,
    done: run.done,
    cancel(reason?: unknown): void {
      run.tearDown(reason ?? abortError(), false);
    },
  };
}

/** The default `cancel()` reason, as `AbortController.abort()` makes it. */
function abortError(): unknown {
  const controller = new AbortController();
  controller.abort();
  return controller.signal.reason;
}

/**
 * Splits the rest arguments of `call` into stages and a trailing options
 * object, checking that every stage is a function and at least one is
 * given. Shared with the `pipeline` operator.
 */
export function splitStages<O extends object>(
  call: string,
  args: readonly unknown[],
): { stages: PipelineStage<unknown, unknown>[]; options: O | undefined } {
  let end = args.length;
  let options: O | undefined;
  const last = args[end - 1];
  if (end > 0 && typeof last !== 'function') {
    if (last !== undefined && (typeof last !== 'object' || last === null)) {
      throw new TypeError(`${call}: options must be an object, got ${describeValue(last)}`);
    }
    options = last as O | undefined;
    end--;
  }
  const stages = args.slice(0, end);
  if (stages.length === 0) throw new TypeError(`${call}: at least one stage is required, got 0`);
  for (const [index, stage] of stages.entries()) {
    if (typeof stage !== 'function') {
      throw new TypeError(
        `${call}: stage ${index + 1} must be a function, got ${describeValue(stage)}`,
      );
    }
  }
  return { stages: stages as PipelineStage<unknown, unknown>[], options };
}
