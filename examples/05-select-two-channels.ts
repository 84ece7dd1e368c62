/**
 * Mirrors the tutorial's select program: two goroutines send "one" and "two"
 * on their own channels after different delays, and `main` runs `select`
 * twice over both channels, printing each message as it arrives.
 *
 * In Go the second goroutine sleeps longer than the first, which orders the
 * messages as long as the machine keeps up. Real timers that close together
 * can swap on a busy machine, so here the order is fixed by construction: the
 * second task starts its 10 ms wait only once "one" has been received (an
 * unbuffered send completes when a receiver takes the value).
 *
 * Prints:
 *   received one
 *   received two
 */
import { chan, go, onReceive, select, sleep } from '../src/index.js';

const c1 = chan<string>();
const c2 = chan<string>();

const first = go(async () => {
  await sleep(10);
  await c1.send('one');
});
void go(async () => {
  await first;
  await sleep(10);
  await c2.send('two');
});

for (let i = 0; i < 2; i++) {
  const msg = await select({ msg1: onReceive(c1), msg2: onReceive(c2) });
  console.log('received', msg.value);
}
