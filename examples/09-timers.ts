/**
 * Mirrors the tutorial's timer program: `main` waits on a timer's channel
 * until it fires, then starts a second timer with a goroutine waiting for
 * it, and stops that timer before it fires, so the goroutine never prints.
 *
 * `timer(ms)` is Go's `time.NewTimer`; its `channel` is Go's `timer.C`, and
 * `stop()` returns true when it stopped the timer in time. The delays are
 * 20 ms and 10 ms instead of seconds; `main` then sleeps past the second
 * timer's delay to show that it did not fire.
 *
 * Prints:
 *   timer 1 fired
 *   timer 2 stopped
 */
import { go, sleep, timer } from '../src/index.js';

const timer1 = timer(20);
await timer1.channel.receive();
console.log('timer 1 fired');

const timer2 = timer(10);
void go(async () => {
  await timer2.channel.receive();
  console.log('timer 2 fired');
});

if (timer2.stop()) {
  console.log('timer 2 stopped');
}

await sleep(30);
