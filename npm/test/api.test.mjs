// The JavaScript API of the installed `webcapture-emulator` package, against the binary of its
// platform package. scripts/test.sh installs both from their tarballs into a fresh temporary
// project and runs this file there (with capture.mjs from scripts/smoke/ next to it).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startEmulator,
  connectEmulator,
  binaryPath,
  EmulatorError,
  BINARY_ENV,
} from 'webcapture-emulator';
import { capture, createSession, runChannel } from './capture.mjs';

describe('an emulator started by startEmulator', () => {
  let emulator;
  before(async () => {
    // Lockout is off by default: the failed captures of one test (SPOOF, FAILED...) never lock out the next ones.
    emulator = await startEmulator({ timeScale: 0, seed: 7 });
  });
  after(() => emulator.stop());

  test('listens on a free port and gives the URL of every back end, script and page', async () => {
    assert.match(emulator.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(emulator.videoServerUrl, emulator.url);
    assert.equal(emulator.coreUrl, `${emulator.url}/bioserver-app/v2`);
    assert.equal(emulator.gipsUrl, `${emulator.url}/gips`);
    assert.equal(emulator.dashboardUrl, `${emulator.url}/__emulator/`);
    const caps = await fetch(`${emulator.videoServerUrl}/video-server/v2/capabilities`, { headers: { apikey: 'k' } });
    assert.equal(caps.status, 200);
    for (const url of [...Object.values(emulator.scripts), emulator.dashboardUrl, emulator.demoUrl]) {
      assert.equal((await fetch(url)).status, 200, url);
    }
    assert.equal((await emulator.health()).status, 'ok');
  });

  test('lists the built-in scenarios and returns one of them', async () => {
    const names = (await emulator.scenarios()).map((s) => s.name);
    assert.ok(names.includes('success') && names.includes('spoof'), names.join());
    const spoof = await emulator.scenario('spoof');
    assert.match(spoof.description, /SPOOF/);
  });

  test('sets the default scenario, and the next capture plays it', async () => {
    assert.equal(await emulator.setDefaultScenario('spoof'), 'spoof');
    assert.equal(await emulator.defaultScenario(), 'spoof');
    const { result } = await capture(emulator.url);
    assert.equal(result.livenessStatus, 'SPOOF');
    await emulator.setDefaultScenario('success');
  });

  test('plays the queue once per capture, in order, and clearQueue empties it', async () => {
    assert.deepEqual(await emulator.enqueue('spoof', 'timeout'), ['spoof', 'timeout']);
    assert.deepEqual(await emulator.queue(), ['spoof', 'timeout']);
    assert.equal((await capture(emulator.url)).result.livenessStatus, 'SPOOF');
    assert.deepEqual(await emulator.queue(), ['timeout']);
    assert.deepEqual(await emulator.clearQueue(), []);
    assert.equal((await capture(emulator.url)).result.livenessStatus, 'SUCCESS');
  });

  test('throws the emulator\'s JSON error for an unknown scenario name', async () => {
    await assert.rejects(emulator.setDefaultScenario('no-such-scenario'), (e) => {
      assert.ok(e instanceof EmulatorError);
      assert.equal(e.status, 404);
      assert.match(e.message, /Unknown scenario 'no-such-scenario'/);
      assert.equal(e.body.code, 404);
      return true;
    });
    await assert.rejects(emulator.enqueue('success', 'nope'), /Unknown scenario 'nope'/);
    await assert.rejects(emulator.scenario('nope'), { status: 404 });
  });

  test('writes a scenario file, waits until it is loaded, and the next capture plays it', async () => {
    const listing = await emulator.writeScenario('api-failed', {
      description: 'Written by the API test.',
      result: { livenessStatus: 'FAILED' },
    });
    assert.equal(listing.valid, true);
    assert.equal(listing.source, 'file');
    assert.ok(listing.loadedAt);
    const { result } = await capture(emulator.url, { scenario: 'api-failed' });
    assert.equal(result.livenessStatus, 'FAILED');
  });

  test('rejects a broken scenario file with the emulator\'s line and column, keeping the last good version', async () => {
    await emulator.writeScenario('api-broken', { result: { livenessStatus: 'SPOOF' } });
    await assert.rejects(emulator.writeScenario('api-broken', '{"result": {"livenessStatus": "SPOOF",}}'), (e) => {
      assert.ok(e instanceof EmulatorError);
      assert.match(e.message, /api-broken\.json:\d+:\d+/);
      return true;
    });
    const { result } = await capture(emulator.url, { scenario: 'api-broken' });
    assert.equal(result.livenessStatus, 'SPOOF');
    await assert.rejects(emulator.writeScenario('../escape', {}), /Invalid scenario name/);
  });

  test('pins a scenario to a session before its capture, and refuses once the capture is over', async () => {
    const id = await createSession(emulator.url);
    await emulator.pin(id, 'spoof');
    const { result } = await runChannel(emulator.url, id);
    assert.equal(result.livenessStatus, 'SPOOF');
    await assert.rejects(emulator.pin(id, 'success'), (e) => e.status === 409 && /already started/.test(e.message));
    await assert.rejects(emulator.pin('no-such-session', 'success'), { status: 404 });
  });

  test('lists sessions and gives one session\'s transcript and findings', async () => {
    const { sessionId, result } = await capture(emulator.url, { scenario: 'success' });
    assert.equal(result.livenessStatus, 'SUCCESS');
    const sessions = await emulator.sessions();
    assert.equal(sessions[0].id, sessionId);
    const session = await emulator.waitForSession(sessionId);
    assert.equal(session.state, 'FINISHED');
    assert.equal(session.scenario, 'success');
    assert.ok(session.events.length > 3);
    assert.ok(session.events.every((e) => typeof e.tMs === 'number'));
    assert.deepEqual(await emulator.findings(sessionId), []);
    assert.ok((await emulator.journal()).length > 0);
  });

  test('waits until a session reaches a state, and says where it is when it does not', async () => {
    const id = await createSession(emulator.url);
    assert.equal((await emulator.waitForSession(id, 'CREATED')).state, 'CREATED');
    await assert.rejects(emulator.waitForSession(id, 'FINISHED', { timeoutMs: 200 }), /did not reach FINISHED .* it is CREATED/);
    await assert.rejects(emulator.waitForSession('no-such-session', ['FINISHED'], { timeoutMs: 100 }), /it does not exist/);
    await assert.rejects(emulator.session('no-such-session'), (e) => e.status === 404 && /no-such-session/.test(e.message));
  });

  test('reset forgets sessions and the queue and restores the default scenario', async () => {
    await emulator.setDefaultScenario('spoof');
    await emulator.enqueue('timeout');
    await capture(emulator.url);
    assert.deepEqual(await emulator.reset(), { status: 'reset' });
    assert.deepEqual(await emulator.sessions(), []);
    assert.deepEqual(await emulator.queue(), []);
    assert.equal(await emulator.defaultScenario(), 'success');
  });

  test('connectEmulator drives an emulator started elsewhere', async () => {
    const client = connectEmulator(`${emulator.url}/`);
    assert.equal(client.url, emulator.url);
    assert.ok((await client.scenarios()).length > 5);
    await assert.rejects(client.writeScenario('x', {}), /needs the emulator's scenarios folder/);
  });
});

describe('starting and stopping', () => {
  test('passes any flag: API keys, a fixed default scenario, TLS', async () => {
    const emulator = await startEmulator({ apiKey: ['key-a', 'key-b'], defaultScenario: 'no-match' });
    try {
      assert.equal(await emulator.defaultScenario(), 'no-match');
      const caps = (key) => fetch(`${emulator.url}/video-server/v2/capabilities`, { headers: { apikey: key } });
      assert.equal((await caps('key-b')).status, 200);
      assert.notEqual((await caps('wrong')).status, 200);
    } finally {
      await emulator.stop();
    }
    const tls = await startEmulator({ tls: true });
    try {
      assert.match(tls.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await tls.stop();
    }
  });

  test('uses the scenarios folder it is given', async (t) => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'api-test-'));
    await writeFile(join(dir, 'mine.json'), JSON.stringify({ description: 'mine', result: { livenessStatus: 'TIMEOUT' } }));
    const emulator = await startEmulator({ scenarios: dir, timeScale: 0 });
    t.after(() => emulator.stop());
    assert.equal(emulator.scenariosDir, dir);
    assert.equal((await emulator.scenarios()).find((s) => s.name === 'mine').valid, true);
  });

  test('rejects with the emulator\'s own message when a flag is invalid', async () => {
    await assert.rejects(startEmulator({ timeScale: 'fast' }), (e) => {
      assert.ok(e instanceof EmulatorError);
      assert.match(e.message, /exited .* before listening/);
      assert.match(e.message, /invalid value 'fast'/);
      return true;
    });
  });

  test('a stopped emulator is unreachable, which throws an EmulatorError', async () => {
    const emulator = await startEmulator();
    await emulator.stop();
    assert.notEqual(emulator.process.exitCode ?? emulator.process.signalCode, null);
    await assert.rejects(emulator.sessions(), (e) => e instanceof EmulatorError && /not reachable/.test(e.message));
  });
});

