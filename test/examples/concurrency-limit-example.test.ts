// Runs examples/34-concurrency-limit.ts the way a reader would and checks
// its exact output: the adaptive limit's path and the comparison with
// fixed limits are deterministic because the example runs on virtual time.
import { describe, expect, it } from 'vitest';
import { runExample } from '../../scripts/examples-lib.mjs';

/** Joins lines into the text `console.log` prints for them. */
function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join('');
}

describe('examples/34-concurrency-limit.ts', () => {
  it('prints the adaptive limit settling around the backend capacity', async () => {
    const run = await runExample('examples/34-concurrency-limit.ts', { timeoutMs: 30_000 });

    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      lines(
        'backend: 20 ms per request up to 6 at once, 30 ms more for each one beyond',
        'adaptive limit, target 50 ms, starting at 1:',
        '  t=20 ms 1 -> 2 increase (latency 20 ms)',
        '  t=40 ms 2 -> 3 increase (latency 20 ms)',
        '  t=80 ms 3 -> 4 increase (latency 20 ms)',
        '  t=100 ms 4 -> 5 increase (latency 20 ms)',
        '  t=140 ms 5 -> 6 increase (latency 20 ms)',
        '  t=180 ms 6 -> 7 increase (latency 20 ms)',
        '  t=250 ms 7 -> 8 increase (latency 50 ms)',
        '  t=330 ms 8 -> 6 decrease (latency 80 ms)',
        'limit path: 1 2 3 4 5 6 7 8 6 7 8 6 7 8 6 7 8 6 7 8 6 7 8 6 7 8 6 7 8 6 7',
        'decisions: 22 increases, 8 decreases',
        'limit in the second half of the run: 6 to 8, mean 6.8',
        'fixed limit 2: 300 requests in 3000 ms, 0 slow',
        'fixed limit 6: 300 requests in 1000 ms, 0 slow',
        'fixed limit 20: 300 requests in 6600 ms, 293 slow',
        'adaptive: 300 requests in 1920 ms, 64 slow',
      ),
    );
    expect(run.code).toBe(0);
  });
});
