import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ChannelClosedError,
  Group,
  chan,
  doneChannel,
  onReceive,
  select,
} from '../../src/index.js';

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

describe('doneChannel', () => {
  describe('arguments', () => {
    it.each([
      [42, 'doneChannel(): signal must be an AbortSignal, got 42'],
      [undefined, 'doneChannel(): signal must be an AbortSignal, got undefined'],
      [{ aborted: false }, 'doneChannel(): signal must be an AbortSignal, got an object'],
      [new AbortController(), 'doneChannel(): signal must be an AbortSignal, got an object'],
    ])('throws a TypeError for %s', (signal, message) => {
      expectThrow(() => doneChannel(signal as never), TypeError, message);
    });
  });

  describe('before the abort', () => {
    it('is open and has nothing to receive', () => {
      const controller = new AbortController();

      const done = doneChannel(controller.signal);

      expect(done.closed).toBe(false);
      expect(done.tryReceive()).toBeUndefined();
    });

    it('returns the same channel for the same signal without adding listeners', () => {
      const controller = new AbortController();

      const channels = Array.from({ length: 100 }, () => doneChannel(controller.signal));

      expect(new Set(channels).size).toBe(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    });

    it('returns different channels for different signals', () => {
      const first = doneChannel(new AbortController().signal);
      const second = doneChannel(new AbortController().signal);

      expect(first).not.toBe(second);
    });
  });

  describe('on abort', () => {
    it('closes, waking every pending receive', async () => {
      const controller = new AbortController();
      const done = doneChannel(controller.signal);
      const steps: string[] = [];
      const receivedOk = done.receiveOk().then((r) => void steps.push(`receiveOk ok=${r.ok}`));
      const received = done.receive().catch((error: unknown) => {
        steps.push(`receive rejected ${(error as Error).name}`);
      });

      steps.push('abort');
      controller.abort();
      await Promise.all([receivedOk, received]);

      expect(steps).toEqual(['abort', 'receiveOk ok=false', 'receive rejected ChannelClosedError']);
      expect(done.closed).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('is closed at once for a signal that already aborted', async () => {
      const done = doneChannel(AbortSignal.abort());

      expect(done.closed).toBe(true);
      expect(done.tryReceive()).toEqual({ value: undefined, ok: false });
      await expect(done.receive()).rejects.toBeInstanceOf(ChannelClosedError);
    });

    it('ends a for-await loop', async () => {
      const controller = new AbortController();
      const steps: string[] = [];
      const loop = (async () => {
        for await (const value of doneChannel(controller.signal)) steps.push(`got ${value}`);
        steps.push('loop ended');
      })();

      controller.abort();
      await loop;

      expect(steps).toEqual(['loop ended']);
    });

    it('keeps returning the same closed channel after the abort', () => {
      const controller = new AbortController();
      const before = doneChannel(controller.signal);

      controller.abort();

      expect(doneChannel(controller.signal)).toBe(before);
    });
  });

  describe('in a select', () => {
    it('lets values win until the abort, then fires the done case', async () => {
      const controller = new AbortController();
      // Unbuffered: each send settles once the select took the value, so the
      // done case never races a buffered job.
      const jobs = chan<number>();
      const steps: string[] = [];
      const loop = (async () => {
        for (;;) {
          const r = await select({
            done: onReceive(doneChannel(controller.signal)),
            job: onReceive(jobs),
          });
          if (r.key === 'done') {
            steps.push(`done fired, ok=${r.ok}`);
            return;
          }
          steps.push(`job ${r.value}`);
        }
      })();

      await jobs.send(1);
      await jobs.send(2);
      await jobs.send(3);
      controller.abort();
      await loop;

      expect(steps).toEqual(['job 1', 'job 2', 'job 3', 'done fired, ok=false']);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('stops a select when a group task fails', async () => {
      const group = new Group();
      const never = chan<number>();
      let picked = '';
      void group.go(async (signal) => {
        const r = await select({ done: onReceive(doneChannel(signal)), v: onReceive(never) });
        picked = r.key;
      });

      void group.go(async () => {
        throw new Error('sibling failed');
      });
      await group.wait().catch(() => {});

      expect(picked).toBe('done');
    });
  });

  describe('cancel by a caller', () => {
    it('is replaced by a fresh channel while the signal is live', () => {
      const controller = new AbortController();
      const cancelled = doneChannel(controller.signal);

      cancelled.cancel();
      const fresh = doneChannel(controller.signal);
      controller.abort();

      expect(fresh).not.toBe(cancelled);
      expect([cancelled.closed, fresh.closed]).toEqual([true, true]);
    });
  });
});
