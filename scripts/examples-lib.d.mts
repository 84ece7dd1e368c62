// Types for scripts/examples-lib.mjs, so TypeScript tests can import it.

/** The repository root, as an absolute path. */
export declare const repoRoot: string;

/** Example files (`examples/*.ts`), relative to the repo root, sorted by name. */
export declare function listExamples(): string[];

/** Whether an example is meant to exit non-zero (its name contains `deadlock`). */
export declare function isExpectedToFail(file: string): boolean;

/** The outcome of one example run; `code` is null after a timeout or signal. */
export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `file` (absolute, or relative to the repo root) with `node --import tsx`
 * from the repo root and resolves once it exits.
 */
export declare function runExample(
  file: string,
  options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<ExampleRun>;
