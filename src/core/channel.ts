/**
 * Channels: Go's `chan T` for JavaScript.
 *
 * Overview. A channel owns an optional ring buffer of values and two queues
 * of parked operations, receivers (`recvq`) and senders (`sendq`). A send
 * first hands its value straight to the oldest parked receiver, else stores
 * it in a free buffer slot, else applies the overflow policy, else parks.
 * A receive first takes the oldest buffered value (refilling the freed slot
 * from the oldest parked sender), else takes a parked sender's value
 * directly (unbuffered rendezvous), else reports the close, else parks.
 * Every step that can complete synchronously does, so nothing on the
 * hand-off path waits for a macrotask. A send or receive without a signal
 * parks bare (its resolve function and one slot in a ParkQueue ring);
 * everything that can be withdrawn early parks as a Waiter object.
 *
 * Lifecycle:
 *
 *     open ──close()──▶ closed, draining ──buffer empty──▶ closed, drained
 *       │                  (receives take                (receives report
 *       │                   buffered values)              the close)
 *       └──cancel()──▶ closed and drained at once (buffer handed to onUndelivered)
 *
 * Invariants (hold between any two public calls):
 * 1. A buffered value implies no parked receiver; a free buffer slot implies
 *    no parked sender. An unbuffered channel never has both queues non-empty.
 * 2. Every value sent is delivered to exactly one receiver, or handed back:
 *    by a rejection, or to `onUndelivered` when a policy drops it, a cancel
 *    discards it or a close rejects its sender.
 * 3. Values leave in the order their sends completed; each queue is FIFO.
 * 4. Once closed, always closed; a closed channel has no parked sender, and
 *    a parked receiver only while the channel is open.
 * 5. A parked operation is in exactly one queue until it settles; an abort
 *    removes it in O(1) and it then had no effect.
 */
import { ChannelClosedError } from './errors.js';
import { assertInternal } from './internal/assert.js';
import { Ring } from './internal/ring.js';
import { CLOSED, EMPTY } from './internal/sentinels.js';
import { ParkQueue } from './internal/park-queue.js';
import {
  Rejection,
  Waiter,
  parkBare,
  promiseResolveInto,
  type Failure,
} from './internal/waiter.js';
import {
  observeChannel,
  type ChannelObservable,
  type ChannelObserver,
  type ChannelSubscription,
} from './observe.js';

// ─── Public types ───────────────────────────────────────────────────────────

/** The result of a comma-ok receive, as Go's `v, ok := <-ch`. */
export type ReceiveResult<T> = { value: T; ok: true } | { value: undefined; ok: false };

/** Options of every operation that may wait. */
export interface WaitOptions {
  /**
   * Aborting the signal withdraws the waiting operation, which then rejects
   * with `signal.reason` and has had no effect.
   */
  signal?: AbortSignal | undefined;
}

/**
 * What a full buffer does with a new value. `'block'` parks the sender (Go);
 * `'drop-newest'` discards the new value; `'drop-oldest'` discards the oldest
 * buffered one; `'conflated'` keeps only the latest value (capacity 1,
 * dropping the older); `'unbounded'` never fills (explicit opt-in: memory
 * grows with the backlog).
 */
export type BufferPolicy = 'block' | 'drop-newest' | 'drop-oldest' | 'conflated' | 'unbounded';

/** Options of {@link chan}. */
export interface ChanOptions<T> {
  /** What a full buffer does with a new value; `'block'` by default. */
  policy?: BufferPolicy | undefined;
  /**
   * Called synchronously with each value the channel took but will never
   * deliver: dropped by the policy, discarded from the buffer by `cancel()`,
   * or carried by a send rejected because the channel is closed. A send
   * withdrawn by its abort signal had no effect and is not reported. Use it
   * to release resources carried by values. An exception it throws is
   * rethrown in a microtask, as an uncaught error, never swallowed.
   */
  onUndelivered?: ((value: T) => void) | undefined;
  /**
   * Called once, synchronously, when the channel closes (by `close()` or
   * `cancel()`), after parked operations have been settled; receives the
   * close error, if any. Use it to stop whatever feeds the channel when its
   * consumer cancels. An exception it throws is rethrown in a microtask.
   */
  onClose?: ((error: unknown) => void) | undefined;
}

