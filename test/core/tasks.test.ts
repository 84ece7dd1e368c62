import { describe, expect, it } from 'vitest';
import { chan, go } from '../../src/index.js';

/** Asserts that `fn` throws exactly `type` with exactly `message`. */
function expectThrow(fn: () => unknown, type: ErrorConstructor, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toBe(message);
}

describe('go', () => {
  describe('arguments', () => {
    it.each([
      [42, 'go(): task must be a function, got 42'],
      ['run', 'go(): task must be a function, got "run"'],
      [undefined, 'go(): task must be a function, got undefined'],
      [null, 'go(): task must be a function, got null'],
      [{}, 'go(): task must be a function, got an object'],
    ])('throws a TypeError for the task %s', (task, message) => {
      expectThrow(() => go(task as never), TypeError, message);
    });
  });

  describe('start', () => {
    it('runs the task synchronously until its first await before returning', async () => {
      const steps: string[] = [];

      const task = go(async () => {
        steps.push('task starts');
        await null;
        steps.push('task resumes');
      });
      steps.push('go returned');
      await task;

      expect(steps).toEqual(['task starts', 'go returned', 'task resumes']);
    });

    it('passes the extra arguments to the task', async () => {
      const seen: unknown[] = [];

      const result = await go(
        async (a: number, b: string, c: { n: number }) => {
          seen.push(a, b, c.n);
          return `${b}${a + c.n}`;
        },
        1,
        'x',
        { n: 2 },
      );

      expect(seen).toEqual([1, 'x', 2]);
      expect(result).toBe('x3');
    });

    it('lets a task hand values over a channel while the caller continues', async () => {
      const ch = chan<number>();

      const task = go(async (n: number) => {
        await ch.send(n * 2);
        return 'sent';
      }, 21);

      expect(await ch.receive()).toBe(42);
      expect(await task).toBe('sent');
    });
  });

  describe('result', () => {
    it('resolves with the return value of a synchronous task', async () => {
      const result = go((a: number, b: number) => a + b, 2, 3);

      expect(result).toBeInstanceOf(Promise);
      expect(await result).toBe(5);
    });

    it('resolves with the awaited value of a returned thenable', async () => {
      const thenable = { then: (resolve: (value: string) => void) => resolve('later') };

      const result = await go(() => thenable);

      expect(result).toBe('later');
    });

    it('turns a synchronous throw into a rejection instead of throwing', async () => {
      const failure = new Error('sync boom');
      let returned: Promise<never> | undefined;

      expect(() => {
        returned = go(() => {
          throw failure;
        });
      }).not.toThrow();

      await expect(returned).rejects.toBe(failure);
    });

    it('rejects with the reason an async task rejects with', async () => {
      const failure = new Error('async boom');

      const result = go(async () => {
        await null;
        throw failure;
      });

      await expect(result).rejects.toBe(failure);
    });
  });
});
