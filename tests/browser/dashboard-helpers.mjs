// Helpers for the dashboard and demo browser tests: start the emulator binary on a free port and
// launch Debian's Chromium through playwright-core (never a downloaded browser).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** Where screenshots go (git-ignored). */
export const ARTIFACTS = join(here, 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

/**
 * Starts `webcapture-emulator --port 0` with extra flags and waits for its `listening on` line.
 * @param {string[]} args extra flags
 * @returns {Promise<{url: string, stop: function(): Promise<void>, logs: function(): string}>}
 */
export async function startEmulator(args = []) {
  const bin = process.env.EMULATOR_BIN || resolve(here, '../../target/debug/webcapture-emulator');
  const child = spawn(bin, ['--port', '0', '--seed', '7', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('no listening line: ' + err)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); ok(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error('emulator exited ' + code + ': ' + err)); });
  });
  return {
    url,
    logs: () => err,
    stop: () => new Promise((done) => {
      if (child.exitCode !== null) return done();
      child.on('exit', () => done());
      child.kill('SIGTERM');
      setTimeout(() => { try { child.kill('SIGKILL'); } catch (e) { /* gone */ } }, 5000);
    }),
  };
}

/**
 * Launches headless Chromium with a fake camera.
 * @returns {Promise<import('playwright-core').Browser>} the browser
 */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--headless', '--no-sandbox',
      '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/**
 * Calls the admin API.
 * @param {string} base emulator URL
 * @param {string} method HTTP method
 * @param {string} path path under /__emulator
 * @param {*=} body JSON body
 * @returns {Promise<*>} parsed answer
 */
export async function admin(base, method, path, body) {
  const res = await fetch(base + '/__emulator' + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Creates a session the way an integrator's back end does.
 * @param {string} base emulator URL
 * @param {string} mode liveness mode
 * @param {string=} scenario X-Emulator-Scenario
 * @returns {Promise<string>} the session id
 */
export async function initSession(base, mode = 'LIVENESS_PASSIVE', scenario) {
  const headers = { 'content-type': 'application/json', apikey: 'backend' };
  if (scenario) headers['X-Emulator-Scenario'] = scenario;
  const res = await fetch(base + '/video-server/init-liveness-session', {
    method: 'POST', headers, body: JSON.stringify({ livenessMode: mode }),
  });
  if (!res.ok) throw new Error('init answered ' + res.status + ': ' + await res.text());
  return res.headers.get('location').split('/bio-sessions/')[1];
}
