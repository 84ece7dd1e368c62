/**
 * Answers the question the tutorial leaves open after its goroutine pools:
 * how many goroutines should the pool have? Too few and requests queue up
 * for nothing; too many and a shared bottleneck (a lock, a database) makes
 * every request slow until users time out.
 *
 * A simulated backend serves up to 6 requests at once in 20 ms each; every
 * request beyond 6 makes the newcomer 30 ms slower. An adaptive
 * `ConcurrencyLimiter` is given a target latency of 50 ms and starts at 1:
 * it adds one slot per round of fast requests and cuts the limit by a
 * quarter whenever a request is slow, so it settles in a narrow band around
 * the backend's real capacity, without being told what it is. Fixed limits
 * run the same load for comparison: knowing the answer (6) is best, too few
 * slots waste the backend, and a generous 20 makes nearly every request
 * slow. Time is virtual, so the run is instant and its output exact.
 *
 * Prints:
 *   backend: 20 ms per request up to 6 at once, 30 ms more for each one beyond
 *   adaptive limit, target 50 ms, starting at 1:
 *     t=20 ms 1 -> 2 increase (latency 20 ms)
 *     t=40 ms 2 -> 3 increase (latency 20 ms)
 *     t=80 ms 3 -> 4 increase (latency 20 ms)
 *     t=100 ms 4 -> 5 increase (latency 20 ms)
 *     t=140 ms 5 -> 6 increase (latency 20 ms)
 *     t=180 ms 6 -> 7 increase (latency 20 ms)
 *     t=250 ms 7 -> 8 increase (latency 50 ms)
 *     t=330 ms 8 -> 6 decrease (latency 80 ms)
 *   limit path: 1 2 3 4 5 6 7 8 6 7 8 6 7 8 6 7 8 6 7 8 6 7 8 6 7 8 6 7 8 6 7
 *   decisions: 22 increases, 8 decreases
 *   limit in the second half of the run: 6 to 8, mean 6.8
 *   fixed limit 2: 300 requests in 3000 ms, 0 slow
 *   fixed limit 6: 300 requests in 1000 ms, 0 slow
 *   fixed limit 20: 300 requests in 6600 ms, 293 slow
 *   adaptive: 300 requests in 1920 ms, 64 slow
 */
import { ConcurrencyLimiter, sleep, type ConcurrencyLimitOptions } from '../src/index.js';
import { VirtualClock } from '../src/testing.js';

const CAPACITY = 6;
const BASE_LATENCY = 20;
const PENALTY = 30;
const TARGET = 50;
const REQUESTS = 300;

/** Runs every request through a limiter made from `options`; reports what happened. */
async function serve(options: ConcurrencyLimitOptions) {
  const clock = new VirtualClock();
  const limiter = new ConcurrencyLimiter({ ...options, clock });
  let inFlight = 0;
  let slow = 0;
  const limits: number[] = [];

  // The backend: a request's latency is set when it starts, by how many
  // requests the backend is already serving.
  const request = async (): Promise<void> => {
    inFlight++;
    const latency = BASE_LATENCY + PENALTY * Math.max(0, inFlight - CAPACITY);
    if (latency > TARGET) slow++;
    await sleep(latency, { clock });
    inFlight--;
    limits.push(limiter.limit);
  };

  const done = Promise.all(Array.from({ length: REQUESTS }, () => limiter.run(request)));
  await clock.runAll({ limit: 100_000 });
  await done;
  return { limiter, slow, elapsed: clock.now(), limits };
}

console.log(
  `backend: ${BASE_LATENCY} ms per request up to ${CAPACITY} at once, ` +
    `${PENALTY} ms more for each one beyond`,
);

const adaptive = await serve({
  adaptive: { initial: 1, min: 1, max: 32, targetLatency: TARGET, decrease: 0.75 },
});
console.log(`adaptive limit, target ${TARGET} ms, starting at 1:`);
for (const d of adaptive.limiter.decisions.slice(0, 8)) {
  console.log(`  t=${d.at} ms ${d.from} -> ${d.to} ${d.reason} (latency ${d.latency} ms)`);
}
const decisions = adaptive.limiter.decisions;
console.log(`limit path: ${[1, ...decisions.map((d) => d.to)].join(' ')}`);
const increases = decisions.filter((d) => d.reason === 'increase').length;
console.log(`decisions: ${increases} increases, ${decisions.length - increases} decreases`);
// The limit each request saw as it finished, over the second half of the run.
const secondHalf = adaptive.limits.slice(REQUESTS / 2);
const mean = secondHalf.reduce((sum, limit) => sum + limit, 0) / secondHalf.length;
console.log(
  `limit in the second half of the run: ${Math.min(...secondHalf)} to ` +
    `${Math.max(...secondHalf)}, mean ${mean.toFixed(1)}`,
);

for (const limit of [2, CAPACITY, 20]) {
  const fixed = await serve({ limit });
  console.log(
    `fixed limit ${limit}: ${REQUESTS} requests in ${fixed.elapsed} ms, ${fixed.slow} slow`,
  );
}
console.log(`adaptive: ${REQUESTS} requests in ${adaptive.elapsed} ms, ${adaptive.slow} slow`);
