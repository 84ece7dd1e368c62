import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { chan, future, onReceive, select } from '../../src/index.js';

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

/** A future whose work waits for a value or an error sent on the returned gate. */
function gated<T>() {
  const gate = chan<{ value: T } | { error: unknown }>();
  const f = future(async () => {
    const outcome = await gate.receive();
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  });
  return { f, gate };
}

describe('future', () => {
  describe('arguments', () => {
    it('throws a TypeError for work that is not a function', () => {
      expectThrow(
        () => future(null as never),
        TypeError,
        'future(): work must be a function, got null',
      );
    });

    it('throws a TypeError for bad options', () => {
      expectThrow(
        () => future(() => 1, { signal: 'stop' as never }),
        TypeError,
        'future(): signal must be an AbortSignal, got "stop"',
      );
      expectThrow(
        () => future(() => 1, 3 as never),
        TypeError,
        'future(): options must be an object, got 3',
      );
    });
  });

  describe('starting', () => {
    it('calls the work once, synchronously, before returning', () => {
      const steps: string[] = [];

      future(() => steps.push('work runs'));
      steps.push('future returned');

      expect(steps).toEqual(['work runs', 'future returned']);
    });
  });

  describe('reading', () => {
    it('gives every reader the same value, before and after it is ready', async () => {
      const { f, gate } = gated<string>();
      const early = [f.get(), f.get()];

      expect(f.state).toBe('pending');
      await gate.send({ value: 'rows' });
      const late = [f.get(), f.get()];

      expect(await Promise.all([...early, ...late])).toEqual(['rows', 'rows', 'rows', 'rows']);
      expect(f.state).toBe('fulfilled');
    });

    it('rejects every reader with the same error', async () => {
      const failure = new Error('timeout');
      const { f, gate } = gated<string>();
      const early = f.get();

      await gate.send({ error: failure });

      await expect(early).rejects.toBe(failure);
      await expect(f.get()).rejects.toBe(failure);
      expect(f.state).toBe('rejected');
    });

    it('rejects with a synchronous throw of the work', async () => {
      const failure = new Error('bad query');

      const f = future(() => {
        throw failure;
      });

      await expect(f.get()).rejects.toBe(failure);
    });

    it('does not report a failure that nobody has read yet as unhandled', async () => {
      const f = future(() => Promise.reject(new Error('read me later')));

      await flush();
      await flush();

      await expect(f.get()).rejects.toThrow('read me later');
    });
  });

  describe('get with a signal', () => {
    it('withdraws only the aborted reader and removes its listener', async () => {
      const { f, gate } = gated<number>();
      const controller = new AbortController();
      const patient = f.get();
      const impatient = f.get({ signal: controller.signal });

      controller.abort('gave up');
      await gate.send({ value: 7 });

      await expect(impatient).rejects.toBe('gave up');
      await expect(patient).resolves.toBe(7);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('removes the listener of a reader when the future settles', async () => {
      const { f, gate } = gated<number>();
      const controller = new AbortController();
      const reader = f.get({ signal: controller.signal });

      await gate.send({ value: 1 });

      await expect(reader).resolves.toBe(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('rejects at once with an already aborted signal while pending', async () => {
      const { f, gate } = gated<number>();
      const controller = new AbortController();
      controller.abort('too late');

      const reader = f.get({ signal: controller.signal });

      await expect(reader).rejects.toBe('too late');
      await gate.send({ value: 1 });
    });
  });

  describe('done channel', () => {
    it('closes when the future settles, so a future can be a select case', async () => {
      const { f, gate } = gated<string>();
      const other = chan<string>();
      const picked = select({ ready: onReceive(f.done), other: onReceive(other) });

      await gate.send({ value: 'result' });

      expect((await picked).key).toBe('ready');
      expect(await f.get()).toBe('result');
    });

    it('is closed already when first read after the future settled', async () => {
      const f = future(() => 1);
      await f.get();

      expect(f.done.closed).toBe(true);
    });
  });

  describe('with a signal', () => {
    it('rejects a pending future with the reason and aborts the work signal', async () => {
      const controller = new AbortController();
      let workSignal: AbortSignal | undefined;
      const f = future(
        (signal) => {
          workSignal = signal;
          return new Promise<number>(() => {});
        },
        { signal: controller.signal },
      );

      controller.abort('cancelled by user');

      await expect(f.get()).rejects.toBe('cancelled by user');
      expect(workSignal?.aborted).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('ignores what the work returns after the abort', async () => {
      const controller = new AbortController();
      const gate = chan<number>();
      const f = future(() => gate.receive(), { signal: controller.signal });

      controller.abort('stop');
      await gate.send(5);

      await expect(f.get()).rejects.toBe('stop');
    });

    it('changes nothing when aborted after the future settled', async () => {
      const controller = new AbortController();
      const f = future(() => 'kept', { signal: controller.signal });
      await f.get();

      controller.abort();

      await expect(f.get()).resolves.toBe('kept');
    });

    it('never calls the work when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort('early');
      let calls = 0;

      const f = future(() => calls++, { signal: controller.signal });

      expect(calls).toBe(0);
      await expect(f.get()).rejects.toBe('early');
    });
  });

  describe('map', () => {
    it('starts a future of the mapped value as soon as the value is there', async () => {
      const steps: string[] = [];
      const { f, gate } = gated<number>();
      const doubled = f.map((n) => {
        steps.push(`map sees ${n}`);
        return n * 2;
      });
      steps.push('mapped future made');

      await gate.send({ value: 21 });
      await flush();

      expect(steps).toEqual(['mapped future made', 'map sees 21']);
      expect(doubled.state).toBe('fulfilled');
      expect(await doubled.get()).toBe(42);
    });

    it('chains futures into a pipe of filters, each readable on its own', async () => {
      const sql = future(async () => 'select * from table');

      const result = sql.map((query) => `get ${query}`);
      const length = result.map(async (text) => text.length);

      expect(await sql.get()).toBe('select * from table');
      expect(await result.get()).toBe('get select * from table');
      expect(await length.get()).toBe(23);
    });

    it('rejects with the upstream error without calling the function', async () => {
      const failure = new Error('upstream');
      let calls = 0;

      const mapped = future(() => Promise.reject(failure)).map(() => calls++);

      await expect(mapped.get()).rejects.toBe(failure);
      expect(calls).toBe(0);
    });

    it('rejects with an error the function throws', async () => {
      const failure = new Error('parse error');

      const mapped = future(() => 'x').map(() => {
        throw failure;
      });

      await expect(mapped.get()).rejects.toBe(failure);
    });

    it('can be aborted on its own with its signal', async () => {
      const controller = new AbortController();
      const { f, gate } = gated<number>();
      const mapped = f.map((n) => n + 1, { signal: controller.signal });

      controller.abort('not needed');
      await gate.send({ value: 1 });

      await expect(mapped.get()).rejects.toBe('not needed');
      await expect(f.get()).resolves.toBe(1);
    });

    it('throws a TypeError for a function that is not one', () => {
      const f = future(() => 1);

      expectThrow(() => f.map(5 as never), TypeError, 'Future.map(): fn must be a function, got 5');
    });
  });
});
