import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { chan, onReceive, onTimeout, select, systemClock, type Clock } from '../../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full collection, with turns for finalizers between. */
async function settledHeap(): Promise<number> {
  gc();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  gc();
  return process.memoryUsage().heapUsed;
}

function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
}

const HOUR = 3_600_000;

describe('select', () => {
  describe('with a ready channel and a one-hour timeout', () => {
    it('leaves the heap flat and no timer pending after a million selects', async () => {
      const ch = chan<number>(1);
      const timersBefore = pendingTimers();
      const heapBefore = await settledHeap();
      let sum = 0;

      for (let i = 0; i < 1_000_000; i++) {
        ch.trySend(i);
        const r = await select({ v: onReceive(ch), late: onTimeout(HOUR) });
        if (r.key === 'v' && r.ok) sum += r.value;
      }
      const retained = (await settledHeap()) - heapBefore;

      expect(sum).toBe((999_999 * 1_000_000) / 2);
      // The runner's own timers may come and go; none of ours may remain.
      expect(pendingTimers()).toBeLessThanOrEqual(timersBefore);
      // Under 2 bytes per select: nothing per iteration survives.
      expect(retained).toBeLessThan(2_000_000);
    }, 60_000);
  });

  describe('parking with a one-hour timeout', () => {
    it('clears every timer it armed when the data arrives', async () => {
      const ch = chan<number>();
      let live = 0;
      const clock: Clock = {
        now: () => systemClock.now(),
        setTimeout(callback, ms) {
          live++;
          return systemClock.setTimeout(callback, ms);
        },
        clearTimeout(handle) {
          live--;
          systemClock.clearTimeout(handle);
        },
      };
      const timersBefore = pendingTimers();
      const heapBefore = await settledHeap();

      for (let i = 0; i < 50_000; i++) {
        const parked = select({ v: onReceive(ch), late: onTimeout(HOUR, { clock }) });
        ch.trySend(i);
        await parked;
      }
      const retained = (await settledHeap()) - heapBefore;

      expect(live).toBe(0);
      expect(pendingTimers()).toBeLessThanOrEqual(timersBefore);
      expect(retained).toBeLessThan(1_000_000);
    }, 60_000);
  });
});
