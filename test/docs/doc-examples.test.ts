/**
 * Runs every `@example` in the library's doc comments, so examples cannot
 * drift from the code. Each example runs as an async function body with the
 * exports of its entry point in scope; a line `console.log(expr); // text`
 * declares what it prints. The printed lines, joined with ", ", must equal
 * the declared texts joined the same way, so a loop that prints several
 * lines lists them in one comment.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const srcDir = join(root, 'src');

interface Example {
  file: string;
  /** The export the example documents. */
  owner: string;
  code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Doc comment text (without the leading ` * `) before each named declaration. */
function docComments(text: string): { owner: string; doc: string }[] {
  const found: { owner: string; doc: string }[] = [];
  const pattern =
    /\/\*\*([\s\S]*?)\*\/\s*(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|interface|type)\s+([A-Za-z_$][\w$]*)/g;
  for (const match of text.matchAll(pattern)) {
    const doc = (match[1] as string)
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    found.push({ owner: match[2] as string, doc });
  }
  return found;
}

function examplesIn(file: string): Example[] {
  const out: Example[] = [];
  for (const { owner, doc } of docComments(readFileSync(file, 'utf8'))) {
    for (const block of doc.matchAll(/@example[\s\S]*?```ts\n([\s\S]*?)```/g)) {
      out.push({ file: relative(root, file), owner, code: block[1] as string });
    }
  }
  return out;
}

/** Names exported by value from an entry point, read from its export lists. */
function valueExports(entry: string): string[] {
  const text = readFileSync(join(srcDir, entry), 'utf8');
  const names: string[] = [];
  for (const match of text.matchAll(/export\s*\{([^}]*)\}\s*from/g)) {
    for (const part of (match[1] as string).split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop();
      if (name) names.push(name);
    }
  }
  return names;
}

function entryFor(file: string): string {
  if (file.startsWith('src/testing')) return 'testing.ts';
  if (file.startsWith('src/adapters') || file.startsWith('src/operators')) return 'rxjs.ts';
  return 'index.ts';
}

async function scopeFor(entry: string): Promise<Record<string, unknown>> {
  const scope: Record<string, unknown> = { ...(await import('../../src/index.js')) };
  if (entry === 'rxjs.ts') {
    Object.assign(scope, await import('rxjs'), await import('../../src/rxjs.js'));
  }
  if (entry === 'testing.ts') Object.assign(scope, await import('../../src/testing.js'));
  return scope;
}

function expectedOutput(code: string): string[] {
  const expected: string[] = [];
  for (const line of code.split('\n')) {
    const match = /console\.log\(.*\/\/ (.*)$/.exec(line);
    if (match) expected.push((match[1] as string).trim());
  }
  return expected;
}

async function run(example: Example): Promise<string[]> {
  const js = ts.transpileModule(example.code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const scope = await scopeFor(entryFor(example.file));
  const printed: string[] = [];
  const console = { log: (...args: unknown[]) => printed.push(format(...args)) };
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<void>;
  const body = new AsyncFunction(...Object.keys(scope), 'console', js);
  await body(...Object.values(scope), console);
  return printed;
}

const examples = sourceFiles(srcDir).flatMap(examplesIn);

describe('doc comment examples', () => {
  it.each(examples.map((e) => [`${e.file} ${e.owner}`, e] as const))(
    'runs the example of %s and prints what it says',
    async (_name, example) => {
      const printed = await run(example);

      expect(printed.join(', ')).toBe(expectedOutput(example.code).join(', '));
    },
  );
});

describe('public exports', () => {
  const documented = new Set(examples.map((e) => e.owner));

  for (const entry of ['index.ts', 'rxjs.ts', 'testing.ts']) {
    it(`gives every value export of ${entry} a doc comment with an example`, () => {
      const missing = valueExports(entry).filter((name) => !documented.has(name));

      expect(missing).toEqual([]);
    });
  }
});
