// Runs one example the way a reader would: `node --import tsx <file>`, with
// the tsx installed in this repo. Shared by scripts/run-examples.mjs and the
// tests that check example output.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The local tsx loader, as a file URL, so no global tsx is ever picked up.
const tsxLoader = import.meta.resolve('tsx');

/** Example files (`examples/*.ts`), relative to the repo root, sorted by name. */
export function listExamples() {
  return readdirSync(join(repoRoot, 'examples'))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => `examples/${name}`);
}

/** Whether an example is meant to fail, like Go's "all goroutines are asleep". */
export function isExpectedToFail(file) {
  return file.split('/').pop().includes('deadlock');
}

/**
 * Runs `file` (absolute, or relative to the repo root) from the repo root and
 * resolves with its exit code and output once it exits. A run that outlives
 * `timeoutMs` is killed and resolves with `code: null`.
 *
 * @param {string} file
 * @param {{ timeoutMs?: number, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
export function runExample(file, { timeoutMs = 60_000, env = process.env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, resolve(repoRoot, file)], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
