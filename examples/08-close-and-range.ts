/**
 * Mirrors two of the tutorial's programs about closing a channel:
 *
 * 1. A two-slot `queue` gets "one" and "two", is closed, and a range loop
 *    still prints both values: receivers drain the buffer before they see
 *    the close, and the loop then ends.
 * 2. A worker ranges over a `jobs` channel until it is closed, then reports
 *    on a `done` channel; `main` sends three jobs, closes `jobs` and waits
 *    for `done`.
 *
 * Go's `for elem := range queue` is `for await (const elem of queue)`.
 *
 * In Go the "sent" and "received" lines of part 2 interleave differently
 * from run to run. Here the order is fixed by construction: `main` queues
 * every job (the buffer has room for all of them) and closes `jobs` before
 * it starts the worker.
 *
 * Prints:
 *   one
 *   two
 *   sent job 1
 *   sent job 2
 *   sent job 3
 *   sent all jobs
 *   received job 1
 *   received job 2
 *   received job 3
 *   received all jobs
 */
import { chan, go, type ReceiveChannel, type SendChannel } from '../src/index.js';

// 1. Range over a closed, buffered channel.
const queue = chan<string>(2);
await queue.send('one');
await queue.send('two');
queue.close();
for await (const elem of queue) {
  console.log(elem);
}

// 2. A worker that stops when its jobs channel is closed.
async function worker(jobs: ReceiveChannel<number>, done: SendChannel<boolean>): Promise<void> {
  for await (const job of jobs) {
    console.log('received job', job);
  }
  console.log('received all jobs');
  await done.send(true);
}

const jobs = chan<number>(5);
const done = chan<boolean>();

for (let job = 1; job <= 3; job++) {
  await jobs.send(job);
  console.log('sent job', job);
}
jobs.close();
console.log('sent all jobs');

void go(worker, jobs.receiveOnly, done.sendOnly);
await done.receive();
