/**
 * ResourcePool: the tutorial's `pool` package (a buffered channel of idle
 * resources that many goroutines share), made safe to run in production:
 * an optional bound on live resources with a first-come, first-served line
 * of waiting acquirers, a health check before reuse, leases for `using`,
 * cancellation of every wait, and a clean shutdown.
 *
 * Slots. The pool counts slots, not objects: `live` is the number of
 * resources being created, idle, being checked, lent out, or on their way
 * to a waiter. A slot is reserved before the factory runs and given up only
 * when its resource is closed (or its creation fails), so `max` bounds every
 * resource that exists at once.
 *
 * A resource's life:
 *
 *     factory ──▶ lent ──release──▶ idle ──acquire, check passes──▶ lent
 *                  │  └──release, a waiter──▶ handed to the oldest waiter
 *                  └──destroy, or release into a full idle set or a
 *                     closed pool──▶ closed (its slot goes to the oldest
 *                     waiter, who creates a new resource in it)
 *
 * Invariants (hold between any two public calls):
 * 1. `live <= max` and `idle <= size`; idle resources are counted in `live`.
 * 2. A waiting acquirer implies no idle resource and `live === max`: a
 *    resource or a slot that comes free goes to the oldest waiter first.
 * 3. Each resource is in one place at a time: idle, lent to one caller, or
 *    in the pool's hands (being created, checked or handed over). `close()`
 *    is called on it exactly once, after which it is in none.
 * 4. Once closed, always closed: no idle resource and no waiter remain,
 *    every acquire not yet settled rejects, every resource that comes back
 *    is closed.
 */
import { callHook, describeValue, type WaitOptions } from '../core/channel.js';
import { PoolClosedError } from '../core/errors.js';

/**
 * Makes a new resource, or a promise of one. `signal` aborts when the
 * acquire that asked for it is abandoned (its signal aborted, or the pool
 * closed); a factory that honours it stops early, and a resource made after
 * all is kept by the pool (or closed, if the pool is closed or full).
 */
export type ResourceFactory<R> = (signal: AbortSignal) => R | PromiseLike<R>;

/**
 * A health check run on an idle resource before it is lent again; resolves
 * `true` to reuse it. Anything else, a throw or a rejection fails the check,
 * and the resource is closed. `signal` aborts as for {@link ResourceFactory}.
 */
export type ResourceCheck<R> = (resource: R, signal: AbortSignal) => boolean | PromiseLike<boolean>;

/** Options of {@link ResourcePool}. */
export interface ResourcePoolOptions<R> {
  /**
   * How many idle resources the pool keeps for reuse (the capacity of the
   * tutorial's buffered channel); a positive integer. A resource released
   * while the idle set is full is closed.
   */
  size: number;
  /**
   * The most resources alive at once, counting those being created; an
   * integer of at least `size`, or `Infinity` (the default: no bound, as in
   * the tutorial). With a bound, an acquire waits while it is reached.
   */
  max?: number | undefined;
  /** Health check before an idle resource is reused; none by default. */
  validate?: ResourceCheck<R> | undefined;
  /**
   * Called with what a resource's `close()` threw or rejected with. Without
   * it such errors are ignored: the pool has dropped the resource either way.
   * An exception the hook throws is rethrown asynchronously.
   */
  onCloseError?: ((error: unknown, resource: R) => void) | undefined;
}

/**
 * A resource lent by {@link ResourcePool.lease}, returned to the pool when
 * the lease is released or disposed (`using lease = await pool.lease()`).
 * Releasing or disposing a lease more than once does nothing more.
 */
export interface Lease<R> {
  /** The leased resource; do not use it once the lease is released. */
  readonly resource: R;
  /** Whether the lease was released or destroyed. */
  readonly released: boolean;
  /** Gives the resource back to the pool (see {@link ResourcePool.release}). */
  release(): void;
  /** Closes the resource instead (see {@link ResourcePool.destroy}). */
  destroy(): void;
  /** Releases the lease: what a `using` declaration calls at scope exit. */
  [Symbol.dispose](): void;
  /** Releases the lease: what an `await using` declaration calls. */
  [Symbol.asyncDispose](): Promise<void>;
}

// Runtimes before Node 20.4 have no Symbol.dispose; transpilers then look
// the symbols up in the registry under these names, and so does the pool.
const disposeSymbol: typeof Symbol.dispose =
  Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
const asyncDisposeSymbol: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

/** What an acquirer may be granted: a resource, or an empty slot to create one in. */
const EMPTY_SLOT: unique symbol = Symbol('empty slot');
type Grant<R> = R | typeof EMPTY_SLOT;

