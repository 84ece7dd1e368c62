/**
 * Starvation remedy. Channel hand-offs run on microtasks, so two tasks that
 * ping-pong on a channel never give the host a turn: timers, I/O and
 * rendering wait until they stop (Go preempts long-running goroutines;
 * JavaScript cannot). `yieldEvery` lets a busy loop step aside on purpose.
 */

/** Queues `callback` as a macrotask: after pending timers' and I/O's turn. */
const queueMacrotask: (callback: () => void) => void =
  typeof setImmediate === 'function'
    ? (callback) => void setImmediate(callback)
    : (callback) => void setTimeout(callback, 0);

/**
 * Makes a pause function for a busy loop: each call counts one operation,
 * and every `every`-th call returns a promise that resolves on the next
 * macrotask, giving timers and I/O a turn; the other calls return
 * `undefined` at once, so `await pause()` then costs a single microtask.
 * Opt-in: the cost is one macrotask hop (about a microsecond or more,
 * depending on the host) per `every` operations; `npm run bench` reports it.
 *
 * Close, error, abort: not applicable; it touches no channel.
 *
 * @example
 * ```ts
 * const pause = yieldEvery(2);
 * const seen: unknown[] = [];
 * seen.push(pause(), pause() instanceof Promise, pause());
 * console.log(seen); // [ undefined, true, undefined ]
 * ```
 * @throws RangeError if `every` is not a positive integer.
 */
export function yieldEvery(every = 1000): () => Promise<void> | undefined {
  if (!Number.isInteger(every) || every < 1) {
    throw new RangeError(`yieldEvery(): every must be a positive integer, got ${String(every)}`);
  }
  let count = 0;
  return () => {
    if (++count < every) return undefined;
    count = 0;
    return new Promise<void>((resolve) => queueMacrotask(resolve));
  };
}
