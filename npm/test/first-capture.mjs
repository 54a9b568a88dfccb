// Runs `npx webcapture-emulator --port 0 --time-scale 0` in a project (argv[2]) with no Rust
// toolchain on the PATH, then one whole capture; prints how long each took. scripts/test-npm.sh
// calls it right after installing the tarballs, so the sum is "npm install to first capture".
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { capture } from '../../scripts/smoke/capture.mjs';

const project = process.argv[2];
const PATH = process.env.PATH.split(':')
  .filter((dir) => !/cargo|rustup/.test(dir))
  .join(':');
const started = performance.now();
const child = spawn('npx', ['--no-install', 'webcapture-emulator', '--port', '0', '--time-scale', '0'], {
  cwd: project,
  env: { ...process.env, PATH },
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const base = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`npx webcapture-emulator exited ${code}: ${out}`)));
  });
  const listening = performance.now() - started;
  const { result } = await capture(base);
  assert.equal(result.livenessStatus, 'SUCCESS');
  const captured = performance.now() - started;
  console.log(`npx webcapture-emulator (no cargo on PATH): listening on after ${Math.round(listening)} ms`);
  console.log(`first capture SUCCESS after ${Math.round(captured)} ms`);
} finally {
  child.kill('SIGTERM');
  // Do not wait for the emulator's stdout to close (npx's children end on their own).
  process.exit(process.exitCode ?? 0);
}
