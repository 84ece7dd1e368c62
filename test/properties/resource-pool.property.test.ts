// Properties of ResourcePool: acquirers, factories, health checks, aborts and
// a close interleaved by fast-check's scheduler (laws about holders, closes,
// the `max` bound and the line of waiters), and a model check of its counts
// and of which resource each acquirer gets, command by command.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PoolClosedError, ResourcePool, type Lease } from '../../src/index.js';
import { flush } from './invariants.js';

/** A fake resource that counts its closes. */
class Res {
  closes = 0;

  constructor(readonly id: number) {}

  close(): void {
    this.closes++;
  }
}

// ─── Interleaved acquirers ──────────────────────────────────────────────────

type Ending = 'release' | 'destroy' | 'lease';

interface Scenario {
  size: number;
  /** max = size + extra; no bound when undefined. */
  extra: number | undefined;
  /** Whether the factory resolves in a scheduled step (else synchronously). */
  asyncFactory: boolean;
  /** Outcome of the n-th factory call: true fails it (missing: succeeds). */
  failures: boolean[];
  /** Verdict of the n-th health check (missing: passes); no check when undefined. */
  verdicts: boolean[] | undefined;
  acquirers: { abortable: boolean; ending: Ending }[];
  /** Whether the pool is closed in a scheduled step, racing the acquirers. */
  closeEarly: boolean;
}

/** How far `max` is above `size`; mostly bounded, since waiting needs a bound. */
const boundOrNone = fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined, freq: 4 });

