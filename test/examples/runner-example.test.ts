// Runs examples/30-runner.ts the way a reader would and checks its exact
// output: one run that meets its deadline and one that times out while the
// last task sleeps. The timings leave 50 ms either side of the deadline.
import { describe, expect, it } from 'vitest';
import { runExample } from '../../scripts/examples-lib.mjs';

/** Joins lines into the text `console.log` prints for them. */
function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join('');
}

const tasks = ['Processor - Task #0.', 'Processor - Task #1.', 'Processor - Task #2.'];

describe('examples/30-runner.ts', () => {
  it('completes under the long deadline and times out under the short one', async () => {
    const run = await runExample('examples/30-runner.ts', { timeoutMs: 25_000 });

    // stderr goes into the failure message, to explain a crash.
    expect({ code: run.code, stdout: run.stdout }, run.stderr).toEqual({
      code: 0,
      stdout: lines(
        'Starting work with a 1000 ms deadline.',
        ...tasks,
        'Process ended.',
        'Starting work with a 100 ms deadline.',
        ...tasks,
        'Terminating due to timeout.',
      ),
    });
  }, 30_000);
});
