/**
 * poolMap: a fixed set of workers mapping the values of one channel into
 * another, Go's worker pool with a results channel.
 *
 * Invariants (hold between any two public calls):
 * 1. Each worker holds at most one value: taken from the input, being
 *    worked on, or waiting as a result to be sent. So at most `concurrency`
 *    values are out of both channels at any time.
 * 2. With `ordered`, results are sent in the order their values were taken:
 *    the result of ticket t is sent only after the result of ticket t - 1.
 * 3. The output is closed once: by the last worker to return, or by the
 *    first stop (failure, abort, or the reader cancelling the output).
 * 4. `done` settles once. It rejects at the first failure or abort, and
 *    otherwise resolves after every worker has returned.
 */
import {
  asChannelImpl,
  chan,
  describeValue,
  type Channel,
  type ReceiveChannel,
} from '../core/channel.js';
import { ChannelClosedError } from '../core/errors.js';

/**
 * The work a pool applies to each value: returns the result, or a promise
 * of it. `signal` aborts when the pool stops early (a failure elsewhere, an
 * abort, or the reader cancelling the output); work that honours it stops
 * sooner, work that ignores it runs to the end and its result is dropped.
 */
export type PoolWork<T, R> = (value: T, signal: AbortSignal) => R | PromiseLike<R>;

/** Options of {@link poolMap}. */
export interface PoolMapOptions {
  /** How many workers run, each on one value at a time; a positive integer. */
  concurrency: number;
  /** Size of the output channel's buffer; 0 (unbuffered) by default. */
  capacity?: number | undefined;
  /**
   * Whether results leave in input order (true) or as they complete
   * (false, the default). Ordered, a worker whose result is ready before
   * its predecessors' waits with it, taking no new value, so the reorder
   * buffer is the workers themselves and never exceeds `concurrency`.
   */
  ordered?: boolean | undefined;
  /** Aborting stops the pool: `done` rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** What {@link poolMap} returns. */
export interface PoolMapResult<R> {
  /** The results; closed when the pool has finished or stopped. */
  readonly output: ReceiveChannel<R>;
  /**
   * Resolves once the input was closed and drained, every result sent and
   * the output closed (or the reader cancelled the output and every worker
   * returned); rejects with the first work error, or with `signal.reason`
   * on an abort, as soon as it happens.
   */
  readonly done: Promise<void>;
}

function noop(): void {}

/** A worker holding an ordered result until its turn. */
interface TurnWaiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/** One running pool: its workers, its output and how it ends. */
class PoolRun<T, R> {
  /** Aborted once, by the first stop; every worker and work call listens to it. */
  private readonly controller = new AbortController();
  /** The results; closed once (invariant 3). */
  readonly output: Channel<R>;
  /** Settles `done`; set once, in the constructor. */
  readonly done: Promise<void>;
  /** Resolves `done`; called by `workerReturned` when the last worker returns. */
  private resolveDone: () => void = noop;
  /** Rejects `done`; called by the first `stop` that is a failure or an abort. */
  private rejectDone: (reason: unknown) => void = noop;
  /** Workers that have not returned; decremented by `workerReturned`. */
  private running = 0;
  /** Set by the first stop; no result is sent afterwards. */
  private isStopped = false;
  /** Ticket of the next value taken from the input; incremented by workers. */
  private nextTicket = 0;
  /** Ordered only: the ticket whose result is sent next. */
  private turn = 0;
  /** Ordered only: workers waiting for their turn, by ticket. */
  private readonly turns = new Map<number, TurnWaiter>();

  constructor(
    /** The values to work on; read, never closed by the pool; fixed. */
    private readonly input: ReceiveChannel<T>,
    /** The work; fixed. */
    private readonly work: PoolWork<T, R>,
    /** Whether results keep input order; fixed. */
    private readonly ordered: boolean,
    /** The caller's signal, listened to while workers run; fixed. */
    private readonly signal: AbortSignal | undefined,
    capacity: number,
  ) {
    this.output = chan<R>(capacity);
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
  }

  start(concurrency: number): void {
    const signal = this.signal;
    if (signal !== undefined && signal.aborted) {
      this.stop(signal.reason, true);
      return;
    }
    signal?.addEventListener('abort', this.aborted);
    this.running = concurrency;
    // Each worker parks its first receive before `poolMap` returns, so a
    // value sent right afterwards goes straight to an idle worker.
    for (let i = 0; i < concurrency; i++) void this.runWorker();
  }

  private async runWorker(): Promise<void> {
    const signal = this.controller.signal;
    const input = this.input;
    const output = this.output;
    try {
      // A stop may come while this worker runs synchronously (a reader
      // that unsubscribes inside the send below), so check each turn.
      while (!this.isStopped) {
        let value: T;
        // Unordered, a value that is ready is taken without a promise.
        // Ordered, every take goes through a promise; see the ticket below.
        const ready = this.ordered ? undefined : input.tryReceive();
        if (ready === undefined) {
          const taken = await input.receiveOk({ signal });
          if (!taken.ok) return;
          value = taken.value;
        } else if (ready.ok) {
          value = ready.value;
        } else {
          return;
        }
        // A receive can complete just before a stop whose abort then comes
        // too late to withdraw it; the value is dropped, not worked on.
        if (this.isStopped) return;
        // Continuations of receives run in the order the receives took
        // their values: each is one promise reaction, queued when its value
        // was taken (or at once, for a value taken without waiting). So
        // tickets follow the input order.
        const ticket = this.nextTicket++;
        let result: R;
        try {
          // Awaited even when `work` is synchronous, so a worker yields
          // once per value and a busy pool never starves other tasks.
          result = await this.work(value, signal);
        } catch (error) {
          this.stop(error, true);
          return;
        }
        if (this.isStopped) return;
        if (this.ordered && ticket !== this.turn) await this.waitTurn(ticket);
        try {
          if (!output.trySend(result)) await output.send(result, { signal });
        } catch (error) {
          // Not stopped yet, so this is no abort: the reader cancelled the
          // output. Stopping is then a normal end.
          if (!this.isStopped && error instanceof ChannelClosedError) this.stop(error, false);
          return;
        }
        if (this.ordered) this.passTurn();
      }
    } catch (error) {
      // Only the stop rejects a receive or a turn; it has settled `done`.
      if (!this.isStopped) this.stop(error, true);
    } finally {
      this.workerReturned();
    }
  }