const scenario: fc.Arbitrary<Scenario> = fc.record({
  size: fc.integer({ min: 1, max: 3 }),
  extra: boundOrNone,
  asyncFactory: fc.boolean(),
  failures: fc.array(fc.boolean(), { maxLength: 10 }),
  verdicts: fc.option(fc.array(fc.boolean(), { maxLength: 10 }), { nil: undefined }),
  acquirers: fc.array(
    fc.record({
      abortable: fc.boolean(),
      ending: fc.constantFrom<Ending>('release', 'destroy', 'lease'),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  closeEarly: fc.boolean(),
});

interface Report {
  /** A resource handed to an acquirer while another one held it. */
  sharedHandOuts: string[];
  /** A resource handed out after it was closed. */
  closedHandOuts: string[];
  /** `live` above `max`, or `idle` above `size`, after some step. */
  boundViolations: string[];
  /** `waiting` above the number of acquirers still pending and not aborted. */
  lineViolations: string[];
  /** Every resource the factory made. */
  created: Res[];
  /** How each acquirer ended. */
  outcomes: string[];
  /** The pool's counts once everything settled and the pool is closed. */
  final: { idle: number; live: number; waiting: number };
}

async function run(s: fc.Scheduler, sc: Scenario): Promise<Report> {
  const max = sc.extra === undefined ? Infinity : sc.size + sc.extra;
  const report: Report = {
    sharedHandOuts: [],
    closedHandOuts: [],
    boundViolations: [],
    lineViolations: [],
    created: [],
    outcomes: sc.acquirers.map(() => 'pending'),
    final: { idle: -1, live: -1, waiting: -1 },
  };
  let factoryCalls = 0;
  let checkCalls = 0;
  const make = (call: number): Res => {
    if (sc.failures[call] === true) throw new Error(`creation ${call} failed`);
    const resource = new Res(report.created.length + 1);
    report.created.push(resource);
    return resource;
  };
  const verdicts = sc.verdicts;
  const pool = new ResourcePool<Res>(
    () => {
      const call = factoryCalls++;
      return sc.asyncFactory
        ? s.schedule(Promise.resolve(call), `create #${call}`).then(make)
        : make(call);
    },
    {
      size: sc.size,
      max,
      validate:
        verdicts === undefined
          ? undefined
          : () => {
              const call = checkCalls++;
              return s.schedule(Promise.resolve(verdicts[call] ?? true), `check #${call}`);
            },
    },
  );
  const holders = new Map<Res, number>();
  /** Acquirers not settled yet, with their controllers. */
  const pending = new Map<number, AbortController | undefined>();

  const checkLine = (when: string): void => {
    let parkable = 0;
    for (const controller of pending.values()) if (controller?.signal.aborted !== true) parkable++;
    if (pool.waiting > parkable) {
      report.lineViolations.push(`${when}: waiting ${pool.waiting} > ${parkable} able to wait`);
    }
  };
  const checkBounds = (when: string): void => {
    if (pool.live > max || pool.idle > sc.size) {
      report.boundViolations.push(`${when}: live ${pool.live}, idle ${pool.idle}`);
    }
  };

  const acquirer = async (i: number, abortable: boolean, ending: Ending): Promise<void> => {
    await s.schedule(Promise.resolve(), `start ${i}`);
    const controller = abortable ? new AbortController() : undefined;
    pending.set(i, controller);
    if (controller !== undefined) {
      void s.schedule(Promise.resolve(), `abort ${i}`).then(() => {
        controller.abort(new Error(`abort ${i}`));
        // The line must shrink as the signal aborts, not a tick later.
        checkLine(`abort ${i}`);
      });
    }
    let resource: Res;
    let lease: Lease<Res> | undefined;
    try {
      if (ending === 'lease') {
        lease = await pool.lease({ signal: controller?.signal });
        resource = lease.resource;
      } else {
        resource = await pool.acquire({ signal: controller?.signal });
      }
    } catch (error) {
      pending.delete(i);
      report.outcomes[i] = error instanceof PoolClosedError ? 'closed' : 'failed';
      return;
    }
    pending.delete(i);
    report.outcomes[i] = 'held';
    const holder = holders.get(resource);
    if (holder !== undefined) {
      report.sharedHandOuts.push(`resource ${resource.id} to ${i} while ${holder} held it`);
    }
    if (resource.closes > 0) report.closedHandOuts.push(`resource ${resource.id} to ${i}`);
    holders.set(resource, i);
    await s.schedule(Promise.resolve(), `hold ${i}`);
    holders.delete(resource);
    if (lease !== undefined) lease[Symbol.dispose]();
    else if (ending === 'destroy') pool.destroy(resource);
    else pool.release(resource);
  };

  const tasks = sc.acquirers.map((a, i) => acquirer(i, a.abortable, a.ending));
  if (sc.closeEarly) void s.schedule(Promise.resolve(), 'close').then(() => pool.close());

  await flush();
  while (s.count() > 0) {
    await s.waitNext(1);
    await flush();
    checkBounds('step');
    checkLine('step');
  }
  await Promise.all(tasks);
  await pool.close();
  await flush();
  report.final = { idle: pool.idle, live: pool.live, waiting: pool.waiting };
  return report;
}

// ─── Model of the counts ────────────────────────────────────────────────────

/** What the pool should look like; resources are named by creation number. */
interface Model {
  size: number;
  max: number;
  idle: number[];
  live: number;
  /** Acquirers in line, oldest first. */
  line: number[];
  /** Acquirer -> resource it holds. */
  held: Map<number, number>;
  made: number;
  closed: boolean;
  /** Resources closed so far. */
  closedIds: number[];
  acquires: number;
}

interface Real {
  pool: ResourcePool<Res>;
  made: Res[];
  /** Per acquirer: its controller and what it ended with (when it has). */
  acquirers: { controller: AbortController; result?: Res; error?: unknown }[];
}

/** The acquirers that hold a resource, in acquirer order. */
const holdersOf = (m: Model): number[] => [...m.held.keys()].sort((a, b) => a - b);

function compare(m: Model, r: Real): void {
  expect([r.pool.idle, r.pool.live, r.pool.waiting]).toEqual([
    m.idle.length,
    m.live,
    m.line.length,
  ]);
  const held = new Map<number, number>();
  r.acquirers.forEach((a, i) => {
    if (a.result !== undefined && m.held.has(i)) held.set(i, a.result.id);
  });
  expect(held).toEqual(m.held);
  const closedIds = r.made.filter((res) => res.closes > 0).map((res) => res.id);
  expect(closedIds.sort((a, b) => a - b)).toEqual([...m.closedIds].sort((a, b) => a - b));
  expect(r.made.every((res) => res.closes <= 1)).toBe(true);
  expect(r.made).toHaveLength(m.made);
}

/** Lends `id` to acquirer `i` in the model. */
function modelLend(m: Model, i: number, id: number): void {
  m.held.set(i, id);
}

/** A resource comes back to the model pool (release). */
function modelGiveBack(m: Model, id: number): void {
  if (m.closed) {
    m.closedIds.push(id);
    m.live--;
  } else if (m.line.length > 0) {
    modelLend(m, m.line.shift() as number, id);
  } else if (m.idle.length < m.size) {
    m.idle.push(id);
  } else {
    m.closedIds.push(id);
    m.live--;
  }
}

class AcquireCommand implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const i = m.acquires++;
    const controller = new AbortController();
    const entry: Real['acquirers'][number] = { controller };
    r.acquirers.push(entry);
    r.pool.acquire({ signal: controller.signal }).then(
      (res) => void (entry.result = res),
      (error: unknown) => void (entry.error = error),
    );
    if (m.closed) {
      // Rejected: nothing changes.
    } else if (m.idle.length > 0) {
      modelLend(m, i, m.idle.shift() as number);
    } else if (m.live < m.max) {
      m.live++;
      modelLend(m, i, ++m.made);
    } else {
      m.line.push(i);
    }
    await flush();
    compare(m, r);
  }

  toString(): string {
    return 'acquire';
  }
}

class ReleaseCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly destroy: boolean,
  ) {}

  check(m: Readonly<Model>): boolean {
    return m.held.size > 0;
  }

  async run(m: Model, r: Real): Promise<void> {
    const holders = holdersOf(m);
    const i = holders[this.pick % holders.length] as number;
    const id = m.held.get(i) as number;
    m.held.delete(i);
    const resource = r.acquirers[i]?.result as Res;
    if (this.destroy) {
      r.pool.destroy(resource);
      m.closedIds.push(id);
      if (!m.closed && m.line.length > 0) modelLend(m, m.line.shift() as number, ++m.made);
      else m.live--;
    } else {
      r.pool.release(resource);
      modelGiveBack(m, id);
    }
    await flush();
    compare(m, r);
  }

  toString(): string {
    return `${this.destroy ? 'destroy' : 'release'}(${this.pick})`;
  }
}

class AbortCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}

  check(m: Readonly<Model>): boolean {
    return m.line.length > 0;
  }

  async run(m: Model, r: Real): Promise<void> {
    const [i] = m.line.splice(this.pick % m.line.length, 1) as [number];
    const waitingBefore = r.pool.waiting;

    r.acquirers[i]?.controller.abort(new Error('gave up'));

    expect(r.pool.waiting).toBe(waitingBefore - 1);
    await flush();
    expect(r.acquirers[i]?.error).toEqual(new Error('gave up'));
    compare(m, r);
  }

  toString(): string {
    return `abort(${this.pick})`;
  }
}

class CloseCommand implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }

  async run(m: Model, r: Real): Promise<void> {
    const line = [...m.line];
    if (!m.closed) {
      m.closed = true;
      m.closedIds.push(...m.idle);
      m.live -= m.idle.length;
      m.idle = [];
      m.line = [];
    }

    await r.pool.close();

    await flush();
    for (const i of line) expect(r.acquirers[i]?.error).toBeInstanceOf(PoolClosedError);
    compare(m, r);
  }

  toString(): string {
    return 'close';
  }
}

const acquire = fc.constant(new AcquireCommand());
const release = fc
  .tuple(fc.nat(7), fc.boolean())
  .map(([pick, destroy]) => new ReleaseCommand(pick, destroy));
// Listed more than once to weigh them: lines of waiters form only when
// acquires outnumber releases, and a close ends the interesting part.
const commands = fc.commands(
  [
    acquire,
    acquire,
    acquire,
    release,
    release,
    fc.nat(7).map((pick) => new AbortCommand(pick)),
    fc.constant(new CloseCommand()),
  ],
  { maxCommands: 30 },
);

// ─── Laws ───────────────────────────────────────────────────────────────────

describe('ResourcePool', () => {
  describe('under interleaved acquirers, factories, checks, aborts and a close', () => {
    it('never hands a resource to two holders at once, nor a closed one', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          expect(report.sharedHandOuts).toEqual([]);
          expect(report.closedHandOuts).toEqual([]);
        }),
      );
    });

    it('closes every resource it made exactly once by the end', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          expect(report.created.map((res) => res.closes)).toEqual(report.created.map(() => 1));
          expect(report.final).toEqual({ idle: 0, live: 0, waiting: 0 });
        }),
      );
    });

    it('never has more than max live resources, nor more than size idle', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          expect(report.boundViolations).toEqual([]);
        }),
      );
    });

    it('keeps no aborted or settled acquirer in line, and settles every acquirer', async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), scenario, async (s, sc) => {
          const report = await run(s, sc);

          expect(report.lineViolations).toEqual([]);
          expect(report.outcomes).not.toContain('pending');
        }),
      );
    });
  });

  describe('command by command', () => {
    it('matches a model of its idle set, slots, line and lent resources', async () => {
      const config = fc.record({
        size: fc.integer({ min: 1, max: 3 }),
        extra: boundOrNone,
      });
      await fc.assert(
        fc.asyncProperty(config, commands, async ({ size, extra }, cmds) => {
          const made: Res[] = [];
          const max = extra === undefined ? Infinity : size + extra;
          const pool = new ResourcePool(
            () => {
              const res = new Res(made.length + 1);
              made.push(res);
              return res;
            },
            { size, max },
          );
          const model: Model = {
            size,
            max,
            idle: [],
            live: 0,
            line: [],
            held: new Map(),
            made: 0,
            closed: false,
            closedIds: [],
            acquires: 0,
          };
          const real: Real = { pool, made, acquirers: [] };

          await fc.asyncModelRun(() => ({ model, real }), cmds);
          await pool.close();
          for (const i of holdersOf(model)) pool.release(real.acquirers[i]?.result as Res);
          await flush();

          expect(made.map((res) => res.closes)).toEqual(made.map(() => 1));
          expect([pool.idle, pool.live, pool.waiting]).toEqual([0, 0, 0]);
        }),
      );
    });
  });
});