/** The read-only state every channel view shares. */
interface ChannelState {
  /** Values in the buffer now (Go's `len(ch)`). */
  readonly length: number;
  /** Buffer size: 0 when unbuffered, `Infinity` when unbounded (Go's `cap(ch)`). */
  readonly capacity: number;
  /** Whether `close()` or `cancel()` has been called. */
  readonly closed: boolean;
  /** The error the channel was closed with (`close(error)`), else `undefined`. */
  readonly closeError: unknown;
}

/**
 * The sending side of a channel, as Go's `chan<- T`. The view is the channel
 * itself with a narrower type; directions are checked by the compiler, as in
 * Go, not at run time.
 */
export interface SendChannel<T> extends ChannelState {
  /**
   * Sends `value`. Resolves once the value is buffered or, on an unbuffered
   * channel, once a receiver has taken it. Waits while the buffer is full
   * (`'block'` policy): that wait is the backpressure.
   *
   * @throws rejects with `ChannelClosedError` if the channel is closed, or
   * closes while the send waits; with `signal.reason` if aborted first.
   */
  send(value: T, options?: WaitOptions): Promise<void>;
  /**
   * Sends `value` only if that needs no waiting; returns whether it was sent
   * (a drop policy counts as sent).
   *
   * @throws ChannelClosedError if the channel is closed.
   */
  trySend(value: T): boolean;
  /**
   * Closes the channel: parked receivers learn of the close, parked senders
   * reject with `ChannelClosedError`, and receivers drain buffered values
   * before they see the close. With an `error` (Kotlin's close cause, for a
   * producer that failed), receivers that find the channel closed and
   * drained get that error instead: `receive()` and iterators reject with
   * it and Observables emit it; `receiveOk`, `tryReceive` and `select` still
   * report `ok: false`, and `closeError` holds it. Passing an argument, even
   * `undefined`, counts as an error, as with an Observable's `error()`.
   *
   * @throws ChannelClosedError if the channel is already closed.
   */
  close(error?: unknown): void;
}

/**
 * The receiving side of a channel, as Go's `<-chan T`. `for await` reads
 * values until the channel is closed and drained.
 */
export interface ReceiveChannel<T> extends ChannelState, AsyncIterable<T> {
  /**
   * Receives the next value, waiting for one if needed.
   *
   * @throws rejects with `ChannelClosedError` once the channel is closed and
   * drained; with `signal.reason` if aborted first.
   */
  receive(options?: WaitOptions): Promise<T>;
  /**
   * Receives the next value as `{ value, ok: true }`, or `{ ok: false }` once
   * the channel is closed and drained (Go's `v, ok := <-ch`). Never rejects
   * but for an abort.
   */
  receiveOk(options?: WaitOptions): Promise<ReceiveResult<T>>;
  /**
   * Receives a value only if that needs no waiting: a result, or `undefined`
   * when a receive would have to wait.
   */
  tryReceive(): ReceiveResult<T> | undefined;
  /**
   * An async iterator over received values that ends when the channel is
   * closed and drained. Its `return()` (a `break` out of `for await`)
   * withdraws a pending receive, so no value is lost; aborting `signal`
   * rejects the pending `next()` with `signal.reason`.
   */
  values(options?: WaitOptions): AsyncIterableIterator<T>;
  /**
   * The Observable interop protocol, so RxJS's `from(ch)` reads the channel
   * losslessly: one receive outstanding per subscriber, each value handed
   * synchronously to `next`, completion once closed and drained, and
   * unsubscribe withdraws the pending receive, consuming nothing. Defined
   * under `Symbol.observable` too where that symbol exists.
   */
  '@@observable'(): ChannelObservable<T>;
  [Symbol.observable](): ChannelObservable<T>;
  /**
   * Closes the channel if it is open and discards its buffered values,
   * handing each to `onUndelivered`: for a consumer that stops reading for
   * good. Safe to call more than once.
   */
  cancel(): void;
}

