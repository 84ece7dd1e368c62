// Runs the examples of the tutorial's work pool (name printer) and job
// dispatcher the way a reader would, and checks each one's exact output
// and exit code.
import { describe, expect, it } from 'vitest';
import { runExample } from '../../scripts/examples-lib.mjs';

/** Joins lines into the text `console.log` prints for them. */
function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join('');
}

const expectations: { file: string; stdout: string }[] = [
  {
    file: 'examples/32-work-pool.ts',
    stdout: lines(
      'pool of 2 workers, 3 rounds of 5 names',
      'every run returned: 15 tasks taken by a worker',
      'printed 15 names, at most 2 at a time',
      'bob x3',
      'jason x3',
      'mary x3',
      'steve x3',
      'therese x3',
      'run after shutdown: ChannelClosedError',
    ),
  },
  {
    file: 'examples/33-job-dispatcher.ts',
    stdout: lines(
      'dispatcher: 3 workers, queue of 5',
      'submitted 20 jobs',
      'uploaded 19 payloads, 1900 bytes',
      'failed: job 13 (upload refused)',
      'at most 3 uploads at once',
      'handed back 4 queued jobs: 3, 4, 5, 6',
      'aborted uploads: 1, 2',
    ),
  },
];

describe('work pool and job dispatcher examples', () => {
  describe.concurrent('running each example', () => {
    for (const { file, stdout } of expectations) {
      it(`${file} prints its documented output and exits with 0`, async () => {
        // MAX_WORKERS and MAX_QUEUE set in the caller's shell must not
        // reach the dispatcher example, which passes its own variables.
        const env = { ...process.env, MAX_WORKERS: '64', MAX_QUEUE: '64' };

        const result = await runExample(file, { timeoutMs: 25_000, env });

        // stderr goes into the failure message, to explain a crash.
        expect({ code: result.code, stdout: result.stdout }, result.stderr).toEqual({
          code: 0,
          stdout,
        });
      }, 30_000);
    }
  });
});
