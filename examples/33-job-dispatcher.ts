/**
 * Mirrors the tutorial's job dispatcher (the two-level channel design for
 * handling many upload requests): a buffered job queue sized by
 * `MAX_QUEUE`, and `MAX_WORKERS` workers that each own a job channel and
 * register it in a pool of idle workers; the dispatcher takes an idle
 * worker's channel and sends it the next job. Where the Go worker logs a
 * failed upload, the dispatcher here hands the failure to `onError`.
 *
 * Part 1 submits 20 payload uploads (one is refused) and stops by draining
 * the queue. Part 2 stops a second dispatcher without draining: running
 * uploads see their signal abort, and queued jobs are handed back.
 * A real service would call `Dispatcher.fromEnv(handler)` to read
 * `process.env`; this example passes fixed variables so its output is
 * always the same. Uploads take 1 ms instead of a network round trip.
 *
 * Prints:
 *   dispatcher: 3 workers, queue of 5
 *   submitted 20 jobs
 *   uploaded 19 payloads, 1900 bytes
 *   failed: job 13 (upload refused)
 *   at most 3 uploads at once
 *   handed back 4 queued jobs: 3, 4, 5, 6
 *   aborted uploads: 1, 2
 */
import { Dispatcher, sleep } from '../src/index.js';

interface Job {
  id: number;
  payload: string;
}

// ─── Part 1: drain ──────────────────────────────────────────────────────────

const uploaded: Job[] = [];
const failures: string[] = [];
let uploading = 0;
let mostAtOnce = 0;

/** Stands in for the tutorial's `UploadToS3`. */
async function upload(job: Job): Promise<void> {
  uploading++;
  mostAtOnce = Math.max(mostAtOnce, uploading);
  try {
    await sleep(1);
    if (job.id === 13) throw new Error('upload refused');
    uploaded.push(job);
  } finally {
    uploading--;
  }
}

const env = { MAX_WORKERS: '3', MAX_QUEUE: '5' };
const dispatcher = Dispatcher.fromEnv(upload, env, {
  onError: (error, job) => failures.push(`job ${job.id} (${(error as Error).message})`),
});
console.log(`dispatcher: ${dispatcher.maxWorkers} workers, queue of ${dispatcher.maxQueue}`);

// `submit` waits while the queue is full: the producer is slowed down.
for (let id = 1; id <= 20; id++) {
  await dispatcher.submit({ id, payload: 'x'.repeat(100) });
}
console.log('submitted 20 jobs');
await dispatcher.stop({ drain: true });

const bytes = uploaded.reduce((sum, job) => sum + job.payload.length, 0);
console.log(`uploaded ${uploaded.length} payloads, ${bytes} bytes`);
console.log(`failed: ${failures.join(', ')}`);
console.log(`at most ${mostAtOnce} uploads at once`);

// ─── Part 2: abort ──────────────────────────────────────────────────────────

const aborted: number[] = [];
const stuck = new Dispatcher<Job>({
  maxWorkers: 2,
  maxQueue: 4,
  // An upload that never finishes by itself, only when its signal aborts.
  handler: (job, signal) =>
    new Promise<void>((resolve) => {
      signal.addEventListener(
        'abort',
        () => {
          aborted.push(job.id);
          resolve();
        },
        { once: true },
      );
    }),
});
for (let id = 1; id <= 6; id++) await stuck.submit({ id, payload: 'x' });
await sleep(1);

const handedBack = await stuck.stop({ drain: false });
console.log(
  `handed back ${handedBack.length} queued jobs: ${handedBack.map((job) => job.id).join(', ')}`,
);
console.log(`aborted uploads: ${aborted.sort((a, b) => a - b).join(', ')}`);
