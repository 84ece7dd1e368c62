import type { ChannelClosedError } from '../errors.js';
import type { ParkQueue } from './park-queue.js';

/**
 * A parked operation as a channel sees it: a plain send or receive, an async
 * iterator's `next`, or one case of a parked select. The channel removes the
 * waiter from its queue first and then calls exactly one of these methods,
 * once; none of them may call back into a channel synchronously.
 */
export abstract class Waiter {
  /** The queue holding this waiter, or null; maintained by ParkQueue only. */
  queue: ParkQueue | null = null;
  /** Sequence number of this waiter's entry in `queue`; maintained by ParkQueue only. */
  seq = 0;
  /** For a parked sender: the value it carries. Unused by receivers. */
  value: unknown = undefined;

  /** A receiver (or the buffer) took this sender's value. */
  abstract sent(): void;
  /** This parked receiver is handed `value`. */
  abstract received(value: unknown): void;
  /**
   * The channel closed while this receiver was parked; `failure` holds the
   * error it was closed with, if any.
   */
  abstract closedReceive(failure: Failure | undefined): void;
  /** The channel closed while this sender was parked; `value` was not delivered. */
  abstract closedSend(error: ChannelClosedError): void;
}

/** The error a channel was closed with, boxed so that any value (even undefined) can be one. */
export interface Failure {
  readonly error: unknown;
}

/** Resolve and reject functions captured by `capture` for the promise being made. */
let capturedResolve: (value: never) => void = () => {};
let capturedReject: (reason: unknown) => void = () => {};

/**
 * Shared promise executors: one function for every promise the core makes,
 * so parking an operation allocates no closure of its own. Most parked
 * operations keep only their resolve function, so `captureResolve` stores
 * only that.
 */
function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

function captureResolve(resolve: (value: never) => void): void {
  capturedResolve = resolve;
}

/** Settlement functions of one pending promise. */
export interface Settle {
  resolve: (value: never) => void;
  reject: (reason: unknown) => void;
}

/**
 * Parks a bare operation: makes its promise and queues its resolve function
 * with `extra` (a sender's value or a receiver's mode), allocating no object
 * of its own.
 */
export function parkBare<T>(queue: ParkQueue, extra: unknown): Promise<T> {
  const promise = new Promise<T>(captureResolve);
  queue.pushBare(capturedResolve, extra);
  return promise;
}

/** Makes a promise and stores only its resolve function in `target`. */
export function promiseResolveInto<T>(target: { resolve: (value: never) => void }): Promise<T> {
  const promise = new Promise<T>(captureResolve);
  target.resolve = capturedResolve;
  return promise;
}

/**
 * A thenable that rejects: resolving a promise with it rejects that promise
 * (one extra job later). Parked operations keep only their resolve function,
 * which saves a function per parked operation; they fail through this.
 */
export class Rejection {
  constructor(/** The rejection reason; fixed. */ private readonly reason: unknown) {}

  then(_onFulfilled: unknown, onRejected: (reason: unknown) => void): void {
    onRejected(this.reason);
  }
}

/** Makes a promise and stores its settlement functions in `target`. */
export function promiseInto<T>(target: Settle): Promise<T> {
  const promise = new Promise<T>(capture);
  target.resolve = capturedResolve;
  target.reject = capturedReject;
  return promise;
}
