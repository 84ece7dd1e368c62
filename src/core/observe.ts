/**
 * The Observable interop protocol on channels, without depending on RxJS:
 * `from(ch)` in RxJS (or any library that honours `Symbol.observable` /
 * `'@@observable'`) subscribes through `observeChannel`.
 *
 * Invariants:
 * 1. A subscription has at most one receive outstanding; it takes a value
 *    from the channel only when it can hand it to `next` at once, so a
 *    subscriber that stops (for example after `take(2)`) leaves every later
 *    value in the channel.
 * 2. Unsubscribing withdraws the outstanding receive synchronously.
 * 3. Once the channel is closed and drained, `complete` is called once, or
 *    `error` once if the channel was closed with an error.
 */
import type { ChannelImpl } from './channel.js';
import { CLOSED, EMPTY } from './internal/sentinels.js';
import type { ChannelClosedError } from './errors.js';
import { Waiter, type Failure } from './internal/waiter.js';

/** The observer shape the interop protocol passes in (an RxJS Subscriber fits). */
export interface ChannelObserver<T> {
  next?: (value: T) => void;
  error?: (error: unknown) => void;
  complete?: () => void;
  /** An RxJS Subscriber reports here whether it has stopped. */
  readonly closed?: boolean;
}

/** What `subscribe` returns. */
export interface ChannelSubscription {
  /** Whether the subscription has ended (unsubscribed or completed). */
  readonly closed: boolean;
  /** Stops receiving and withdraws the outstanding receive. Idempotent. */
  unsubscribe(): void;
}

/** The object returned by a channel's `[Symbol.observable]()`. */
export interface ChannelObservable<T> {
  subscribe(observer?: ChannelObserver<T> | ((value: T) => void)): ChannelSubscription;
  '@@observable'(): ChannelObservable<T>;
  [Symbol.observable](): ChannelObservable<T>;
}

declare global {
  interface SymbolConstructor {
    /** The Observable interop symbol, where a polyfill defines it. */
    readonly observable: symbol;
  }
}

/** Runs an observer callback; its exception is rethrown as an uncaught error. */
function report(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** One subscriber's loop of receives. */
class ChannelSubscriptionImpl<T> extends Waiter implements ChannelSubscription {
  /** Set by unsubscribe or completion; no value is taken afterwards. */
  private isClosed = false;

  constructor(
    /** The channel read; fixed. */
    private readonly channel: ChannelImpl<T>,
    /** The observer fed; fixed. */
    private readonly observer: ChannelObserver<T>,
  ) {
    super();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Hands over values while the channel has them and the observer is live,
   * then parks this subscription as the channel's receiver.
   */
  pump(): void {
    const channel = this.channel;
    while (!this.isStopped()) {
      const value = channel.poll();
      if (value === EMPTY) {
        channel.recvq.push(this);
        return;
      }
      if (value === CLOSED) {
        this.closedReceive(channel.failure);
        return;
      }
      this.deliver(value);
    }
  }

  unsubscribe(): void {
    this.isClosed = true;
    if (this.queue !== null) this.queue.remove(this);
  }

  received(value: unknown): void {
    // The channel dequeued this subscription and is consistent; delivering
    // synchronously keeps the hand-off lossless (no window in which the
    // subscriber could stop while holding a taken value).
    this.deliver(value as T);
    this.pump();
  }

  closedReceive(failure: Failure | undefined): void {
    this.isClosed = true;
    const observer = this.observer;
    try {
      if (failure === undefined) observer.complete?.();
      else if (observer.error !== undefined) observer.error(failure.error);
      else report(failure.error);
    } catch (error) {
      report(error);
    }
  }

  sent(): void {
    // A subscription never sends.
  }

  closedSend(_error: ChannelClosedError): void {
    // A subscription never sends.
  }

  private isStopped(): boolean {
    // An RxJS Subscriber may stop during subscribe, before a teardown is
    // registered, so its own flag is checked as well as ours.
    return this.isClosed || this.observer.closed === true;
  }

  private deliver(value: T): void {
    const next = this.observer.next;
    if (next === undefined) return;
    try {
      next.call(this.observer, value);
    } catch (error) {
      report(error);
    }
  }
}

/**
 * Subscribes `observer` to `channel`: each value is received only when it
 * can be handed to `next` at once, close completes after the buffer drains,
 * and unsubscribing withdraws the pending receive, consuming nothing.
 * Several subscribers compete: each value goes to one of them.
 */
export function observeChannel<T>(
  channel: ChannelImpl<T>,
  observer?: ChannelObserver<T> | ((value: T) => void),
): ChannelSubscription {
  const target: ChannelObserver<T> =
    typeof observer === 'function' ? { next: observer } : (observer ?? {});
  const subscription = new ChannelSubscriptionImpl(channel, target);
  if (!channel.isNil) subscription.pump();
  return subscription;
}
