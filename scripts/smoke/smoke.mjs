#!/usr/bin/env node
// Smoke test of one binary: start (--port 0 --time-scale 0), health (capabilities with an apikey),
// one whole capture, the dashboard answers 200, then stop.
//
//   node scripts/smoke/smoke.mjs [--runner qemu-aarch64|wine] BINARY
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from './capture.mjs';

const args = process.argv.slice(2);
let runner = [];
if (args[0] === '--runner') {
  runner = args[1].split(' ');
  args.splice(0, 2);
}
const binary = args[0];
if (!binary) throw new Error('usage: smoke.mjs [--runner CMD] BINARY');

const scenarios = mkdtempSync(join(tmpdir(), 'smoke-scenarios-'));
const argv = [...runner, binary, '--port', '0', '--time-scale', '0', '--scenarios', scenarios];
const started = performance.now();
const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const step = (what) => console.log(`  ok ${what}`);
try {
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 120 s:\n${output}`)), 120_000);
    const onData = (d) => {
      output += d;
      const m = /listening on (http\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
  step(`start: listening on ${base} after ${Math.round(performance.now() - started)} ms`);
  const caps = await fetch(`${base}/video-server/v2/capabilities`, { headers: { apikey: 'smoke-test-key' } });
  if (caps.status !== 200) throw new Error(`capabilities answered ${caps.status}`);
  step('health: GET /video-server/v2/capabilities 200');
  const { sessionId, end, result } = await capture(base);
  if (end.type !== 'result' || result.livenessStatus !== 'SUCCESS') {
    throw new Error(`capture ${sessionId} ended with ${JSON.stringify(end)} and result ${JSON.stringify(result)}`);
  }
  step(`capture: session ${sessionId} SUCCESS`);
  const dash = await fetch(`${base}/__emulator/`);
  if (dash.status !== 200 || !(await dash.text()).includes('<html')) throw new Error(`dashboard answered ${dash.status}`);
  step('dashboard: GET /__emulator/ 200');
  console.log(`SMOKE PASS ${binary}`);
} catch (e) {
  console.log(`SMOKE FAIL ${binary}: ${e.message}`);
  process.exitCode = 1;
} finally {
  child.kill('SIGKILL');
}
