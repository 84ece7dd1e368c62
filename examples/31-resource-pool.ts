/**
 * Mirrors the tutorial's `pool` package and the program that drives it:
 * 25 goroutines each borrow a "database connection" from a shared pool, run
 * a query on it, and give it back; once all are done, `main` prints
 * "Shutdown Program." and closes the pool, which closes the connections.
 *
 * Go's `defer p.Release(conn)` is a `using` declaration on a lease here.
 *
 * Two changes make the output the same on every run. Go's pool keeps at
 * most 2 idle connections but opens a new one whenever none is idle, so 25
 * goroutines starting together open many and close all but 2 afterwards;
 * here `max: 2` makes all 25 queries share 2 connections, waiting in line
 * for them. And where Go sleeps a random time of up to a second per query,
 * each query here takes the same 3 ms, so connections change hands in the
 * same order every time: even queries run on connection 1, odd ones on 2.
 * Results are collected and printed in query order.
 *
 * Prints:
 *   Create: New Connection 1
 *   Create: New Connection 2
 *   query: QID[0] CID[1]
 *   query: QID[1] CID[2]
 *   ... (25 query lines in all, alternating connections 1 and 2)
 *   query: QID[24] CID[1]
 *   25 queries on 2 connections, 23 of them waited for one
 *   Shutdown Program.
 *   Close: Connection 2
 *   Close: Connection 1
 */
import { ResourcePool, WaitGroup, sleep } from '../src/index.js';

const maxGoroutines = 25;
const pooledResources = 2;

/** A simulated database connection. */
class DbConnection {
  constructor(readonly id: number) {}

  close(): void {
    console.log(`Close: Connection ${this.id}`);
  }
}

let idCounter = 0;

/** The pool's factory: opens a new connection. */
function createConnection(): DbConnection {
  const id = ++idCounter;
  console.log(`Create: New Connection ${id}`);
  return new DbConnection(id);
}

const pool = new ResourcePool(createConnection, { size: pooledResources, max: pooledResources });
const results: string[] = [];
let waited = 0;

/** One goroutine's work: borrow a connection, query, give it back. */
async function performQuery(query: number): Promise<void> {
  if (pool.live === pool.max) waited++;
  using lease = await pool.lease();
  // Wait to simulate a query response.
  await sleep(3);
  results[query] = `query: QID[${query}] CID[${lease.resource.id}]`;
}

const wg = new WaitGroup();
for (let query = 0; query < maxGoroutines; query++) {
  wg.go(() => performQuery(query));
}
await wg.wait();

for (const line of results) console.log(line);
console.log(
  `${results.length} queries on ${idCounter} connections, ${waited} of them waited for one`,
);

console.log('Shutdown Program.');
await pool.close();
