// Runs the examples of the tutorial's first-half patterns (generator
// service, multiplexing, future, prime sieve, shared-variable watchdog) the
// way a reader would, and checks each one's exact output and exit code.
import { describe, expect, it } from 'vitest';
import { runExample } from '../../scripts/examples-lib.mjs';

/** Joins lines into the text `console.log` prints for them. */
function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join('');
}

const expectations: { file: string; stdout: string }[] = [
  {
    file: 'examples/20-generator-service.ts',
    stdout: lines('811', '710', '650', 'generator stopped', 'service closed: true'),
  },
  {
    file: 'examples/21-multiplexing.ts',
    stdout: lines(
      'a1 a2 b1 b2 b3 a3 a4 a5',
      'each generator in its own order: true',
      'all stopped',
    ),
  },
  {
    file: 'examples/22-future.ts',
    stdout: lines(
      'get select * from table',
      'read again: get select * from table',
      'GET SELECT * FROM TABLE (23 characters)',
      'first ready: quick',
      'error for every reader: no connection, no connection',
    ),
  },
  {
    file: 'examples/23-prime-sieve.ts',
    stdout: lines(
      ...['2', '3', '5', '7', '11', '13', '17', '19', '23', '29'],
      'stopped 10 filters',
    ),
  },
  {
    file: 'examples/24-shared-variable-watchdog.ts',
    stdout: lines(
      '0',
      '1',
      'after 100 concurrent increments: 101',
      'read through select: 101',
      'read after close: ChannelClosedError',
    ),
  },
];

describe('pattern examples', () => {
  it.concurrent.each(expectations)(
    '$file prints what its header says',
    async ({ file, stdout }) => {
      const run = await runExample(file);

      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(stdout);
      expect(run.code).toBe(0);
    },
  );
});
