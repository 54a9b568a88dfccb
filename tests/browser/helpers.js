'use strict';
// Shared helpers for the browser tests: the real emulator binary, a static server for integrator
// pages on another origin (COEP require-corp + COOP same-origin), and Debian's Chromium.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.WEBCAPTURE_EMULATOR_BIN || path.join(ROOT, 'target', 'debug', 'webcapture-emulator');
const ARTIFACTS = path.join(__dirname, 'artifacts');
const API_KEY = 'browser-tests-key';

/** Chromium flags from DEVELOPERS.md / COMMON.md (fake camera, no prompts, no background traffic). */
const CHROMIUM_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts the real emulator binary on a free port and waits for its `listening on` line.
 * @param {string[]} extra extra flags
 * @returns {Promise<{url: string, stop: () => Promise<void>, output: () => string}>}
 */
function startEmulator(extra = []) {
  // Every test captures from the same browser (one fingerprint); counted lockout is off by default
  // (`--lockout` turns it on) and the `lockout` scenario forces its 429 regardless.
  const scale = extra.includes('--time-scale') ? [] : ['--time-scale', '0.05'];
  const args = ['--port', '0', ...scale, '--seed', '7', ...extra];
  const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${out}`)), 20000);
    const onData = (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          output: () => out,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { out += c; });
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`emulator exited with ${code}:\n${out}`)); });
  });
}

/**
 * Serves `pages/` on http://localhost:PORT (another origin, and another site, than the emulator on
 * 127.0.0.1) with the headers integrator pages use. `{{EMULATOR}}` in a page becomes the emulator URL.
 * @param {string} emulatorUrl e.g. http://127.0.0.1:1234
 * @returns {Promise<{origin: string, close: () => Promise<void>}>}
 */
function startPageServer(emulatorUrl) {
  const dir = path.join(__dirname, 'pages');
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.png': 'image/png' };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    // The integrator back end of the vendor's SimpleClient: creates a session, answers its id as JSON.
    if (url.pathname === '/video-server/init-liveness-session/') {
      try {
        const extra = url.searchParams.has('ageThreshold') ? { ageThreshold: Number(url.searchParams.get('ageThreshold')) } : {};
        const id = await createSession(emulatorUrl, url.searchParams.get('mode') || 'LIVENESS_PASSIVE', undefined, extra);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify(id));
      } catch (e) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        return res.end(String(e));
      }
    }
    // The sample back end's `/liveness-challenge-result/<id>/?polling=false` (integration-contract
    // §2.2.1, §2.6): it reads core once and answers the browser its own shape, with core's
    // livenessStatus mapped to the message the templates branch on.
    const result = /^\/liveness-challenge-result\/([^/]+)\/?$/.exec(url.pathname);
    if (result) {
      try {
        const upstream = await fetch(`${emulatorUrl}/bioserver-app/v2/bio-sessions/${result[1]}/liveness-challenge-result`, { headers: { apikey: API_KEY } });
        if (!upstream.ok) {
          res.writeHead(upstream.status, { 'Content-Type': 'application/json' });
          return res.end(JSON.stringify({ error: 'liveness-challenge-result failed' }));
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cross-Origin-Resource-Policy': 'same-origin' });
        return res.end(JSON.stringify(sampleResult(await upstream.json())));
      } catch (e) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        return res.end(String(e));
      }
    }
    // The sample back end's proxy to core's `/bio-session/<id>/faces/<faceId>/image`: core answers
    // grant nothing to browsers.
    const image = /^\/bio-session\/([^/]+)\/faces\/([^/]+)\/image$/.exec(url.pathname);
    if (image) {
      const corePath = `/bioserver-app/v2/bio-sessions/${image[1]}/faces/${image[2]}/image`;
      try {
        const upstream = await fetch(`${emulatorUrl}${corePath}`, { headers: { apikey: API_KEY } });
        const body = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, {
          'Content-Type': upstream.headers.get('content-type') || 'application/octet-stream',
          'Cross-Origin-Resource-Policy': 'same-origin',
        });
        return res.end(body);
      } catch (e) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        return res.end(String(e));
      }
    }
    const file = path.join(dir, path.normalize(url.pathname).replace(/^([/\\])+/, ''));
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('not found');
    }
    const ext = path.extname(file);
    let body = fs.readFileSync(file);
    if (ext === '.html' || ext === '.js') body = Buffer.from(body.toString('utf8').split('{{EMULATOR}}').join(emulatorUrl));
    res.writeHead(200, {
      'Content-Type': types[ext] || 'application/octet-stream',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    res.end(body);
  });
  return new Promise((resolve) => {
    server.listen(0, 'localhost', () => {
      resolve({
        origin: `http://localhost:${server.address().port}`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

/**
 * What the vendor sample's back end answers the browser for a core liveness result
 * (integration-contract §2.2.1, non-GIPS): SUCCESS is a success, SPOOF "Liveness failed", TIMEOUT
 * "Timeout has expired", anything else (ERROR, FAILED, missing) "Something was wrong".
 * @param {Object} core core's `liveness-challenge-result` body
 * @returns {{isLivenessSucceeded: boolean, message: string, bestImageId?: string, age?: Object, diagnostic?: string}}
 */
function sampleResult(body) {
  const core = body && typeof body === 'object' ? body : {};
  const status = core.livenessStatus;
  const message = { SUCCESS: 'Liveness succeeded', SPOOF: 'Liveness failed', TIMEOUT: 'Timeout has expired' }[status] || 'Something was wrong';
  return { isLivenessSucceeded: status === 'SUCCESS', message, bestImageId: core.bestImageId, age: core.age, diagnostic: core.diagnostic };
}

/**
 * Launches Debian's Chromium with a fresh profile directory.
 * @returns {Promise<{context: import('playwright-core').BrowserContext, close: () => Promise<void>}>}
 */
async function launchBrowser() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wce-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1000, height: 700 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates a session the way an integrator back end does (init-liveness-session), optionally with a scenario.
 * @param {string} emulatorUrl emulator base URL
 * @param {string} mode LIVENESS_PASSIVE | LIVENESS_PASSIVE_VIDEO | LIVENESS_ACTIVE
 * @param {string=} scenario X-Emulator-Scenario
 * @param {Object=} extra more body fields (e.g. `ageThreshold`)
 * @returns {Promise<string>} the session id (from the Location header, as the vendor's sample reads it)
 */
async function createSession(emulatorUrl, mode, scenario, extra = {}) {
  const headers = { 'Content-Type': 'application/json', apikey: API_KEY };
  if (scenario) headers['X-Emulator-Scenario'] = scenario;
  const res = await fetch(`${emulatorUrl}/video-server/init-liveness-session`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ livenessMode: mode, numberOfChallenge: 2, correlationId: 'browser-tests', evidenceId: 'browser-tests', ...extra }),
  });
  if (res.status !== 201) throw new Error(`init-liveness-session answered ${res.status}: ${await res.text()}`);
  const location = res.headers.get('location') || '';
  const id = location.split('/bio-sessions/')[1];
  if (!id) throw new Error(`no session id in Location: ${location}`);
  return id;
}

