/**
 * The source of time for timers, tickers and select timeouts. Pass your own
 * (for example the virtual clock from `rxchan/testing`) to control time in
 * tests; the default wraps the host's `setTimeout`.
 *
 * Contract: `setTimeout` calls `callback` once, no earlier than `ms`
 * milliseconds of this clock's time from now, unless `clearTimeout` is called
 * with the returned handle first. `ms` may be any non-negative finite number,
 * including values above the host's 2^31-1 ms limit.
 */
export interface Clock {
  /** The current time in milliseconds. */
  now(): number;
  /** Schedules `callback` after `ms` milliseconds and returns a handle. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a callback scheduled by `setTimeout`; unknown handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/** The largest delay the host timers accept before they fire at once. */
const HOST_MAX_DELAY = 2 ** 31 - 1;

/** A host timer that is re-armed in legs because its delay exceeds the host limit. */
class LongTimeout {
  /** The host handle of the current leg; replaced by `armLeg` on each leg. */
  handle: ReturnType<typeof setTimeout> | undefined = undefined;
}

function armLeg(slot: LongTimeout, callback: () => void, deadline: number): void {
  const remaining = deadline - Date.now();
  if (remaining > HOST_MAX_DELAY) {
    // The host would fire at once for a delay this long, so wait in legs.
    slot.handle = setTimeout(armLeg, HOST_MAX_DELAY, slot, callback, deadline);
  } else {
    slot.handle = setTimeout(callback, Math.max(0, remaining));
  }
}

/**
 * The default clock: `Date.now()` and the host's `setTimeout`. A pending
 * callback keeps a Node process alive, as a pending Go timer keeps its
 * goroutine waiting; a cleared one does not. Delays beyond 2^31-1 ms are
 * waited out in legs, so they never fire early.
 *
 * @example
 * ```ts
 * const handle = systemClock.setTimeout(() => console.log('late'), 10);
 * systemClock.clearTimeout(handle); // nothing is printed
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    if (ms <= HOST_MAX_DELAY) {
      return setTimeout(callback, ms);
    }
    const slot = new LongTimeout();
    armLeg(slot, callback, Date.now() + ms);
    return slot;
  },
  clearTimeout(handle) {
    if (handle instanceof LongTimeout) {
      clearTimeout(handle.handle);
    } else {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    }
  },
};
