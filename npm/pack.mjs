#!/usr/bin/env node
// Packs the npm packages with `npm pack`: the main package `webcapture-emulator` (launcher, JS API,
// Playwright fixture) and one package per platform holding its binary (os/cpu fields, the shape
// esbuild and SWC use). Nothing is published from here.
//
//   node npm/pack.mjs --out DIR [--binary linux-x64=PATH ...]
//
// Prints one line per tarball: `<file> <bytes>`.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORMS } from './webcapture-emulator/lib/binary.js';

const here = dirname(fileURLToPath(import.meta.url));
const main = join(here, 'webcapture-emulator');
const { version, license } = JSON.parse(readFileSync(join(main, 'package.json'), 'utf8'));

let out;
const binaries = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--out') out = resolve(argv[++i]);
  else if (argv[i] === '--binary') {
    const [key, path] = argv[++i].split('=');
    if (!PLATFORMS[key]) throw new Error(`unknown platform ${key} (known: ${Object.keys(PLATFORMS).join(', ')})`);
    binaries[key] = resolve(path);
  } else throw new Error(`unknown argument ${argv[i]}`);
}
if (!out) throw new Error('usage: node npm/pack.mjs --out DIR [--binary PLATFORM=PATH ...]');
mkdirSync(out, { recursive: true });

/** `npm pack DIR` into `out`; returns the tarball's path. */
function pack(dir) {
  const name = execFileSync('npm', ['pack', dir, '--pack-destination', out, '--silent'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  return join(out, basename(name));
}

const made = [pack(main)];
for (const [key, binary] of Object.entries(binaries)) {
  const p = PLATFORMS[key];
  const stage = join(out, 'stage', p.pkg);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'bin'), { recursive: true });
  copyFileSync(binary, join(stage, 'bin', p.exe));
  chmodSync(join(stage, 'bin', p.exe), 0o755);
  writeFileSync(
    join(stage, 'package.json'),
    `${JSON.stringify(
      {
        name: p.pkg,
        version,
        description: `The ${key} binary of webcapture-emulator (installed by it through optionalDependencies).`,
        license,
        os: [p.os],
        cpu: [p.cpu],
        files: ['bin/'],
        preferUnplugged: true,
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(stage, 'README.md'),
    `# ${p.pkg}\n\nThe ${key} binary of [webcapture-emulator](https://www.npmjs.com/package/webcapture-emulator).\n` +
      'Install `webcapture-emulator` instead: it picks this package on this platform.\n',
  );
  made.push(pack(stage));
}
rmSync(join(out, 'stage'), { recursive: true, force: true });
for (const file of made) console.log(`${file} ${statSync(file).size}`);
