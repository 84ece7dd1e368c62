// Runs examples/31-resource-pool.ts the way a reader would and checks its
// exact output: 25 queries sharing 2 pooled connections. Every query takes
// the same time, so the connections change hands in a fixed order.
import { describe, expect, it } from 'vitest';
import { runExample } from '../../scripts/examples-lib.mjs';

/** Joins lines into the text `console.log` prints for them. */
function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join('');
}

/** The query lines: even queries run on connection 1, odd ones on 2. */
const queries = Array.from(
  { length: 25 },
  (_, query) => `query: QID[${query}] CID[${(query % 2) + 1}]`,
);

describe('examples/31-resource-pool.ts', () => {
  it('shares 2 connections among 25 queries and closes both at shutdown', async () => {
    const run = await runExample('examples/31-resource-pool.ts', { timeoutMs: 25_000 });

    // stderr goes into the failure message, to explain a crash.
    expect({ code: run.code, stdout: run.stdout }, run.stderr).toEqual({
      code: 0,
      stdout: lines(
        'Create: New Connection 1',
        'Create: New Connection 2',
        ...queries,
        '25 queries on 2 connections, 23 of them waited for one',
        'Shutdown Program.',
        'Close: Connection 2',
        'Close: Connection 1',
      ),
    });
  }, 30_000);
});
