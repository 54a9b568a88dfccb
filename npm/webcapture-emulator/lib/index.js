// The JavaScript API of webcapture-emulator: start and stop an emulator, and drive its admin API
// (/__emulator/...) with one method per endpoint. Types: index.d.ts.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, BINARY_ENV, PLATFORMS } from './binary.js';

let stagingCounter = 0;

export { binaryPath, BINARY_ENV, PLATFORMS };

/** Session states after which nothing more happens to a session. */
const TERMINAL = ['FINISHED', 'FAILED'];

/**
 * An error answer of the emulator's admin API (or an unreachable emulator): `message` carries the
 * emulator's own JSON `error` text, `status` and `body` the whole answer.
 */
export class EmulatorError extends Error {
  /**
   * @param {string} message
   * @param {{status?: number, body?: unknown, method?: string, path?: string}} [details]
   */
  constructor(message, details = {}) {
    super(message);
    this.name = 'EmulatorError';
    this.status = details.status;
    this.body = details.body;
    this.method = details.method;
    this.path = details.path;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client of a running emulator's admin API. {@link startEmulator} returns an {@link Emulator}
 * (a client that also owns the process); {@link connectEmulator} makes one for an emulator started
 * elsewhere (a Playwright global setup, a `webServer` entry, a container).
 */
export class EmulatorClient {
  /**
   * @param {string} url the emulator's base URL, e.g. `http://127.0.0.1:8080`
   * @param {{scenariosDir?: string}} [options]
   */
  constructor(url, options = {}) {
    /** The base URL (also the video-server URL). */
    this.url = url.replace(/\/+$/, '');
    /** The folder its scenario files are read from, when known (needed by writeScenario). */
    this.scenariosDir = options.scenariosDir;
  }

  /** The video-server URL (`BIOSERVER_VIDEO_URL` of the vendor's sample app). */
  get videoServerUrl() {
    return this.url;
  }

  /** The Bioserver core URL (`BIOSERVER_CORE_URL`). */
  get coreUrl() {
    return `${this.url}/bioserver-app/v2`;
  }

  /** The GIPS URL (`GIPS_URL`). */
  get gipsUrl() {
    return `${this.url}/gips`;
  }

  /** The URLs of the four stub SDK scripts a page loads. */
  get scripts() {
    const base = `${this.url}/video-server`;
    return {
      environment: `${base}/bioserver-environment-api.js`,
      video: `${base}/bioserver-video-api.js`,
      networkCheck: `${base}/bioserver-network-check.js`,
      ui: `${base}/bioserver-video-ui.js`,
    };
  }

  /** The dashboard (catalogue, sessions, timelines). */
  get dashboardUrl() {
    return `${this.url}/__emulator/`;
  }

  /** The demo integrator page. */
  get demoUrl() {
    return `${this.url}/__emulator/demo`;
  }

  /**
   * One admin call: JSON in, JSON out; any non-2xx answer throws an {@link EmulatorError} with the
   * emulator's `error` text.
   * @param {string} method
   * @param {string} path under `/__emulator`, e.g. `/sessions`
   * @param {unknown} [body]
   */
  async request(method, path, body) {
    const url = `${this.url}/__emulator${path}`;
    let res;
    try {
      res = await fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new EmulatorError(`${method} ${url}: the emulator is not reachable (${e.cause?.code ?? e.message})`, {
        method,
        path,
      });
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (!res.ok) {
      const what = json && typeof json === 'object' && 'error' in json ? json.error : text || res.statusText;
      throw new EmulatorError(`${method} /__emulator${path} answered ${res.status}: ${what}`, {
        status: res.status,
        body: json,
        method,
        path,
      });
    }
    return json;
  }

  /** `GET /__emulator/health`. */
  health() {
    return this.request('GET', '/health');
  }

  /** The catalogue: built-in scenarios and files, with `valid`, `error` and `loadedAt`. */
  scenarios() {
    return this.request('GET', '/scenarios');
  }

  /** One scenario as the emulator understood it (its last good version). */
  scenario(name) {
    return this.request('GET', `/scenarios/${encodeURIComponent(name)}`);
  }

  /** The scenario sessions play when nothing else chooses one. */
  async defaultScenario() {
    return (await this.request('GET', '/default-scenario')).scenario;
  }

  /** Sets the default scenario (404 → throws for an unknown name). */
  async setDefaultScenario(name) {
    return (await this.request('PUT', '/default-scenario', { scenario: name })).scenario;
  }

  /** The one-shot queue, head first. */
  async queue() {
    return (await this.request('GET', '/queue')).scenarios;
  }

  /** Appends to the queue: the next sessions play these, one each (all or nothing). */
  async enqueue(...names) {
    return (await this.request('POST', '/queue', { scenarios: names.flat() })).scenarios;
  }

  /** Empties the queue. */
  async clearQueue() {
    return (await this.request('DELETE', '/queue')).scenarios;
  }

  /** Pins a scenario to a session before its capture starts (409 → throws once it started). */
  pin(sessionId, name) {
    return this.request('PUT', `/sessions/${encodeURIComponent(sessionId)}/scenario`, { scenario: name });
  }

  /**
   * Writes `<scenariosDir>/<name>.json` and waits until the emulator has loaded that version.
   * Throws with the emulator's error (file:line:column) when it rejects the file (the last good
   * version then stays in use), or when it did not pick the file up within `timeoutMs`.
   * @param {string} name
   * @param {object|string} scenario the scenario object (or its JSON text)
   * @param {{timeoutMs?: number}} [options]
   */
  async writeScenario(name, scenario, options = {}) {
    if (!this.scenariosDir) {
      throw new EmulatorError(
        'writeScenario needs the emulator\'s scenarios folder: start it with startEmulator() or pass {scenariosDir} to connectEmulator()',
      );
    }
    if (!/^[A-Za-z0-9._-]+$/.test(name)) {
      throw new EmulatorError(`Invalid scenario name '${name}': use letters, digits, '.', '_' and '-'`);
    }
    const text = typeof scenario === 'string' ? scenario : `${JSON.stringify(scenario, null, 2)}\n`;
    const file = join(this.scenariosDir, `${name}.json`);
    const find = async () => (await this.scenarios()).find((s) => s.name === name && s.source === 'file');
    const before = await find();
    const previous = await readFile(file, 'utf8').catch(() => undefined);
    if (previous === text && before) {
      if (before.error) throw new EmulatorError(`Scenario '${name}' is invalid: ${before.error}`, { body: before });
      return before;
    }
    // Written beside the target under a hidden name (the emulator ignores dot files) and renamed
    // into place, so the watcher never reads a half-written file and reports it invalid.
    const staging = join(this.scenariosDir, `.${name}.json.${process.pid}.${++stagingCounter}.tmp`);
    await writeFile(staging, text);
    await rename(staging, file);
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
    for (;;) {
      const now = await find();
      if (now && !same(now, before)) {
        if (now.error) throw new EmulatorError(`Scenario '${name}' is invalid: ${now.error}`, { body: now });
        return now;
      }
      if (Date.now() > deadline) {
        throw new EmulatorError(`The emulator did not load ${file} within ${options.timeoutMs ?? 10_000} ms`);
      }
      await sleep(25);
    }
  }

  /** Session summaries, newest first. */
  sessions() {
    return this.request('GET', '/sessions');
  }

  /** One session: its summary, parameters and transcript (`events`, each with `tMs`). */
  session(id) {
    return this.request('GET', `/sessions/${encodeURIComponent(id)}`);
  }

  /** The findings recorded for a session (where the integration departs from the vendor's rules). */
  findings(id) {
    return this.request('GET', `/sessions/${encodeURIComponent(id)}/findings`);
  }

  /**
   * Waits until a session is in one of `states` (default: a terminal one, FINISHED or FAILED) and
   * returns it with its transcript. A session not created yet is waited for too.
   * @param {string} id
   * @param {string|string[]} [states]
   * @param {{timeoutMs?: number, intervalMs?: number}} [options]
   */
  async waitForSession(id, states = TERMINAL, options = {}) {
    const wanted = [states].flat().map((s) => s.toUpperCase());
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        last = await this.session(id);
        if (wanted.includes(String(last.state).toUpperCase())) return last;
      } catch (e) {
        if (!(e instanceof EmulatorError && e.status === 404)) throw e;
        last = undefined;
      }
      if (Date.now() > deadline) {
        const where = last ? `it is ${last.state}` : 'it does not exist';
        throw new EmulatorError(`Session ${id} did not reach ${wanted.join(' or ')} within ${timeoutMs} ms: ${where}`, {
          body: last,
        });
      }
      await sleep(options.intervalMs ?? 50);
    }
  }

  /** The most recent requests, oldest first. */
  journal() {
    return this.request('GET', '/journal');
  }

  /** Forgets sessions, pins, queue, lockouts, GIPS identities and the journal; default back to its flag. */
  reset() {
    return this.request('POST', '/reset');
  }
}

/** A client of an emulator running elsewhere. */
export function connectEmulator(url, options) {
  return new EmulatorClient(url, options);
}

/** Turns `{timeScale: 0, apiKey: ['a','b'], tls: true}` into `--time-scale 0 --api-key a --api-key b --tls`. */
function flagArgs(flags) {
  const args = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || value === null || value === false) continue;
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (value === true) args.push(flag);
    else for (const v of [value].flat()) args.push(flag, String(v));
  }
  return args;
}

