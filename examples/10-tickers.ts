/**
 * Mirrors the tutorial's ticker program: a goroutine prints each tick of a
 * ticker; `main` stops the ticker and prints "Ticker stopped". After a stop
 * no more ticks arrive.
 *
 * `ticker(ms)` is Go's `time.NewTicker`; its `channel` is Go's `ticker.C`.
 * The tutorial stops its 500 ms ticker after 1600 ms, which gives three ticks
 * if the machine keeps up. Here the count is fixed by construction: the task
 * takes exactly three ticks (10 ms apart) and `main` waits for the task
 * instead of sleeping. Ticks print as numbers, not times, so every run prints
 * the same thing.
 *
 * Prints:
 *   tick 1
 *   tick 2
 *   tick 3
 *   ticker stopped
 *   no tick after stop
 */
import { go, onReceive, onTimeout, select, ticker } from '../src/index.js';

const t = ticker(10);

const ticking = go(async () => {
  for (let n = 1; n <= 3; n++) {
    await t.channel.receive();
    console.log('tick', n);
  }
});

await ticking;
t.stop();
console.log('ticker stopped');

// Wait three periods more: a stopped ticker sends nothing.
const next = await select({ tick: onReceive(t.channel), quiet: onTimeout(30) });
console.log(next.key === 'tick' ? 'ticked after stop' : 'no tick after stop');
