import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ChannelClosedError, chan, onReceive, ownState, select } from '../../src/index.js';

/** Lets every queued promise job run (a macrotask turn, not a timed sleep). */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

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

describe('ownState', () => {
  describe('arguments', () => {
    it('throws a TypeError for bad options', () => {
      expectThrow(
        () => ownState(0, 1 as never),
        TypeError,
        'ownState(): options must be an object, got 1',
      );
      expectThrow(
        () => ownState(0, { signal: {} as AbortSignal }),
        TypeError,
        'ownState(): signal must be an AbortSignal, got an object',
      );
    });

    it('throws a TypeError from write for an update that is not a function', () => {
      const owner = ownState(0);

      expectThrow(
        () => owner.write(1 as never),
        TypeError,
        'StateOwner.write(): update must be a function, got 1',
      );
      owner.close();
    });
  });

  describe('reads and writes', () => {
    it('reads the initial state, then the state each write produced', async () => {
      const owner = ownState('a');

      const initial = await owner.read();
      const written = await owner.write((s) => s + 'b');
      const after = await owner.read();

      expect([initial, written, after]).toEqual(['a', 'ab', 'ab']);
      owner.close();
    });

    it('loses no update when many writers race', async () => {
      const owner = ownState(0);

      await Promise.all(Array.from({ length: 100 }, () => owner.write((n) => n + 1)));

      expect(await owner.read()).toBe(100);
      owner.close();
    });

    it('applies updates one at a time, in the order the writers came', async () => {
      const steps: string[] = [];
      const owner = ownState<string[]>([]);
      const gate = chan<void>();

      const first = owner.write(async (s) => {
        steps.push('first starts');
        await gate.receive();
        steps.push('first ends');
        return [...s, 'first'];
      });
      const second = owner.write((s) => {
        steps.push('second runs');
        return [...s, 'second'];
      });
      await flush();
      steps.push('gate opens');
      await gate.send();

      expect(await second).toEqual(['first', 'second']);
      expect(await first).toEqual(['first']);
      expect(steps).toEqual(['first starts', 'gate opens', 'first ends', 'second runs']);
      owner.close();
    });

    it('makes a read wait while an update is being applied, then returns its result', async () => {
      const owner = ownState(1);
      const gate = chan<void>();
      const writing = owner.write(async (n) => {
        await gate.receive();
        return n + 1;
      });
      await flush();

      const reading = owner.read();
      await gate.send();

      expect(await reading).toBe(2);
      expect(await writing).toBe(2);
      owner.close();
    });

    it('rejects only the write whose update throws, leaving the state as it was', async () => {
      const failure = new Error('invalid transition');
      const owner = ownState(5);

      const failed = owner.write(() => {
        throw failure;
      });

      await expect(failed).rejects.toBe(failure);
      expect(await owner.read()).toBe(5);
      expect(await owner.write((n) => n * 2)).toBe(10);
      owner.close();
    });

    it('withdraws a write aborted before the owner took it, with no effect', async () => {
      const owner = ownState(0);
      const gate = chan<void>();
      const busy = owner.write(async (n) => {
        await gate.receive();
        return n;
      });
      await flush();
      const controller = new AbortController();
      const withdrawn = owner.write((n) => n + 100, { signal: controller.signal });

      controller.abort('not needed');
      await gate.send();

      await expect(withdrawn).rejects.toBe('not needed');
      await busy;
      expect(await owner.read()).toBe(0);
      owner.close();
    });

    it('serves reads on its reader channel, usable as a select case', async () => {
      const owner = ownState('ready');

      const picked = await select({ state: onReceive(owner.reader) });

      expect(picked).toEqual({ key: 'state', value: 'ready', ok: true });
      owner.close();
    });
  });

  describe('close', () => {
    it('rejects waiting and later reads and writes with ChannelClosedError', async () => {
      const owner = ownState(0);
      const gate = chan<void>();
      const busy = owner.write(async (n) => {
        await gate.receive();
        return n + 1;
      });
      await flush();
      const waitingRead = owner.read();
      const waitingWrite = owner.write((n) => n + 1);

      owner.close();
      await gate.send();

      await expect(waitingRead).rejects.toBeInstanceOf(ChannelClosedError);
      await expect(waitingWrite).rejects.toBeInstanceOf(ChannelClosedError);
      await expect(owner.read()).rejects.toBeInstanceOf(ChannelClosedError);
      await expect(owner.write((n) => n)).rejects.toBeInstanceOf(ChannelClosedError);
      await expect(busy).resolves.toBe(1);
      await expect(owner.done).resolves.toBeUndefined();
    });

    it('aborts the signal of the update being applied', async () => {
      const owner = ownState(0);
      let updateSignal: AbortSignal | undefined;
      const gate = chan<void>();
      const busy = owner.write(async (n, signal) => {
        updateSignal = signal;
        await gate.receive();
        return n;
      });
      await flush();

      owner.close();

      expect(updateSignal?.aborted).toBe(true);
      await gate.send();
      await busy;
    });

    it('is safe to call more than once and reports closed', async () => {
      const owner = ownState(0);

      owner.close();
      owner.close();

      expect(owner.closed).toBe(true);
      await owner.done;
    });

    it('stops the owner when a caller cancels the reader channel', async () => {
      const owner = ownState(0);
      await owner.read();

      owner.reader.cancel();
      await owner.done;

      expect(owner.closed).toBe(true);
      await expect(owner.write((n) => n)).rejects.toBeInstanceOf(ChannelClosedError);
    });
  });

  describe('with a signal', () => {
    it('stops the owner when the signal aborts and removes its listener', async () => {
      const controller = new AbortController();
      const owner = ownState(0, { signal: controller.signal });
      await owner.read();

      controller.abort();
      await owner.done;

      expect(owner.closed).toBe(true);
      await expect(owner.read()).rejects.toBeInstanceOf(ChannelClosedError);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('starts stopped when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();

      const owner = ownState(0, { signal: controller.signal });

      expect(owner.closed).toBe(true);
      await expect(owner.read()).rejects.toBeInstanceOf(ChannelClosedError);
    });
  });
});