/** A channel with both directions. Create one with {@link chan}. */
export interface Channel<T> extends SendChannel<T>, ReceiveChannel<T> {
  /** This channel typed as send-only. */
  readonly sendOnly: SendChannel<T>;
  /** This channel typed as receive-only. */
  readonly receiveOnly: ReceiveChannel<T>;
}

// ─── Internal constants ─────────────────────────────────────────────────────

const POLICY_BLOCK = 0;
const POLICY_DROP_NEWEST = 1;
const POLICY_DROP_OLDEST = 2;

const MODE_SEND = 0;
const MODE_RECEIVE = 1;
const MODE_RECEIVE_OK = 2;
const MODE_NEXT = 3;

const RESOLVED: Promise<void> = Promise.resolve();
const CLOSED_RESULT: ReceiveResult<never> = Object.freeze({ value: undefined, ok: false });
const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/** Runs a user hook; its exception becomes an uncaught error, never a broken channel. */
export function callHook<T>(hook: (value: T) => void, value: T): void {
  try {
    hook(value);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/** Formats a received value for an argument error message. */
export { describe as describeValue };

// ─── Parked plain operations ────────────────────────────────────────────────

/** A parked `send`, `receive`, `receiveOk` or iterator `next`. */
class OpWaiter extends Waiter {
  /**
   * Settles the parked operation's promise; set once by promiseResolveInto.
   * Failures resolve it with a Rejection, so no reject function is kept.
   */
  resolve: (value: never) => void = noop;

  constructor(
    /** Which operation parked (MODE_*); fixed. */
    readonly mode: number,
    /** The abort signal listened to while parked, if any; fixed. */
    readonly signal: AbortSignal | undefined,
  ) {
    super();
  }

  sent(): void {
    this.detach();
    (this.resolve as (v: undefined) => void)(undefined);
  }

  received(value: unknown): void {
    this.detach();
    const resolve = this.resolve as (v: unknown) => void;
    if (this.mode === MODE_RECEIVE) resolve(value);
    else if (this.mode === MODE_RECEIVE_OK) resolve({ value, ok: true });
    else resolve({ value, done: false });
  }

  closedReceive(failure: Failure | undefined): void {
    this.detach();
    const resolve = this.resolve as (v: unknown) => void;
    if (this.mode === MODE_RECEIVE_OK) resolve(CLOSED_RESULT);
    else if (this.mode === MODE_RECEIVE) this.reject(drainedError(failure));
    else if (failure !== undefined) this.reject(failure.error);
    else resolve(DONE);
  }

  closedSend(error: ChannelClosedError): void {
    this.detach();
    this.reject(error);
  }

  /** The abort listener: withdraw and reject. Runs synchronously inside `abort()`. */
  handleEvent(): void {
    // A settled waiter has already removed this listener, so the waiter is
    // still queued here: the abort wins and the operation has had no effect.
    const queue = this.queue;
    assertInternal(queue !== null, 'an aborted waiter is not queued');
    queue.remove(this);
    this.detach();
    this.reject((this.signal as AbortSignal).reason);
  }

  /** Rejects the parked operation's promise. */
  reject(reason: unknown): void {
    (this.resolve as (value: unknown) => void)(new Rejection(reason));
  }

  /** Settles this waiter's withdrawal from a queue by the caller. */
  withdrawDone(): void {
    this.detach();
    (this.resolve as (v: unknown) => void)(DONE);
  }

  private detach(): void {
    if (this.signal !== undefined) this.signal.removeEventListener('abort', this);
  }
}

function noop(): void {}

/** What a plain receive rejects with once the channel is closed and drained. */
function drainedError(failure: Failure | undefined): unknown {
  return failure !== undefined
    ? failure.error
    : new ChannelClosedError('receive(): channel is closed and drained');
}

// ─── The channel ────────────────────────────────────────────────────────────

/**
 * The channel implementation. Exported for `select` and the other core
 * modules; users see it only through the {@link Channel} interfaces.
 */
export class ChannelImpl<T> implements Channel<T> {
  /** Objects that keep channel shapes alive; see the end of this module. */
  static shapeAnchors: readonly object[] = [];
  /** Parked receivers, oldest first. Only non-empty while the buffer is empty. */
  readonly recvq = new ParkQueue();
  /** Parked senders, oldest first. Only non-empty while the buffer is full. */
  readonly sendq = new ParkQueue();
  /** Buffered values; null for an unbuffered channel. */
  private readonly buffer: Ring<T> | null;
  /** POLICY_* for a full buffer; fixed. */
  private readonly policy: number;
  /** Set once by close() or cancel(). */
  private isClosed = false;
  /** The error given to close(error), boxed; set once with isClosed. */
  failure: Failure | undefined = undefined;
  /** This channel's select receive case, made once by onReceive and shared. */
  receiveCase: object | undefined = undefined;

  constructor(
    /** Buffer size (Infinity when unbounded); fixed. */
    readonly capacity: number,
    policy: number,
    /** The onUndelivered hook; fixed. */
    private readonly onUndelivered: ((value: T) => void) | undefined,
    /** The onClose hook; fixed. */
    private readonly onClose: ((error: unknown) => void) | undefined,
    /** Whether this is a nil channel, on which nothing ever happens; fixed. */
    readonly isNil: boolean,
  ) {
    this.policy = policy;
    this.buffer = capacity > 0 ? new Ring<T>(capacity) : null;
  }

  get length(): number {
    return this.buffer === null ? 0 : this.buffer.length;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get closeError(): unknown {
    return this.failure === undefined ? undefined : this.failure.error;
  }

  get sendOnly(): SendChannel<T> {
    return this;
  }

  get receiveOnly(): ReceiveChannel<T> {
    return this;
  }

  // ─── Send ─────────────────────────────────────────────────────────────────

  send(value: T, options?: WaitOptions): Promise<void> {
    const signal = options === undefined ? undefined : options.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (this.isNil) return parkForever(signal);
    if (this.isClosed) return Promise.reject(this.rejectSend(value));
    if (this.offer(value)) return RESOLVED;
    // Without a signal nothing can withdraw the send, so it parks bare.
    if (signal === undefined) return parkBare<void>(this.sendq, value);

    const waiter = new OpWaiter(MODE_SEND, signal);
    waiter.value = value;
    const promise = promiseResolveInto<void>(waiter);
    this.sendq.push(waiter);
    signal.addEventListener('abort', waiter);
    return promise;
  }

  trySend(value: T): boolean {
    if (this.isNil) return false;
    if (this.isClosed) throw this.rejectSend(value);
    return this.offer(value);
  }

  /** Whether a send would complete now (a send on a closed channel completes by failing). */
  canSend(): boolean {
    return (
      this.isClosed ||
      this.recvq.size > 0 ||
      (this.buffer !== null && (this.buffer.length < this.capacity || this.policy !== POLICY_BLOCK))
    );
  }

  /**
   * Completes a send without waiting if possible; returns whether it did.
   * Precondition: the channel is open and not nil.
   */
  offer(value: T): boolean {
    const receiver = this.recvq.size > 0 ? this.recvq.take() : null;
    if (receiver !== null) {
      if (typeof receiver === 'function') {
        // A bare receive: its mode is the entry's extra slot.
        receiver(this.recvq.extra === MODE_RECEIVE ? value : { value, ok: true });
      } else {
        (receiver as Waiter).received(value);
      }
      return true;
    }
    const buffer = this.buffer;
    if (buffer === null) return false;
    if (buffer.length < this.capacity) {
      buffer.push(value);
      return true;
    }
    if (this.policy === POLICY_DROP_NEWEST) {
      this.undelivered(value);
      return true;
    }
    if (this.policy === POLICY_DROP_OLDEST) {
      const oldest = buffer.shift();
      buffer.push(value);
      // The hook runs last, with the channel consistent, because it may
      // call back into this channel.
      this.undelivered(oldest);
      return true;
    }
    return false;
  }

  /** The error for a send on a closed channel, after handing its value back. */
  rejectSend(value: T): ChannelClosedError {
    this.undelivered(value);
    return new ChannelClosedError('send(): channel is closed');
  }

  // ─── Receive ──────────────────────────────────────────────────────────────

  receive(options?: WaitOptions): Promise<T> {
    const signal = options === undefined ? undefined : options.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (this.isNil) return parkForever(signal);
    const value = this.poll();
    if (value === EMPTY) return this.parkReceiver<T>(MODE_RECEIVE, signal);
    if (value === CLOSED) return Promise.reject(drainedError(this.failure));
    return Promise.resolve(value);
  }

  receiveOk(options?: WaitOptions): Promise<ReceiveResult<T>> {
    const signal = options === undefined ? undefined : options.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (this.isNil) return parkForever(signal);
    const value = this.poll();
    if (value === EMPTY) return this.parkReceiver<ReceiveResult<T>>(MODE_RECEIVE_OK, signal);
    if (value === CLOSED) return Promise.resolve(CLOSED_RESULT);
    return Promise.resolve({ value, ok: true });
  }

  tryReceive(): ReceiveResult<T> | undefined {
    if (this.isNil) return undefined;
    const value = this.poll();
    if (value === EMPTY) return undefined;
    if (value === CLOSED) return CLOSED_RESULT;
    return { value, ok: true };
  }

  /** Whether a receive would complete now (closed and drained counts). */
  canReceive(): boolean {
    return this.isClosed || this.sendq.size > 0 || (this.buffer !== null && this.buffer.length > 0);
  }

  /**
   * Completes a receive without waiting if possible: the value, CLOSED or
   * EMPTY. Precondition: the channel is not nil.
   */
  poll(): T | typeof EMPTY | typeof CLOSED {
    const buffer = this.buffer;
    if (buffer !== null && buffer.length > 0) {
      const value = buffer.shift();
      // The freed slot goes to the oldest parked sender (invariant 1).
      if (this.sendq.size > 0) buffer.push(this.takeSender());
      return value;
    }
    if (this.sendq.size > 0) return this.takeSender();
    return this.isClosed ? CLOSED : EMPTY;
  }

  /**
   * Takes the oldest parked sender's value and settles its send.
   * Precondition: `sendq.size > 0`.
   */
  private takeSender(): T {
    const sender = this.sendq.take();
    if (typeof sender === 'function') {
      const value = this.sendq.extra as T;
      sender(undefined);
      return value;
    }
    const waiter = sender as Waiter;
    const value = waiter.value as T;
    waiter.sent();
    return value;
  }

  private parkReceiver<R>(mode: number, signal: AbortSignal | undefined): Promise<R> {
    // Without a signal nothing can withdraw the receive, so it parks bare.
    if (signal === undefined) return parkBare<R>(this.recvq, mode);
    const waiter = new OpWaiter(mode, signal);
    const promise = promiseResolveInto<R>(waiter);
    this.recvq.push(waiter);
    signal.addEventListener('abort', waiter);
    return promise;
  }

  values(options?: WaitOptions): AsyncIterableIterator<T> {
    return new ChannelIterator(this, options === undefined ? undefined : options.signal);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ChannelIterator(this, undefined);
  }

  '@@observable'(): ChannelObservable<T> {
    const observable = {
      subscribe: (observer?: ChannelObserver<T> | ((value: T) => void)): ChannelSubscription =>
        observeChannel(this, observer),
      '@@observable': () => observable,
    } as ChannelObservable<T>;
    withObservableSymbol(observable, observable['@@observable']);
    return observable;
  }

  /** Defined after the class, and only where `Symbol.observable` exists. */
  declare [Symbol.observable]: () => ChannelObservable<T>;

  /** Parks an iterator's `next`. Precondition: a poll found EMPTY. */
  parkNext(
    signal: AbortSignal | undefined,
    iterator: ChannelIterator<T>,
  ): { waiter: OpWaiter; promise: Promise<IteratorResult<T>> } {
    const waiter = new NextWaiter(signal, iterator);
    const promise = promiseResolveInto<IteratorResult<T>>(waiter);
    this.recvq.push(waiter);
    if (signal !== undefined) signal.addEventListener('abort', waiter);
    return { waiter, promise };
  }

  // ─── Close ────────────────────────────────────────────────────────────────

  close(...cause: [error?: unknown]): void {
    if (this.isNil) throw new TypeError('close(): cannot close a nil channel');
    if (this.isClosed) throw new ChannelClosedError('close(): channel is already closed');
    this.isClosed = true;
    // An argument given, even undefined, is an error (as in RxJS's error()).
    if (cause.length > 0) this.failure = { error: cause[0] };

    // Parked receivers exist only while the buffer is empty (invariant 1),
    // so each of them sees the close now.
    let receiver: unknown;
    while ((receiver = this.recvq.take()) !== null) {
      if (typeof receiver !== 'function') {
        (receiver as Waiter).closedReceive(this.failure);
      } else if (this.recvq.extra === MODE_RECEIVE_OK) {
        receiver(CLOSED_RESULT);
      } else {
        receiver(new Rejection(drainedError(this.failure)));
      }
    }

    // Parked senders are rejected; their values go back through the hook
    // after every waiter has settled.
    let sender: unknown;
    let undelivered: T[] | undefined;
    while ((sender = this.sendq.take()) !== null) {
      const error = new ChannelClosedError('send(): channel closed while the send waited');
      if (typeof sender === 'function') {
        sender(new Rejection(error));
        (undelivered ??= []).push(this.sendq.extra as T);
      } else {
        (sender as Waiter).closedSend(error);
        (undelivered ??= []).push((sender as Waiter).value as T);
      }
    }
    if (undelivered !== undefined) for (const value of undelivered) this.undelivered(value);
    if (this.onClose !== undefined) callHook(this.onClose, this.closeError);
  }

  cancel(): void {
    if (this.isNil) throw new TypeError('cancel(): cannot cancel a nil channel');
    if (!this.isClosed) this.close();
    if (this.buffer !== null && this.buffer.length > 0) {
      for (const value of this.buffer.clear()) this.undelivered(value);
    }
  }

  private undelivered(value: T): void {
    if (this.onUndelivered !== undefined) callHook(this.onUndelivered, value);
  }
}

/**
 * Adds `method` under `Symbol.observable` where a polyfill defines that
 * symbol; without one, RxJS and others use the `'@@observable'` key.
 */
function withObservableSymbol(target: object, method: () => unknown): void {
  if (typeof Symbol.observable === 'symbol') {
    Object.defineProperty(target, Symbol.observable, {
      value: method,
      configurable: true,
      writable: true,
    });
  }
}

withObservableSymbol(ChannelImpl.prototype, ChannelImpl.prototype['@@observable']);

// ─── Iteration ──────────────────────────────────────────────────────────────

/** A parked iterator `next`, which tells its iterator when the channel closes under it. */
class NextWaiter extends OpWaiter {
  constructor(
    signal: AbortSignal | undefined,
    /** The iterator that parked; fixed. */
    private readonly iterator: { markDone(): void },
  ) {
    super(MODE_NEXT, signal);
  }

  override closedReceive(failure: Failure | undefined): void {
    // A close error is thrown once; the iterator is done after it.
    this.iterator.markDone();
    super.closedReceive(failure);
  }
}

/** The async iterator of `values()` and `for await`. */
class ChannelIterator<T> implements AsyncIterableIterator<T> {
  /** Iterator `next` calls still parked; pruned on every park. */
  private parked: OpWaiter[] = [];
  /** Set by `return()`, or when the channel was seen closed and drained. */
  private isDone = false;

  constructor(
    /** The channel read; fixed. */
    private readonly channel: ChannelImpl<T>,
    /** Aborts pending and future `next` calls; fixed. */
    private readonly signal: AbortSignal | undefined,
  ) {}

  next(): Promise<IteratorResult<T>> {
    if (this.isDone) return Promise.resolve(DONE);
    const signal = this.signal;
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    const channel = this.channel;
    if (channel.isNil) return parkForever(signal);
    const value = channel.poll();
    if (value === CLOSED) {
      this.isDone = true;
      const failure = channel.failure;
      return failure === undefined ? Promise.resolve(DONE) : Promise.reject(failure.error);
    }
    if (value !== EMPTY) return Promise.resolve({ value, done: false });

    const { waiter, promise } = channel.parkNext(signal, this);
    if (this.parked.length > 0) this.parked = this.parked.filter((w) => w.queue !== null);
    this.parked.push(waiter);
    return promise;
  }

  /** The channel closed under a parked `next`: later calls report done. */
  markDone(): void {
    this.isDone = true;
  }

  return(): Promise<IteratorResult<T>> {
    this.isDone = true;
    // Withdraw parked receives before they take a value, so breaking out of
    // a loop leaves every later value in the channel.
    for (const waiter of this.parked) {
      if (waiter.queue !== null) {
        waiter.queue.remove(waiter);
        waiter.withdrawDone();
      }
    }
    this.parked = [];
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

// ─── Nil channels ───────────────────────────────────────────────────────────

/** A promise that settles only when `signal` aborts. */
function parkForever<R>(signal: AbortSignal | undefined): Promise<R> {
  return new Promise<R>((_resolve, reject) => {
    if (signal !== undefined) {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    }
  });
}

// ─── Constructors ───────────────────────────────────────────────────────────

/**
 * Makes a channel, as Go's `make(chan T, capacity)`. With capacity 0 (the
 * default) a send waits until a receiver takes the value (rendezvous);
 * with capacity n, up to n values wait in a buffer and only a send into a
 * full buffer waits. `policy` changes what a full buffer does; see
 * {@link BufferPolicy}. `'conflated'` and `'unbounded'` set the capacity
 * themselves, so pass them as `chan({ policy })`.
 *
 * Close: receivers drain the buffer, then see the close; waiting senders
 * reject with `ChannelClosedError`. Abort: a waiting operation whose signal
 * aborts is withdrawn and rejects with `signal.reason`, having had no effect.
 * Backpressure: with `'block'`, a full buffer makes `send` wait.
 *
 * @example
 * ```ts
 * const ch = chan<string>(2);
 * await ch.send('buffered');
 * await ch.send('channel');
 * ch.close();
 * for await (const message of ch) console.log(message); // buffered, channel
 * ```
 * @throws RangeError for a capacity that is not a non-negative integer, a
 * drop policy without a buffer, or a capacity given with a policy that sets
 * its own; TypeError for an unknown policy or a hook that is not a function.
 * @see nilChan
 */
export function chan<T>(capacity?: number, options?: ChanOptions<T>): Channel<T>;
export function chan<T>(options: ChanOptions<T>): Channel<T>;
export function chan<T>(
  capacityOrOptions?: number | ChanOptions<T>,
  maybeOptions?: ChanOptions<T>,
): Channel<T> {
  let capacity: number | undefined;
  let options: ChanOptions<T> | undefined;
  if (typeof capacityOrOptions === 'object' && capacityOrOptions !== null) {
    options = capacityOrOptions;
  } else {
    capacity = capacityOrOptions;
    options = maybeOptions;
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`chan(): options must be an object, got ${describe(options)}`);
  }
  if (
    capacity !== undefined &&
    (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 0)
  ) {
    throw new RangeError(
      `chan(): capacity must be a non-negative integer, got ${describe(capacity)}` +
        (capacity === Infinity ? " (use chan({ policy: 'unbounded' }))" : ''),
    );
  }
  const policy = options?.policy ?? 'block';
  const onUndelivered = options?.onUndelivered;
  if (onUndelivered !== undefined && typeof onUndelivered !== 'function') {
    throw new TypeError(`chan(): onUndelivered must be a function, got ${describe(onUndelivered)}`);
  }
  const onClose = options?.onClose;
  if (onClose !== undefined && typeof onClose !== 'function') {
    throw new TypeError(`chan(): onClose must be a function, got ${describe(onClose)}`);
  }

  switch (policy) {
    case 'block':
      return new ChannelImpl<T>(capacity ?? 0, POLICY_BLOCK, onUndelivered, onClose, false);
    case 'drop-newest':
    case 'drop-oldest':
      if (capacity === undefined || capacity === 0) {
        throw new RangeError(
          `chan(): policy '${policy}' needs a capacity of at least 1, got ${capacity ?? 0}`,
        );
      }
      return new ChannelImpl<T>(
        capacity,
        policy === 'drop-newest' ? POLICY_DROP_NEWEST : POLICY_DROP_OLDEST,
        onUndelivered,
        onClose,
        false,
      );
    case 'conflated':
    case 'unbounded':
      if (capacity !== undefined) {
        throw new RangeError(
          `chan(): policy '${policy}' sets its own capacity, so none may be given, got ${capacity}`,
        );
      }
      return policy === 'conflated'
        ? new ChannelImpl<T>(1, POLICY_DROP_OLDEST, onUndelivered, onClose, false)
        : new ChannelImpl<T>(Infinity, POLICY_BLOCK, onUndelivered, onClose, false);
    default:
      throw new TypeError(
        "chan(): policy must be 'block', 'drop-newest', 'drop-oldest', 'conflated' or " +
          `'unbounded', got ${describe(policy)}`,
      );
  }
}

/**
 * Makes a nil channel, Go's `var ch chan T`: sends and receives on it wait
 * forever (until their signal aborts), `trySend` returns false, `tryReceive`
 * returns `undefined`, and a select case on it is never chosen, which is how
 * Go code switches a case off. Closing it throws.
 *
 * @example
 * ```ts
 * const off = nilChan<number>();
 * console.log(off.tryReceive()); // undefined
 * ```
 * @throws TypeError from `close()` and `cancel()`.
 */
export function nilChan<T>(): Channel<T> {
  return new ChannelImpl<T>(0, POLICY_BLOCK, undefined, undefined, true);
}

/** Returns the implementation behind a channel view, or undefined for anything else. */
export function asChannelImpl(value: unknown): ChannelImpl<unknown> | undefined {
  return value instanceof ChannelImpl ? value : undefined;
}

// ─── Keeping channel shapes alive ───────────────────────────────────────────

/**
 * A channel and an iterator that live as long as this module. V8 frees a
 * hidden class (object shape) at a major GC once no object has it, and
 * deoptimizes every function optimized for it; a program whose channels
 * are all short-lived would lose its optimized channel code at every major
 * GC and warm it up again. This channel, put once through a buffered send
 * and receive and a parked receive, and its iterator keep the shapes of
 * channels, rings, queues and iterators alive. Select keeps the shape of
 * its receive cases with this channel's case (see cases.ts).
 */
export const shapeAnchor = new ChannelImpl<number>(1, POLICY_BLOCK, undefined, undefined, false);
shapeAnchor.trySend(0);
shapeAnchor.poll();
shapeAnchor.recvq.pushBare(noop, MODE_RECEIVE);
shapeAnchor.recvq.take();
const anchorIterator = shapeAnchor.values();
shapeAnchor.trySend(0);
void anchorIterator.next();
// Module-level constants alone are not enough: an engine may drop them once
// the module has run. The class keeps them.
ChannelImpl.shapeAnchors = [shapeAnchor, anchorIterator];
