/**
 * Tasks: Go's `go` statement for JavaScript. A task is a function whose
 * result (a value, or a promise of one) is tracked by the promise `go`
 * returns; there are no threads, so a task shares the event loop with its
 * caller and gives way only at an `await`.
 *
 * Invariants:
 * 1. `go` calls the task exactly once, synchronously, before it returns.
 * 2. The promise `go` returns settles as the task does: with its (awaited)
 *    return value, or with the reason it threw or rejected; a synchronous
 *    throw never escapes `go` itself.
 */
import { describeValue } from './channel.js';

/**
 * Runs `task(...args)` as a task and returns a promise of its result, as
 * Go's `go f(x)` (with the result kept, which Go drops).
 *
 * Start: unlike Go, whose scheduler may start a goroutine later, the task
 * starts at once and runs synchronously until its first `await` before `go`
 * returns; code after `go` runs while the task is waiting.
 *
 * Error: a synchronous throw becomes a rejection of the returned promise.
 * A rejection nobody handles is an unhandled rejection, which stops a Node
 * process by default, as a panicking goroutine crashes a Go program: keep
 * the promise (or hand the task to a `WaitGroup` or `Group`) when a task may
 * fail. Abort and backpressure: `go` adds neither; pass the task an
 * `AbortSignal` and let it await channel operations, which wait as usual.
 *
 * @example
 * ```ts
 * const steps: string[] = [];
 * const task = go(async (name: string) => {
 *   steps.push(`${name} starts`);
 *   await null;
 *   steps.push(`${name} resumes`);
 *   return name.length;
 * }, 'worker');
 * steps.push('go returned');
 * console.log(await task); // 6
 * console.log(steps.join(', ')); // worker starts, go returned, worker resumes
 * ```
 * @throws TypeError if `task` is not a function (synchronously).
 * @see WaitGroup
 * @see Group
 */
export function go<A extends unknown[], R>(
  task: (...args: A) => R,
  ...args: A
): Promise<Awaited<R>> {
  if (typeof task !== 'function') {
    throw new TypeError(`go(): task must be a function, got ${describeValue(task)}`);
  }
  try {
    return Promise.resolve(task(...args));
  } catch (error) {
    return Promise.reject(error);
  }
}
