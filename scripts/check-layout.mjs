// Checks that imports under src/ follow the layering in DEVELOPERS.md:
//
// 1. src/core imports only from src/core: no other folder, no package, no
//    Node built-in.
// 2. Only src/testing and the entry src/testing.ts import from src/testing.
// 3. src/adapters and src/patterns never import from src/operators.
// 4. src/index.ts reaches nothing from RxJS: neither it nor any module it
//    imports, directly or transitively, imports `rxjs` (types included).
//
// Type-only imports count: they still tie one layer to another. Imports are
// read from the syntax tree, so code in comments and strings is ignored.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(repoRoot, 'src');

/** Repo-relative path with forward slashes, for messages and matching. */
const rel = (file) => relative(repoRoot, file).split(sep).join('/');

/** Whether `file` is `dir` itself or lies somewhere below it. */
const isInside = (file, dir) => {
  const path = relative(dir, file);
  return path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path);
};

function listTsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((file) => file.endsWith('.ts') && statSync(file).isFile())
    .sort();
}

/** Module specifiers of every import, export-from, import() and require(). */
function importSpecifiers(file) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found = [];
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const isRelative = (specifier) => specifier.startsWith('./') || specifier.startsWith('../');

/** Absolute path a relative specifier names, without guessing an extension. */
const target = (file, specifier) => resolve(dirname(file), specifier);

/** The .ts file a relative specifier loads, if it exists. */
function resolveTsFile(file, specifier) {
  const base = target(file, specifier).replace(/\.(m|c)?js$/, '');
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((path) => path.endsWith('.ts') && existsSync(path));
}

const isRxjs = (specifier) => specifier === 'rxjs' || specifier.startsWith('rxjs/');

const problems = [];
const coreDir = join(srcDir, 'core');
const testingDir = join(srcDir, 'testing');
const testingEntry = join(srcDir, 'testing.ts');
const operatorsDir = join(srcDir, 'operators');
const files = listTsFiles(srcDir);

for (const file of files) {
  const inCore = isInside(file, coreDir);
  const mayUseTesting = isInside(file, testingDir) || file === testingEntry;
  const belowOperators =
    isInside(file, join(srcDir, 'adapters')) || isInside(file, join(srcDir, 'patterns'));

  for (const specifier of importSpecifiers(file)) {
    const path = isRelative(specifier) ? target(file, specifier) : undefined;
    const where = `${rel(file)} imports '${specifier}'`;

    if (inCore && (path === undefined || !isInside(path, coreDir))) {
      problems.push(`${where}: src/core may import only from src/core`);
    }
    const pathNoExt = path?.replace(/\.(m|c)?[jt]s$/, '');
    if (
      !mayUseTesting &&
      path !== undefined &&
      (isInside(path, testingDir) || pathNoExt === testingEntry.slice(0, -3))
    ) {
      problems.push(`${where}: only src/testing and src/testing.ts may import src/testing`);
    }
    if (belowOperators && path !== undefined && isInside(path, operatorsDir)) {
      problems.push(`${where}: adapters and patterns must not depend on operators`);
    }
  }
}

// Rule 4: walk everything src/index.ts reaches.
const indexFile = join(srcDir, 'index.ts');
const reached = new Map(); // file -> the file that first imported it
const queue = existsSync(indexFile) ? [indexFile] : [];
reached.set(indexFile, undefined);
while (queue.length > 0) {
  const file = queue.shift();
  for (const specifier of importSpecifiers(file)) {
    if (isRxjs(specifier)) {
      const chain = [];
      for (let at = file; at !== undefined; at = reached.get(at)) chain.unshift(rel(at));
      problems.push(
        `${rel(file)} imports '${specifier}', and src/index.ts reaches it (${chain.join(' -> ')}): ` +
          'the core entry must not depend on RxJS',
      );
    } else if (isRelative(specifier)) {
      const next = resolveTsFile(file, specifier);
      if (next !== undefined && !reached.has(next)) {
        reached.set(next, file);
        queue.push(next);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`check-layout: ${problems.length} problem(s)`);
  for (const problem of problems) console.error(`- ${problem}`);
  process.exit(1);
}
console.log(`check-layout: ${files.length} file(s) under src/ follow the layering`);