/**
 * Reads the core result the integrator's back end would read.
 * @param {string} emulatorUrl emulator base URL
 * @param {string} id session id
 * @returns {Promise<{status: number, body: any}>}
 */
async function livenessResult(emulatorUrl, id) {
  const res = await fetch(`${emulatorUrl}/bioserver-app/v2/bio-sessions/${id}/liveness-challenge-result`, { headers: { apikey: API_KEY } });
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { body = text; }
  return { status: res.status, body };
}

/** Path of an artifact file (screenshots), creating the folder. */
function artifact(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/**
 * Everything a test file needs, started once: emulator, page server, browser.
 * @param {string[]} emulatorArgs extra emulator flags
 */
async function setup(emulatorArgs = []) {
  const emulator = await startEmulator(emulatorArgs);
  const pages = await startPageServer(emulator.url);
  const browser = await launchBrowser();
  return {
    emulator,
    pages,
    browser,
    /** Opens a page and collects its console errors. */
    async open(pathAndQuery) {
      const page = await browser.context.newPage();
      page.consoleErrors = [];
      page.on('console', (msg) => { if (msg.type() === 'error') page.consoleErrors.push(msg.text()); });
      page.on('pageerror', (err) => page.consoleErrors.push(String(err)));
      await page.goto(`${pages.origin}${pathAndQuery}`);
      return page;
    },
    async teardown() {
      await browser.close();
      await pages.close();
      await emulator.stop();
    },
  };
}

module.exports = { sampleResult, setup, startEmulator, startPageServer, launchBrowser, createSession, livenessResult, artifact, API_KEY };
