/**
 * Mirrors the tutorial's channel-synchronisation program: a worker prints
 * "working...", works for a while, prints "done" and sends `true` on a
 * one-slot `done` channel; `main` starts the worker and waits on `done`.
 * Without that wait the program would end before the worker finished.
 *
 * `go(worker, done)` is Go's `go worker(done)`; the work takes 10 ms here
 * instead of the tutorial's second.
 *
 * Prints:
 *   working...done
 */
import { chan, go, sleep, type SendChannel } from '../src/index.js';

async function worker(done: SendChannel<boolean>): Promise<void> {
  process.stdout.write('working...');
  await sleep(10);
  console.log('done');

  await done.send(true);
}

const done = chan<boolean>(1);
void go(worker, done.sendOnly);

// Blocks until the worker reports that it has finished.
await done.receive();
