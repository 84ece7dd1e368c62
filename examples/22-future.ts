/**
 * Mirrors the tutorial's future program: `execquery` starts a goroutine
 * before its argument is ready; the goroutine waits for the SQL on one
 * channel and answers "get " + sql on another (both of capacity 1), and
 * `main` prepares the parameter afterwards and reads the result once.
 *
 * `future(work)` starts the work at once, as `execquery` does, and keeps
 * its result: it can be read any number of times (Go's result channel
 * gives it to the first reader only), every reader of a failed future gets
 * the same error, `map` chains futures into a pipe of concurrent filters,
 * and `done` is a channel closed when the result is there, so several
 * futures can be multiplexed with `select` (as the tutorial suggests).
 *
 * Prints:
 *   get select * from table
 *   read again: get select * from table
 *   GET SELECT * FROM TABLE (23 characters)
 *   first ready: quick
 *   error for every reader: no connection, no connection
 */
import { chan, future, onReceive, select } from '../src/index.js';

// The query starts now, before its parameter exists.
const sql = chan<string>(1);
const result = future(async () => 'get ' + (await sql.receive()));

// Prepare the parameter later.
await sql.send('select * from table');
console.log(await result.get());
console.log('read again:', await result.get());

// Futures chained end to end: each stage starts as soon as its input is there.
const upper = result.map((text) => text.toUpperCase());
const described = upper.map(async (text) => `${text} (${text.length} characters)`);
console.log(await described.get());

// Multiplexing futures: whichever result arrives first.
const gate = chan<string>();
const slow = future(() => gate.receive());
const quick = future(async () => 'quick');
const first = await select({ slow: onReceive(slow.done), quick: onReceive(quick.done) });
console.log('first ready:', first.key);
gate.close();

const failing = future(async () => {
  throw new Error('no connection');
});
const errors = await Promise.all(
  [1, 2].map(() => failing.get().catch((error: Error) => error.message)),
);
console.log('error for every reader:', errors.join(', '));
