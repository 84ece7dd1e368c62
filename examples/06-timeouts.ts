/**
 * Mirrors the tutorial's timeout program: `select` waits for a result or for
 * a timeout, whichever comes first. It runs twice:
 *
 * 1. the result needs 200 ms but the timeout is 10 ms, so "timeout 1"
 *    prints; the timeout is a receive from `after(ms)`, as Go's
 *    `case <-time.After(d):`;
 * 2. the result needs 10 ms and the timeout is 200 ms, so the result prints;
 *    this time the timeout is an `onTimeout(ms)` case, whose timer is cleared
 *    as soon as the select settles.
 *
 * Each result channel has one slot, so a result that arrives after its
 * timeout is still sent without waiting, and its task ends. The delays are
 * milliseconds instead of seconds, with gaps wide enough that a busy machine
 * cannot swap them.
 *
 * Prints:
 *   timeout 1
 *   result 2
 */
import { after, chan, go, onReceive, onTimeout, select, sleep } from '../src/index.js';

const c1 = chan<string>(1);
void go(async () => {
  await sleep(200);
  await c1.send('result 1');
});

const first = await select({ res: onReceive(c1), timeout: onReceive(after(10)) });
console.log(first.key === 'res' ? first.value : 'timeout 1');

const c2 = chan<string>(1);
void go(async () => {
  await sleep(10);
  await c2.send('result 2');
});

const second = await select({ res: onReceive(c2), timeout: onTimeout(200) });
console.log(second.key === 'res' ? second.value : 'timeout 2');