describe('finding the binary', () => {
  test('uses the platform package by default and the environment variable when set', () => {
    const path = binaryPath({ env: {} });
    assert.match(path, /webcapture-emulator-linux-x64[\\/]bin[\\/]webcapture-emulator$/);
    assert.equal(binaryPath({ env: { [BINARY_ENV]: path } }), path);
    assert.throws(() => binaryPath({ env: { [BINARY_ENV]: '/no/such/binary' } }), /WEBCAPTURE_EMULATOR_BINARY is set to \/no\/such\/binary, but no file is there/);
  });

  test('says what to do on a platform without a prebuilt binary', () => {
    assert.throws(
      () => binaryPath({ env: {}, platform: 'aix', arch: 'ppc64' }),
      (e) => /no prebuilt binary for aix-ppc64/.test(e.message) && /cargo install --path \./.test(e.message) && e.message.includes(BINARY_ENV),
    );
    assert.throws(() => binaryPath({ env: {}, platform: 'darwin', arch: 'arm64' }), /webcapture-emulator-darwin-arm64, which is not installed/);
  });

  test('npx webcapture-emulator runs the binary with the given flags', async () => {
    const child = spawn('npx', ['--no-install', 'webcapture-emulator', '--port', '0', '--time-scale', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening on http:\/\/127\.0\.0\.1:\d+/.exec(out);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    assert.match(line, /^listening on /);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? s)));
    assert.ok(code === 0 || code === 'SIGTERM', String(code));
  });

  test('the launcher exits 1 with a clear message when the binary is missing', async () => {
    const child = spawn('npx', ['--no-install', 'webcapture-emulator', '--version'], {
      env: { ...process.env, [BINARY_ENV]: '/no/such/binary' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, /webcapture-emulator: WEBCAPTURE_EMULATOR_BINARY is set to \/no\/such\/binary/);
  });
});
