// Runs each example in examples/ the way a reader would (`node --import tsx`)
// and checks its exact output and exit code. The examples run in parallel,
// each in its own process, so the file takes about as long as the slowest.
import { describe, expect, it } from 'vitest';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface ExamplesLib {
  listExamples(): string[];
  isExpectedToFail(file: string): boolean;
  runExample(file: string, options?: { timeoutMs?: number }): Promise<RunResult>;
}

// The runner shared with `npm run examples` is plain JavaScript without type
// declarations; a specifier held in a variable keeps tsc from looking for them.
const libPath = '../../scripts/examples-lib.mjs';
const lib = (await import(libPath)) as ExamplesLib;

interface Expected {
  file: string;
  code: number;
  stdout: string;
}

/** Joins lines into the text `console.log` prints for them. */
function lines(...text: string[]): string {
  return text.map((line) => `${line}\n`).join('');
}

const expectations: Expected[] = [
  { file: 'examples/01-unbuffered-ping.ts', code: 0, stdout: lines('ping') },
  {
    file: 'examples/02-buffered-channel.ts',
    code: 0,
    stdout: lines('buffered 2 of 2', 'third value fits: false', 'buffered', 'channel'),
  },
  { file: 'examples/03-sync-done-channel.ts', code: 0, stdout: lines('working...done') },
  { file: 'examples/04-channel-directions.ts', code: 0, stdout: lines('passed message') },
  {
    file: 'examples/05-select-two-channels.ts',
    code: 0,
    stdout: lines('received one', 'received two'),
  },
  { file: 'examples/06-timeouts.ts', code: 0, stdout: lines('timeout 1', 'result 2') },
  {
    file: 'examples/07-non-blocking.ts',
    code: 0,
    stdout: lines(
      'no message received',
      'no message sent',
      'sent message',
      'received message msg',
      'channel is full !',
    ),
  },
  {
    file: 'examples/08-close-and-range.ts',
    code: 0,
    stdout: lines(
      'one',
      'two',
      'sent job 1',
      'sent job 2',
      'sent job 3',
      'sent all jobs',
      'received job 1',
      'received job 2',
      'received job 3',
      'received all jobs',
    ),
  },
  { file: 'examples/09-timers.ts', code: 0, stdout: lines('timer 1 fired', 'timer 2 stopped') },
  {
    file: 'examples/10-tickers.ts',
    code: 0,
    stdout: lines('tick 1', 'tick 2', 'tick 3', 'ticker stopped', 'no tick after stop'),
  },
  // Node exits with 13 when the top-level await can never settle, and the
  // line after the blocked send is never printed.
  {
    file: 'examples/11-deadlock.ts',
    code: 13,
    stdout: lines('sending "msg" with no receiver'),
  },
];

describe('examples', () => {
  describe('the runner', () => {
    it('lists every example checked here', () => {
      const listed = lib.listExamples();

      for (const { file } of expectations) {
        expect(listed).toContain(file);
      }
    });

    it('expects a non-zero exit exactly from the deadlock example', () => {
      const failing = expectations.filter(({ file }) => lib.isExpectedToFail(file));

      expect(failing.map(({ file }) => file)).toEqual(['examples/11-deadlock.ts']);
    });
  });

  describe.concurrent('running each example', () => {
    for (const { file, code, stdout } of expectations) {
      it(`${file} prints its documented output and exits with ${code}`, async () => {
        const result = await lib.runExample(file, { timeoutMs: 25_000 });

        // stderr goes into the failure message, to explain a crash.
        expect({ code: result.code, stdout: result.stdout }, result.stderr).toEqual({
          code,
          stdout,
        });
      }, 30_000);
    }
  });
});