  private waitTurn(ticket: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.turns.set(ticket, { resolve, reject });
    });
  }

  private passTurn(): void {
    this.turn++;
    const next = this.turns.get(this.turn);
    if (next !== undefined) {
      this.turns.delete(this.turn);
      next.resolve();
    }
  }

  /**
   * Stops the pool early; the first call wins. `failed` says whether `done`
   * rejects with `reason` (a failure or abort) or resolves once every
   * worker has returned (the reader cancelled the output).
   */
  private stop(reason: unknown, failed: boolean): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.signal?.removeEventListener('abort', this.aborted);
    // Aborting first withdraws every parked receive and send, so the close
    // below rejects no sender and the input keeps every value not taken.
    this.controller.abort(reason);
    for (const waiter of this.turns.values()) waiter.reject(reason);
    this.turns.clear();
    if (!this.output.closed) this.output.close();
    if (failed) this.rejectDone(reason);
  }

  private workerReturned(): void {
    this.running--;
    if (this.running > 0) return;
    this.signal?.removeEventListener('abort', this.aborted);
    if (!this.output.closed) this.output.close();
    // After a rejection this does nothing.
    this.resolveDone();
  }

  /** The listener on the caller's signal. */
  private readonly aborted = (): void => {
    this.stop((this.signal as AbortSignal).reason, true);
  };
}

/**
 * Runs `concurrency` workers that receive values from `input`, apply
 * `work(value, signal)` and send each result to the returned `output`
 * channel (of `capacity`, unbuffered by default): Go's worker pool with a
 * results channel. Results leave as they complete, or in input order with
 * `ordered: true`.
 *
 * Backpressure: a worker takes a new value only after it has sent its
 * previous result, so a slow reader of `output` slows the workers, and
 * they in turn leave values in `input`, where a producer's `await send`
 * waits. At most `concurrency` values are out of both channels at a time;
 * ordered, a worker whose result is ready early waits with it (taking
 * nothing new) until the results before it are sent, so input order costs
 * no extra buffer, only idle workers behind a slow head.
 *
 * Close: when `input` is closed and drained, the workers finish the values
 * they hold, then `output` closes and `done` resolves. The pool never
 * closes or cancels `input`. Error: the first work error (a throw or a
 * rejection) aborts every worker's signal, closes `output` (results already
 * buffered in it stay readable) and rejects `done` at once with that error;
 * values the workers held are dropped, and values not yet taken stay in
 * `input`. Abort: aborting `signal` does the same with `signal.reason`.
 * Cancel: if the reader cancels `output`, the pool stops at the next send
 * (that result is dropped), aborts its workers and resolves `done`.
 * Keep `done`: a failure nobody handles is an unhandled rejection, which
 * stops a Node process by default.
 *
 * @example
 * ```ts
 * const input = chan<number>(3);
 * for (const n of [1, 2, 3]) await input.send(n);
 * input.close();
 * const { output, done } = poolMap(input, async (n) => n * 10, { concurrency: 2, ordered: true });
 * const results: number[] = [];
 * for await (const result of output) results.push(result);
 * await done;
 * console.log(results); // [ 10, 20, 30 ]
 * ```
 * @throws TypeError if `input` is not a channel made by this library,
 * `work` is not a function, `options` is not an object or `signal` is not
 * an AbortSignal; RangeError if `concurrency` is not a positive integer or
 * `capacity` not a non-negative integer.
 * @see pipeline
 */
export function poolMap<T, R>(
  input: ReceiveChannel<T>,
  work: PoolWork<T, R>,
  options: PoolMapOptions,
): PoolMapResult<R> {
  if (asChannelImpl(input) === undefined) {
    throw new TypeError(`poolMap(): input must be a channel, got ${describeValue(input)}`);
  }
  if (typeof work !== 'function') {
    throw new TypeError(`poolMap(): work must be a function, got ${describeValue(work)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`poolMap(): options must be an object, got ${describeValue(options)}`);
  }
  const { concurrency, capacity = 0, ordered = false, signal } = options;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `poolMap(): concurrency must be a positive integer, got ${describeValue(concurrency)}`,
    );
  }
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0) {
    throw new RangeError(
      `poolMap(): capacity must be a non-negative integer, got ${describeValue(capacity)}`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`poolMap(): signal must be an AbortSignal, got ${describeValue(signal)}`);
  }

  const run = new PoolRun<T, R>(input, work, ordered === true, signal, capacity);
  run.start(concurrency);
  return { output: run.output.receiveOnly, done: run.done };
}