/** An emulator process started by {@link startEmulator}; `stop()` ends it. */
export class Emulator extends EmulatorClient {
  /** @internal */
  constructor(url, child, scenariosDir, ownsDir) {
    super(url, { scenariosDir });
    /** The child process. */
    this.process = child;
    /** Everything it printed, stdout and stderr (for a failing test's report). */
    this.output = '';
    this._ownsDir = ownsDir;
    this._exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Ends the emulator (SIGTERM, then SIGKILL after 5 s) and removes a temporary scenarios folder. */
  async stop() {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.kill('SIGTERM');
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
      await this._exited;
      clearTimeout(timer);
    }
    if (this._ownsDir) await rm(this.scenariosDir, { recursive: true, force: true });
  }
}

/**
 * Starts an emulator on a free port (or `port`) and resolves once it prints `listening on`.
 * Every flag of `webcapture-emulator --help` is an option in camelCase (`timeScale`, `seed`,
 * `defaultScenario`, `tls`, `apiKey`...). Without `scenarios`, it reads scenario files from a
 * fresh temporary folder (removed by stop()) so writeScenario() never touches your files.
 * @param {import('./index.js').StartOptions} [options]
 * @returns {Promise<Emulator>}
 */
export async function startEmulator(options = {}) {
  const { binary, args = [], env, cwd, startTimeoutMs = 15_000, printOutput = false, scenarios, ...flags } = options;
  const ownsDir = !scenarios;
  const scenariosDir = scenarios ?? (await mkdtemp(join(tmpdir(), 'webcapture-emulator-scenarios-')));
  const argv = [...flagArgs({ port: 0, ...flags, scenarios: scenariosDir }), ...args];
  const child = spawn(binary ?? binaryPath(), argv, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new EmulatorError(`The emulator did not print "listening on" within ${startTimeoutMs} ms:\n${output}`));
    }, startTimeoutMs);
    const onData = (chunk) => {
      const text = chunk.toString();
      output += text;
      if (printOutput) process.stderr.write(text);
      const m = /listening on (https?:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.off('exit', onExit);
        resolve(m[1]);
      }
    };
    const onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new EmulatorError(`The emulator exited (${signal ?? `code ${code}`}) before listening:\n${output.trim()}`));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new EmulatorError(`Cannot run the emulator: ${e.message}`));
    });
    child.once('exit', onExit);
  }).catch(async (e) => {
    if (ownsDir) await rm(scenariosDir, { recursive: true, force: true });
    throw e;
  });
  const emulator = new Emulator(url, child, scenariosDir, ownsDir);
  emulator.output = output;
  const keep = (chunk) => {
    // The last 64 KiB: enough for a report, bounded for a run that lasts hours.
    emulator.output = (emulator.output + chunk.toString()).slice(-65536);
    if (printOutput) process.stderr.write(chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return emulator;
}
