/**
 * Mirrors the tutorial's shared-variable watchdog: one goroutine owns an
 * int and loops on a select that either takes a new value from `writer` or
 * offers the current one on `reader`; `main` reads 0, writes 1, reads 1.
 * No other code touches the variable, so no lock is needed.
 *
 * `ownState(0)` starts that owner. Writes are update functions rather than
 * plain values, so a read-modify-write (here, 100 concurrent increments) is
 * one step inside the owner and no increment is lost; the reader channel
 * is exposed, so a read can be a `select` case. Beyond Go: `close()` stops
 * the owner, and reads after that reject with `ChannelClosedError` instead
 * of blocking forever.
 *
 * Prints:
 *   0
 *   1
 *   after 100 concurrent increments: 101
 *   read through select: 101
 *   read after close: ChannelClosedError
 */
import { onReceive, ownState, select } from '../src/index.js';

const v = ownState(0);

console.log(await v.read());
await v.write(() => 1);
console.log(await v.read());

await Promise.all(Array.from({ length: 100 }, () => v.write((n) => n + 1)));
console.log('after 100 concurrent increments:', await v.read());

const picked = await select({ value: onReceive(v.reader) });
console.log('read through select:', picked.value);

v.close();
await v.done;
console.log('read after close:', await v.read().catch((error: Error) => error.name));
