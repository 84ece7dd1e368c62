import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chan, future as startFuture } from '../../src/index.js';
import { future } from '../../src/rxjs.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('future (Observable)', () => {
  describe('arguments', () => {
    it('throws a TypeError for work that is neither a function nor a Future', () => {
      expect(() => future({} as never)).toThrow(
        new TypeError('future(): work must be a function or a Future, got an object'),
      );
    });

    it('throws a TypeError for options given with a Future', () => {
      expect(() =>
        future(
          startFuture(() => 1),
          {},
        ),
      ).toThrow(
        new TypeError(
          'future(): options apply only when work is a function, got a Future and options',
        ),
      );
    });
  });

  describe('subscribing', () => {
    it('calls the work at once, before any subscription, and only once', async () => {
      const steps: string[] = [];

      const answer = future(() => {
        steps.push('work runs');
        return 42;
      });
      steps.push('future returned');
      const values = await Promise.all([1, 2, 3].map(() => firstValueFrom(answer)));

      expect(steps).toEqual(['work runs', 'future returned']);
      expect(values).toEqual([42, 42, 42]);
    });

    it('emits the value then completes, to subscribers before and after it is ready', async () => {
      const gate = chan<string>();
      const result = future(() => gate.receive());
      const early = lastValueFrom(result.pipe(toArray()));

      await gate.send('rows');
      const late = lastValueFrom(result.pipe(toArray()));

      expect(await early).toEqual(['rows']);
      expect(await late).toEqual(['rows']);
    });

    it('replays a failure to every subscriber without running the work again', async () => {
      let calls = 0;
      const failure = new Error('down');
      const broken = future(() => {
        calls++;
        throw failure;
      });

      await expect(firstValueFrom(broken)).rejects.toBe(failure);
      await expect(firstValueFrom(broken)).rejects.toBe(failure);
      expect(calls).toBe(1);
    });

    it('reads a Future made by the channel-level future', async () => {
      const f = startFuture(async () => 'ready');

      expect(await firstValueFrom(future(f))).toBe('ready');
    });
  });

  describe('with a signal', () => {
    it('errors with the reason and aborts the work when the signal aborts first', async () => {
      const controller = new AbortController();
      let workSignal: AbortSignal | undefined;
      const slow = future(
        (signal) => {
          workSignal = signal;
          return new Promise<number>(() => {});
        },
        { signal: controller.signal },
      );
      const outcome = firstValueFrom(slow);

      controller.abort('cancelled');

      await expect(outcome).rejects.toBe('cancelled');
      expect(workSignal?.aborted).toBe(true);
    });
  });

  describe('on unsubscribe', () => {
    it('withdraws that subscriber only; the work and other subscribers carry on', async () => {
      const gate = chan<number>();
      let workSignal: AbortSignal | undefined;
      const result = future((signal) => {
        workSignal = signal;
        return gate.receive();
      });
      const received: number[] = [];
      const leaving = result.subscribe((n) => received.push(n));
      const staying = firstValueFrom(result);

      leaving.unsubscribe();
      await gate.send(9);
      await flush();

      expect(received).toEqual([]);
      expect(await staying).toBe(9);
      expect(workSignal?.aborted).toBe(false);
    });
  });
});
