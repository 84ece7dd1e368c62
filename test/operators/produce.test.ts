import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ChannelClosedError } from '../../src/index.js';
import { produce } from '../../src/rxjs.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('produce (Observable)', () => {
  describe('arguments', () => {
    it('throws a TypeError for a producer that is not a function, before any subscription', () => {
      expect(() => produce('nope' as never)).toThrow(
        new TypeError('produce(): producer must be a function, got "nope"'),
      );
    });
  });

  describe('emitting', () => {
    it('emits what the producer sends, then completes when it returns', async () => {
      const values = produce<number>(async (send) => {
        for (const n of [1, 2, 3]) await send(n);
      });

      expect(await lastValueFrom(values.pipe(toArray()))).toEqual([1, 2, 3]);
    });

    it('runs a producer of its own for each subscriber', async () => {
      let runs = 0;
      const values = produce(function* () {
        runs++;
        yield runs;
      });

      const first = await firstValueFrom(values);
      const second = await firstValueFrom(values);

      expect([first, second, runs]).toEqual([1, 2, 2]);
    });

    it('lets the producer send only when the subscriber can take the value', async () => {
      let sent = 0;
      const values = produce<number>(async (send) => {
        for (let n = 0; n < 5; n++) {
          await send(n);
          sent++;
        }
      });
      const received: number[] = [];

      const subscription = values.subscribe((n) => received.push(n));
      await flush();
      subscription.unsubscribe();

      expect(received).toEqual([0, 1, 2, 3, 4]);
      expect(sent).toBe(5);
    });
  });

  describe('when the producer fails', () => {
    it('errors with the failure after the values sent before it', async () => {
      const failure = new Error('crashed');
      const values = produce<number>(async (send) => {
        await send(1);
        throw failure;
      });
      const events: string[] = [];

      values.subscribe({
        next: (n) => events.push(`next ${n}`),
        error: (error: unknown) => events.push(`error ${(error as Error).message}`),
      });
      await flush();

      expect(events).toEqual(['next 1', 'error crashed']);
    });
  });

  describe('on unsubscribe', () => {
    it('aborts the producer signal and rejects its waiting send', async () => {
      const steps: string[] = [];
      let producerSignal: AbortSignal | undefined;
      const values = produce<number>(async (send, signal) => {
        producerSignal = signal;
        for (let n = 1; ; n++) {
          await send(n).catch((error: unknown) => {
            steps.push(`send of ${n}: ${(error as Error).name}`);
            throw error;
          });
        }
      });

      const firstTwo = await lastValueFrom(values.pipe(take(2), toArray()));
      await flush();

      expect(firstTwo).toEqual([1, 2]);
      expect(producerSignal?.aborted).toBe(true);
      expect(producerSignal?.reason).toBeInstanceOf(ChannelClosedError);
      expect(steps).toEqual(['send of 3: ChannelClosedError']);
    });

    it('returns a generator producer, running its finally', async () => {
      const steps: string[] = [];
      const values = produce(function* () {
        try {
          for (let n = 0; ; n++) yield n;
        } finally {
          steps.push('finally');
        }
      });

      await firstValueFrom(values);
      await flush();

      expect(steps).toEqual(['finally']);
    });
  });
});
