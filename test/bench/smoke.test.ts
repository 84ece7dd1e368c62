// One quick pass of the benchmark suite (issue 3): every workload at tiny N
// for rxchan and the baseline (W7: rxchan's worker pools and mergeMap, at
// each of its sizes), each in its own process, with its checksum verified. It checks that the benchmarks still run and count correctly;
// it never looks at timings.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Run {
  ok: boolean;
  count: number;
  sum: number;
}

interface Cell {
  runs: Run[];
  failure: string | null;
}

interface Entry {
  cells?: Record<string, Cell>;
  unavailable?: string;
}

interface Results {
  workloads: Record<string, Entry & { sizes?: (Entry & { n: number; paired: boolean })[] }>;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const measured = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'M1', 'S1'];

describe('bench/run.mjs', () => {
  describe('--quick for rxchan and the baseline', () => {
    it('runs every workload once with a verified checksum', () => {
      const args = ['bench/run.mjs', '--quick', '--json', '--systems', 'rxchan,baseline'];

      const child = spawnSync(process.execPath, args, {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 19_000,
      });

      expect(child.status, child.stderr).toBe(0);
      const results = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Results;
      const w7 = results.workloads.W7?.sizes ?? [];
      expect(w7.map((size) => size.paired)).toEqual([true, false]);
      for (const [i, size] of w7.entries()) {
        const systems = ['rxchan', 'rxchan-from', ...(size.paired ? ['rxjs-mergeMap'] : [])];
        expect(Object.keys(size.cells ?? {}).sort(), `W7 size ${i}`).toEqual(systems);
        for (const system of systems) {
          const cell = size.cells?.[system];
          expect(cell?.failure, `W7 n=${size.n} ${system}`).toBeNull();
          expect(cell?.runs.length, `W7 n=${size.n} ${system}`).toBeGreaterThan(0);
          expect(
            cell?.runs.every((r) => r.ok),
            `W7 n=${size.n} ${system}`,
          ).toBe(true);
        }
      }
      for (const w of measured) {
        const cells = results.workloads[w]?.cells ?? {};
        for (const system of ['baseline', 'rxchan']) {
          const cell = cells[system];
          expect(cell?.failure, `${w} ${system}`).toBeNull();
          expect(cell?.runs.length, `${w} ${system}`).toBeGreaterThan(0);
        }
        // The baseline runs once per partner; variants such as rxchan-sync
        // come along with rxchan. Every run must have passed its checksum.
        for (const [system, cell] of Object.entries(cells)) {
          expect(cell.failure, `${w} ${system}`).toBeNull();
          expect(
            cell.runs.every((r) => r.ok),
            `${w} ${system}`,
          ).toBe(true);
        }
      }
    });
  });
});

describe('bench/select-cost.mjs', () => {
  it('runs every select variant of both shapes once with a verified checksum', () => {
    const args = ['bench/select-cost.mjs', '--runs', '1', '--n', '400', '--cold'];

    const child = spawnSync(process.execPath, args, {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 19_000,
    });

    // A variant whose values arrive on the wrong lane, or whose sum is off,
    // makes its process (and so the script) exit non-zero.
    expect(child.status, child.stderr).toBe(0);
    const rows = child.stdout
      .split('\n')
      .filter((line) => /^\| [a-z-]+ \| [\d.]+ M \|/.test(line))
      .map((line) => line.split('|')[1]?.trim());
    expect(rows).toEqual([
      'baseline',
      'array-rotation',
      'array-uniform',
      'prepared-keyed',
      'keyed-uniform',
      'select-reused',
      'select-inline',
      'baseline',
      'array',
      'prepared-keyed',
      'keyed',
      'select-reused',
      'select-inline',
    ]);
  });
});
