#!/usr/bin/env node
// `npx webcapture-emulator [flags]`: runs the native binary with the same arguments, stdio and
// exit code, and passes Ctrl-C / SIGTERM on to it.
import { spawn } from 'node:child_process';
import { binaryPath } from '../lib/binary.js';

let binary;
try {
  binary = binaryPath();
} catch (e) {
  process.stderr.write(`webcapture-emulator: ${e.message}\n`);
  process.exit(1);
}
const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
// `npx` ends without passing its SIGTERM on to us: when our parent is gone, end the emulator too
// rather than leave it holding its port.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) child.kill('SIGTERM');
}, 500).unref();
child.on('error', (e) => {
  process.stderr.write(`webcapture-emulator: cannot run ${binary}: ${e.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Die by the same signal, so a parent sees what happened to the emulator.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
