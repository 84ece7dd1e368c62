/**
 * Checks a state the library itself guarantees. A failure is a bug in rxchan,
 * never the caller's misuse, and the message says so.
 */
export function assertInternal(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`rxchan internal error (a bug in rxchan, please report it): ${what}`);
  }
}
