// Smoke test of the BUILT package, as a consumer would load it.
//
// 1. Every path in package.json `exports` exists in dist.
// 2. The core entry (dist/index.mjs, dist/index.cjs and the chunks they load)
//    imports no package at all: the core has zero runtime dependencies.
// 3. In a temp dir with `node_modules/rxchan` symlinked to this repo, child
//    processes load `rxchan`, `rxchan/rxjs` and `rxchan/testing` by name,
//    once with `import` and once with `require`, and check the exports, the
//    error class and a tiny channel round trip.
// 4. Paths outside the exports map (internals, dist files) cannot be loaded.
//
// Run `npm run build` first. Exits non-zero with a message on any failure.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

// Names each entry must export, with their `typeof`. Extend freely. Every
// value export found in the entry's source file is required too (with any
// typeof), so the check follows the source without editing this list.
const ENTRIES = [
  {
    specifier: pkg.name,
    source: 'src/index.ts',
    expected: { chan: 'function', select: 'function', ChannelClosedError: 'function' },
  },
  { specifier: `${pkg.name}/rxjs`, source: 'src/rxjs.ts', expected: {} },
  { specifier: `${pkg.name}/testing`, source: 'src/testing.ts', expected: {} },
];

// Specifiers that the exports map must refuse.
const CLOSED_SPECIFIERS = [
  `${pkg.name}/internal/ring-buffer`,
  `${pkg.name}/core/channel`,
  `${pkg.name}/dist/index.mjs`,
  `${pkg.name}/src/index.ts`,
];

const failures = [];
const fail = (message) => failures.push(message);

/** Maps each name re-exported by an entry file to the module it comes from. */
function exportSources(file) {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const sources = new Map();
  for (const [, body, from] of text.matchAll(/export\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    for (const item of body.split(',')) {
      const name = item
        .trim()
        .split(/\s+as\s+/)
        .pop()
        .trim();
      if (name !== '') sources.set(name, from);
    }
  }
  return sources;
}

/**
 * Names that two entries re-export from the same source module: each must
 * be one value in the built files (a shared chunk, not a copy). Entries may
 * also export different values under one name (a channel function and its
 * RxJS operator); those are not compared.
 */
function sharedNames(source) {
  const core = exportSources(ENTRIES[0].source);
  const mine = exportSources(source);
  return [...mine].filter(([name, from]) => core.get(name) === from).map(([name]) => name);
}

/** Value (non-type) export names of a TypeScript entry file, by regex. */
function valueExportNames(file) {
  const text = readFileSync(join(repoRoot, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
  const names = new Set();
  // `export { a, b as c, type T } from '...'`, but not `export type { ... }`.
  for (const [, body] of text.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const item of body.split(',')) {
      const part = item.trim();
      if (part === '' || /^type\s/.test(part)) continue;
      const alias = part
        .split(/\s+as\s+/)
        .pop()
        .trim();
      if (alias !== 'default') names.add(alias);
    }
  }
  // `export const x`, `export function f`, `export class C`, ...
  const declaration =
    /export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:const|let|var|function\*?|class|enum)\s+([A-Za-z_$][\w$]*)/g;
  for (const [, name] of text.matchAll(declaration)) names.add(name);
  return [...names];
}

/** Every file path mentioned in an `exports` map value, recursively. */
function exportTargets(value) {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(exportTargets);
}

function checkExportsMapFiles() {
  // Subpath patterns (`./*`) name no single file, so only plain targets are checked.
  for (const target of exportTargets(pkg.exports).filter((t) => !t.includes('*'))) {
    if (!existsSync(join(repoRoot, target)))
      fail(`exports map points at a missing file: ${target}`);
  }
}

/** Import specifiers of a built JS file (static, dynamic and require). */
function importSpecifiers(code) {
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...code.matchAll(re)].map((m) => m[1]));
}

function checkCoreHasNoDependencies() {
  for (const entry of ['dist/index.mjs', 'dist/index.cjs']) {
    const seen = new Set();
    const queue = [join(repoRoot, entry)];
    while (queue.length > 0) {
      const file = queue.pop();
      if (seen.has(file) || !existsSync(file)) continue;
      seen.add(file);
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          queue.push(resolve(dirname(file), specifier));
        } else {
          const where = file.slice(repoRoot.length + 1);
          fail(`core must have no runtime dependencies, but ${where} imports '${specifier}'`);
        }
      }
    }
  }
}

/**
 * Source of the child script, which loads the package with `import()` or
 * `require()`, prints problems to stderr and exits 1 if there are any.
 */
