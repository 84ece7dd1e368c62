/**
 * Mirrors the tutorial's `work` package and its name printer: a pool of two
 * workers reads one unbuffered work channel; many submitters each hand a
 * "print this name" task to the pool, and learn, when `run` returns, that a
 * worker has taken their task. `Shutdown` then closes the channel and
 * waits for the workers to finish what they hold.
 *
 * The Go program runs 100 rounds over five names and sleeps a second per
 * name; here three rounds and a 2 ms pause keep it quick. Which worker
 * prints which name, and in what order, depends on timing, so the program
 * prints a sorted tally instead of the raw sequence.
 *
 * Prints:
 *   pool of 2 workers, 3 rounds of 5 names
 *   every run returned: 15 tasks taken by a worker
 *   printed 15 names, at most 2 at a time
 *   bob x3
 *   jason x3
 *   mary x3
 *   steve x3
 *   therese x3
 *   run after shutdown: ChannelClosedError
 */
import { WaitGroup, WorkerPool, sleep } from '../src/index.js';

const names = ['steve', 'bob', 'mary', 'therese', 'jason'];
const rounds = 3;

const pool = new WorkerPool(2);
const printed: string[] = [];
let printing = 0;
let mostAtOnce = 0;

/** The name printer's task: "print" the name, then take a moment. */
function printName(name: string) {
  return async (): Promise<void> => {
    printing++;
    mostAtOnce = Math.max(mostAtOnce, printing);
    printed.push(name);
    await sleep(2);
    printing--;
  };
}

console.log(`pool of ${pool.workers} workers, ${rounds} rounds of ${names.length} names`);

// One submitter per task, as the Go program starts a goroutine per Run.
const submitters = new WaitGroup();
let taken = 0;
for (let round = 0; round < rounds; round++) {
  for (const name of names) {
    submitters.go(async () => {
      await pool.run(printName(name));
      taken++;
    });
  }
}
await submitters.wait();
console.log(`every run returned: ${taken} tasks taken by a worker`);

// Shutdown closes the work channel and waits for the tasks still running.
await pool.shutdown();
console.log(`printed ${printed.length} names, at most ${mostAtOnce} at a time`);
const tally = new Map<string, number>();
for (const name of printed) tally.set(name, (tally.get(name) ?? 0) + 1);
for (const name of [...tally.keys()].sort()) console.log(`${name} x${tally.get(name)}`);

const late = await pool.run(printName('late')).catch((error: Error) => error.name);
console.log(`run after shutdown: ${late}`);