/** A parked acquirer. */
interface Waiter<R> {
  /** Hands over a grant; the pool has already removed the waiter. */
  grant(what: Grant<R>): void;
}

const RESOLVED: Promise<void> = Promise.resolve();

function noop(): void {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** Checks the options of a waiting call and returns its signal. */
function checkWaitOptions(call: string, options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${call}: options must be an object, got ${describeValue(options)}`);
  }
  const signal = (options as WaitOptions).signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${call}: signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  return signal;
}

class PoolLease<R extends { close(): unknown }> implements Lease<R> {
  /** Set by the first release or destroy. */
  private isReleased = false;

  constructor(
    /** The pool the resource came from; fixed. */
    private readonly pool: ResourcePool<R>,
    readonly resource: R,
  ) {}

  get released(): boolean {
    return this.isReleased;
  }

  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    this.pool.release(this.resource);
  }

  destroy(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    this.pool.destroy(this.resource);
  }

  [disposeSymbol](): void {
    this.release();
  }

  [asyncDisposeSymbol](): Promise<void> {
    this.release();
    return RESOLVED;
  }
}

/**
 * A pool of reusable resources (connections, sessions, handles), each with
 * a `close()` method: Go's `pool.Pool` from the tutorial. `acquire()` lends
 * an idle resource or makes a new one with `factory`; `release()` takes it
 * back for the next acquirer, or closes it when `size` resources are idle
 * already; `close()` closes the idle ones and makes every later acquire
 * fail. `lease()` wraps a resource so `using` releases it.
 *
 * Beyond the tutorial:
 * - Backpressure: with `max`, at most `max` resources exist at once; an
 *   acquire beyond that waits, and waiters are served first come, first
 *   served, each by a released resource or, when one is closed, by a slot
 *   to create a new one in.
 * - Abort: an acquire's `signal` withdraws it at once, wherever it waits
 *   (in line, in the factory, in the health check); it rejects with
 *   `signal.reason` and leaves no trace: a resource made or checked after
 *   the abort goes back to the pool.
 * - Health check: `validate` runs before an idle resource is lent again; a
 *   resource that fails it is closed, and the acquirer tries the next idle
 *   one or makes a new one.
 * - Errors: a factory that throws or rejects, or returns something without
 *   a `close()` method, fails the acquire that called it (a `TypeError` for
 *   a bad resource) and frees its slot for the next waiter. Errors of a
 *   resource's own `close()` go to `onCloseError`.
 * - Close: `close()` closes idle resources and resolves once their
 *   `close()` calls have settled (async ones included); waiting acquires,
 *   acquires still in the factory or the check, and later acquires reject
 *   with `PoolClosedError`; resources still lent are closed when released.
 *   Calling it again returns the same promise. `await using pool = ...`
 *   closes the pool at scope exit.
 *
 * Order: idle resources are reused oldest first, as a Go channel yields
 * them. Read-only state: `idle`, `live`, `waiting`, `closed`.
 *
 * Limits: `release(resource)` identifies a resource by the object itself,
 * so a caller that releases twice after another caller acquired the same
 * object again cannot be told apart from that caller; leases, which release
 * once, avoid the mistake.
 *
 * @example
 * ```ts
 * let made = 0;
 * const closed: number[] = [];
 * const connect = () => {
 *   const id = ++made;
 *   return { id, close: () => closed.push(id) };
 * };
 * const pool = new ResourcePool(connect, { size: 1, max: 2 });
 * const a = await pool.acquire();
 * const b = await pool.acquire();
 * const third = pool.acquire(); // waits: two are live, the most allowed
 * console.log(pool.live, pool.waiting); // 2 1
 * pool.release(a); // handed straight to the waiter
 * console.log((await third).id); // 1
 * pool.release(b); // idle
 * pool.release(a); // the idle set is full: closed
 * console.log(closed, pool.idle); // [ 1 ] 1
 * await pool.close();
 * console.log(closed, pool.live); // [ 1, 2 ] 0
 * ```
 * @example
 * ```ts
 * const pool = new ResourcePool(() => ({ close() {} }), { size: 2 });
 * {
 *   using lease = await pool.lease();
 *   console.log(pool.idle, pool.live); // 0 1
 * } // released here
 * console.log(pool.idle, pool.live); // 1 1
 * ```
 * @throws TypeError if `factory`, `validate` or `onCloseError` is not a
 * function, or `options` is not an object; RangeError if `size` is not a
 * positive integer, or `max` is neither `Infinity` nor an integer of at
 * least `size`.
 */
export class ResourcePool<R extends { close(): unknown }> {
  /** How many idle resources are kept; fixed. */
  readonly size: number;
  /** The most live resources; fixed (`Infinity` for no bound). */
  readonly max: number;
  /** Makes resources; fixed. */
  private readonly factory: ResourceFactory<R>;
  /** The health check, if any; fixed. */
  private readonly validate: ResourceCheck<R> | undefined;
  /** Where close errors go, if anywhere; fixed. */
  private readonly onCloseError: ((error: unknown, resource: R) => void) | undefined;
  /** Idle resources, oldest first; pushed by `giveBack`, shifted by acquires. */
  private readonly idleSet: R[] = [];
  /** Resources lent to callers: added when an acquire resolves, removed by release and destroy. */
  private readonly lent = new Set<R>();
  /** Every resource the factory made, to tell a second release from a stranger. */
  private readonly known = new WeakSet<R>();
  /** Parked acquirers, oldest first (a Set keeps insertion order). */
  private readonly waiters = new Set<Waiter<R>>();
  /** One controller per acquire still running its slow path; `close()` aborts them. */
  private readonly running = new Set<AbortController>();
  /** Slots in use (see the file overview); changed by reserve, free and close. */
  private liveCount = 0;
  /** Set once by `close()`: resolves when the idle resources have closed. */
  private closing: Promise<void> | undefined;

  constructor(factory: ResourceFactory<R>, options: ResourcePoolOptions<R>) {
    if (typeof factory !== 'function') {
      throw new TypeError(
        `ResourcePool(): factory must be a function, got ${describeValue(factory)}`,
      );
    }
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `ResourcePool(): options must be an object, got ${describeValue(options)}`,
      );
    }
    const { size, max = Infinity, validate, onCloseError } = options;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
      throw new RangeError(
        `ResourcePool(): size must be a positive integer, got ${describeValue(size)}`,
      );
    }
    if (typeof max !== 'number' || (max !== Infinity && (!Number.isInteger(max) || max < size))) {
      throw new RangeError(
        `ResourcePool(): max must be Infinity or an integer of at least size (${size}), got ${describeValue(max)}`,
      );
    }
    if (validate !== undefined && typeof validate !== 'function') {
      throw new TypeError(
        `ResourcePool(): validate must be a function, got ${describeValue(validate)}`,
      );
    }
    if (onCloseError !== undefined && typeof onCloseError !== 'function') {
      throw new TypeError(
        `ResourcePool(): onCloseError must be a function, got ${describeValue(onCloseError)}`,
      );
    }
    this.factory = factory;
    this.size = size;
    this.max = max;
    this.validate = validate;
    this.onCloseError = onCloseError;
  }

  /** Idle resources ready for reuse. */
  get idle(): number {
    return this.idleSet.length;
  }

  /** Live resources: being created, idle, being checked, lent or handed over. */
  get live(): number {
    return this.liveCount;
  }

  /** Acquires waiting in line for a resource or a free slot. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Lends a resource: an idle one that passes the health check, else a new
   * one from the factory, else (with `max` reached) the next one released,
   * waiting in line for it. Give it back with `release` (or `destroy`).
   *
   * @throws rejects with `PoolClosedError` if the pool is or gets closed
   * first; with `signal.reason` if aborted first (then nothing changed);
   * with the factory's error, or a TypeError if the factory made something
   * without a `close()` method. Throws TypeError synchronously if `options`
   * or `signal` is of the wrong kind.
   */
  acquire(options?: WaitOptions): Promise<R> {
    const signal = checkWaitOptions('ResourcePool.acquire()', options);
    if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    if (this.closing !== undefined) return Promise.reject(new PoolClosedError());
    // Fast path: an idle resource with no check to run is lent at once.
    if (this.validate === undefined && this.idleSet.length > 0) {
      return Promise.resolve(this.lend(this.idleSet.shift() as R));
    }
    return this.acquireSlowly(signal);
  }

  /**
   * Acquires a resource, as `acquire`, wrapped in a {@link Lease} that
   * gives it back when released or disposed (`using`).
   *
   * @throws as `acquire`.
   */
  lease(options?: WaitOptions): Promise<Lease<R>> {
    return this.acquire(options).then((resource) => new PoolLease(this, resource));
  }

  /**
   * Gives back a resource from `acquire`: to the oldest waiting acquirer if
   * there is one, else to the idle set, else (idle set full, or pool
   * closed) it is closed.
   *
   * @throws TypeError if `resource` is not lent out by this pool: it never
   * came from it, or was already released or destroyed.
   */
  release(resource: R): void {
    this.takeBack('release', resource);
    this.giveBack(resource);
  }

  /**
   * Closes a resource from `acquire` instead of giving it back (it broke, or
   * should not be reused); its slot goes to the oldest waiting acquirer,
   * who creates a new resource in it.
   *
   * @throws TypeError as `release`.
   */
  destroy(resource: R): void {
    this.takeBack('destroy', resource);
    this.discard(resource);
  }

  /**
   * Closes the pool: idle resources are closed, waiting and later acquires
   * reject with `PoolClosedError`, and resources still lent are closed when
   * they come back. Resolves once the idle resources' `close()` calls have
   * settled; never rejects (close errors go to `onCloseError`). Later calls
   * return the same promise.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    // Set first: acquires woken by the aborts below must find it closed.
    this.closing = RESOLVED;
    for (const controller of [...this.running]) controller.abort(new PoolClosedError());
    const closes = this.idleSet.splice(0).map((resource) => {
      this.liveCount--;
      return this.closeResource(resource);
    });
    this.closing = closes.length === 0 ? RESOLVED : Promise.all(closes).then(noop);
    return this.closing;
  }

  /** Closes the pool: what an `await using` declaration calls. */
  [asyncDisposeSymbol](): Promise<void> {
    return this.close();
  }

  // ─── Acquiring ────────────────────────────────────────────────────────────

  /**
   * The acquire loop. `hold` is what this acquirer has at each step:
   * nothing, an empty slot, or a resource not yet checked. Each step either
   * lends, or moves `hold` on; an abort or close hands `hold` back.
   */
  private async acquireSlowly(outer: AbortSignal | undefined): Promise<R> {
    const { signal, unlink } = this.link(outer);
    let hold: Grant<R> | undefined;
    try {
      for (;;) {
        if (signal.aborted) {
          this.surrender(hold);
          throw signal.reason;
        }
        if (hold === undefined) {
          // Invariant 2: an idle resource, else a free slot, else the line.
          hold = this.idleSet.shift() ?? this.reserveSlot() ?? (await this.park(signal));
        } else if (hold === EMPTY_SLOT) {
          // On rejection `create` has freed the slot, so hold nothing.
          hold = undefined;
          hold = await this.create(signal);
          // An abort after the resource was made hands it back at the top.
          if (!signal.aborted) return this.lend(hold);
        } else {
          const resource: R = hold;
          hold = undefined;
          if (this.validate === undefined || (await this.check(resource, signal))) {
            hold = resource;
            if (!signal.aborted) return this.lend(resource);
          } else if (this.idleSet.length > 0) {
            // The failed resource is closed; try the next idle one rather
            // than make a new one. Invariant 2: nobody waits for the slot.
            this.liveCount--;
          } else {
            // Keep its slot and make a replacement in it.
            hold = EMPTY_SLOT;
          }
        }
      }
    } finally {
      unlink();
    }
  }

  /**
   * A signal for one acquire, aborted when `outer` aborts or the pool
   * closes. The pool keeps its controller in `running` instead of adding a
   * listener per acquire to a signal of its own.
   */
  private link(outer: AbortSignal | undefined): { signal: AbortSignal; unlink: () => void } {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort((outer as AbortSignal).reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    this.running.add(controller);
    const unlink = (): void => {
      outer?.removeEventListener('abort', onAbort);
      this.running.delete(controller);
    };
    return { signal: controller.signal, unlink };
  }

  /** Takes a slot if one is free. */
  private reserveSlot(): typeof EMPTY_SLOT | undefined {
    if (this.liveCount >= this.max) return undefined;
    this.liveCount++;
    return EMPTY_SLOT;
  }

  /** Waits in line for a grant. Precondition: `signal` has not aborted. */
  private park(signal: AbortSignal): Promise<Grant<R>> {
    return new Promise<Grant<R>>((resolve, reject) => {
      const onAbort = (): void => {
        // Synchronous, so `waiting` drops as the signal aborts.
        this.waiters.delete(waiter);
        reject(signal.reason);
      };
      const waiter: Waiter<R> = {
        grant(what) {
          signal.removeEventListener('abort', onAbort);
          resolve(what);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /**
   * Makes a resource in a slot the caller holds. Resolves with it (the
   * caller holds it); rejects with the factory's error after freeing the
   * slot, or with `signal.reason` as soon as `signal` aborts, in which case
   * the creation's outcome is dealt with here when it comes: a resource is
   * given back, a failure frees the slot.
   */
  private create(signal: AbortSignal): Promise<R> {
    // The executor turns a synchronous throw of the factory into a rejection.
    const made = new Promise<unknown>((resolve) => resolve(this.factory(signal))).then((value) =>
      this.adopt(value),
    );
    return new Promise<R>((resolve, reject) => {
      let isAbandoned = false;
      const onAbort = (): void => {
        isAbandoned = true;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      made.then(
        (resource) => {
          signal.removeEventListener('abort', onAbort);
          if (isAbandoned) this.giveBack(resource);
          else resolve(resource);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          this.freeSlot();
          reject(error);
        },
      );
    });
  }

  /** Checks what the factory made and records it as the pool's. */
  private adopt(value: unknown): R {
    if (
      (typeof value !== 'object' && typeof value !== 'function') ||
      value === null ||
      typeof (value as { close?: unknown }).close !== 'function'
    ) {
      throw new TypeError(
        `ResourcePool.acquire(): factory must make an object with a close() method, got ${describeValue(value)}`,
      );
    }
    const resource = value as R;
    if (this.known.has(resource)) {
      throw new TypeError(
        'ResourcePool.acquire(): factory must make a new resource, got one the pool already has',
      );
    }
    this.known.add(resource);
    return resource;
  }

  /**
   * Runs the health check on a resource the caller holds. Resolves `true`
   * (the caller still holds it) or `false` (it was closed; the caller holds
   * its empty slot); rejects with `signal.reason` as soon as `signal`
   * aborts, and the verdict is dealt with here when it comes.
   */
  private check(resource: R, signal: AbortSignal): Promise<boolean> {
    const validate = this.validate as ResourceCheck<R>;
    const verdict = new Promise<unknown>((resolve) => resolve(validate(resource, signal))).then(
      (healthy) => healthy === true,
      () => false,
    );
    return new Promise<boolean>((resolve, reject) => {
      let isAbandoned = false;
      const onAbort = (): void => {
        isAbandoned = true;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void verdict.then((healthy) => {
        signal.removeEventListener('abort', onAbort);
        if (!isAbandoned) {
          if (!healthy) void this.closeResource(resource);
          resolve(healthy);
        } else if (healthy) {
          this.giveBack(resource);
        } else {
          this.discard(resource);
        }
      });
    });
  }

  /** Records `resource` as lent and returns it. */
  private lend(resource: R): R {
    this.lent.add(resource);
    return resource;
  }

  /** Hands back whatever an abandoned acquire holds. */
  private surrender(hold: Grant<R> | undefined): void {
    if (hold === undefined) return;
    if (hold === EMPTY_SLOT) this.freeSlot();
    else this.giveBack(hold);
  }

  // ─── Giving back ──────────────────────────────────────────────────────────

  /** Removes `resource` from the lent set, or throws if it is not there. */
  private takeBack(method: string, resource: R): void {
    if (this.lent.delete(resource)) return;
    const call = `ResourcePool.${method}()`;
    if (typeof resource === 'object' && resource !== null && this.known.has(resource)) {
      throw new TypeError(`${call}: resource must be lent out, got one already given back`);
    }
    throw new TypeError(
      `${call}: resource must come from this pool, got ${describeValue(resource)}`,
    );
  }

  /**
   * Puts a resource the pool holds (counted in `live`, in no set) where it
   * belongs: closed if the pool is, else to the oldest waiter, else idle,
   * else closed (the idle set is full).
   */
  private giveBack(resource: R): void {
    if (this.closing !== undefined) this.discard(resource);
    else if (this.handOff(resource)) return;
    else if (this.idleSet.length < this.size) this.idleSet.push(resource);
    else this.discard(resource);
  }

  /** Closes a resource the pool holds and frees its slot. */
  private discard(resource: R): void {
    void this.closeResource(resource);
    this.freeSlot();
  }

  /** Gives up a slot: to the oldest waiter, who creates in it, or back to the count. */
  private freeSlot(): void {
    if (this.closing !== undefined || !this.handOff(EMPTY_SLOT)) this.liveCount--;
  }

  /** Grants `what` to the oldest waiter; false if nobody waits. */
  private handOff(what: Grant<R>): boolean {
    for (const waiter of this.waiters) {
      this.waiters.delete(waiter);
      waiter.grant(what);
      return true;
    }
    return false;
  }

  /** Calls `resource.close()`; the promise settles with it and never rejects. */
  private closeResource(resource: R): Promise<void> {
    let result: unknown;
    try {
      result = resource.close();
    } catch (error) {
      this.reportCloseError(error, resource);
      return RESOLVED;
    }
    if (!isThenable(result)) return RESOLVED;
    return Promise.resolve(result).then(noop, (error: unknown) =>
      this.reportCloseError(error, resource),
    );
  }

  private reportCloseError(error: unknown, resource: R): void {
    const hook = this.onCloseError;
    if (hook !== undefined) callHook((reason: unknown) => hook(reason, resource), error);
  }
}