function childScript(format, entries) {
  const load = format === 'esm' ? 'await import' : 'require';
  const body = `
const problems = [];
const entries = ${JSON.stringify(entries)};
const modules = {};
for (const { specifier } of entries) modules[specifier] = ${load}(specifier);

for (const { specifier, expected } of entries) {
  const m = modules[specifier];
  for (const [name, type] of Object.entries(expected)) {
    if (!(name in m)) problems.push(specifier + ': missing export ' + name);
    else if (type !== 'any' && typeof m[name] !== type)
      problems.push(specifier + ': ' + name + ' is ' + typeof m[name] + ', expected ' + type);
  }
}

// A name two entries re-export from one source module must be the same
// value (shared chunk), not a copy.
const [core, ...others] = entries.map((e) => modules[e.specifier]);
for (const [i, other] of others.entries()) {
  for (const name of entries[i + 1].shared) {
    if (other[name] !== core[name])
      problems.push(entries[i + 1].specifier + ': ' + name + ' is a copy, not the core value');
  }
}

// Values made by one entry must be recognised by another: a core channel
// accepted by the RxJS adapters, and their errors instances of core classes.
try {
  const rx = modules[entries[1].specifier];
  const values = [];
  rx.fromChannel(core.chan(0)).subscribe().unsubscribe();
  // A minimal interop Observable that pushes three values at once.
  const source = {
    subscribe(observer) {
      for (const value of [1, 2, 3]) observer.next(value);
      observer.complete();
      return { unsubscribe() {} };
    },
  };
  source['@@observable'] = () => source;
  const bridged = rx.toChannel(source, { capacity: 1 });
  values.push(await bridged.receive());
  const failure = await bridged.receive().then(
    () => undefined,
    (error) => error,
  );
  if (values[0] !== 1 || !(failure instanceof core.BufferOverflowError))
    problems.push('rxchan/rxjs errors are not instances of the core classes: ' + String(failure));
} catch (error) {
  problems.push('rxchan/rxjs does not accept a core channel: ' + String(error));
}

const { chan, ChannelClosedError } = core;
try {
  const made = new ChannelClosedError();
  if (!(made instanceof Error) || !(made instanceof ChannelClosedError))
    problems.push('new ChannelClosedError() is not an instance of Error and ChannelClosedError');
  if (made.name !== 'ChannelClosedError')
    problems.push('ChannelClosedError has name ' + JSON.stringify(made.name));

  const c = chan(1);
  if (c.trySend(1) !== true) problems.push('chan(1).trySend(1) did not return true');
  const got = c.tryReceive();
  if (JSON.stringify(got) !== JSON.stringify({ value: 1, ok: true }))
    problems.push('tryReceive() returned ' + JSON.stringify(got) + ', expected {"value":1,"ok":true}');

  c.close();
  let thrown;
  try {
    c.trySend(2);
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof ChannelClosedError))
    problems.push('trySend on a closed channel did not throw ChannelClosedError: ' + String(thrown));
} catch (error) {
  problems.push('channel round trip threw: ' + (error && error.stack ? error.stack : String(error)));
}

for (const specifier of ${JSON.stringify(CLOSED_SPECIFIERS)}) {
  let error;
  try {
    ${load}(specifier);
  } catch (e) {
    error = e;
  }
  if (error === undefined) problems.push(specifier + ' loaded, but the exports map should refuse it');
  else if (error.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED')
    problems.push(specifier + ' failed with ' + error.code + ' instead of ERR_PACKAGE_PATH_NOT_EXPORTED');
}

if (problems.length > 0) {
  for (const p of problems) console.error('  ' + p);
  process.exit(1);
}
console.log('ok');
`;
  return format === 'esm'
    ? body
    : `'use strict';\n(async () => {\n${body}\n})().catch((e) => {\n  console.error(e);\n  process.exit(1);\n});\n`;
}

function checkConsumerLoads() {
  const entries = ENTRIES.map(({ specifier, source, expected }) => {
    const all = { ...expected };
    for (const name of valueExportNames(source)) all[name] ??= 'any';
    return { specifier, expected: all, shared: sharedNames(source) };
  });

  for (const { specifier, expected } of entries) {
    console.log(`smoke: ${specifier}: expecting ${Object.keys(expected).length} export(s)`);
  }

  const dir = mkdtempSync(join(tmpdir(), 'rxchan-smoke-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(repoRoot, join(dir, 'node_modules', pkg.name), 'dir');
    writeFileSync(join(dir, 'check.mjs'), childScript('esm', entries));
    writeFileSync(join(dir, 'check.cjs'), childScript('cjs', entries));

    for (const [format, file] of [
      ['ESM', 'check.mjs'],
      ['CJS', 'check.cjs'],
    ]) {
      const run = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' });
      if (run.status !== 0) {
        fail(`${format} consumer check failed (exit ${run.status}):\n${run.stderr}${run.stdout}`);
      } else {
        console.log(`smoke: ${format} consumer ok`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(join(repoRoot, 'dist'))) {
  console.error('smoke: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
checkExportsMapFiles();
checkCoreHasNoDependencies();
checkConsumerLoads();

if (failures.length > 0) {
  console.error(`smoke: ${failures.length} failure(s)`);
  for (const message of failures) console.error(`- ${message}`);
  process.exit(1);
}
console.log('smoke: all checks passed');
