'use strict';
// Every liveness mode × every browser-visible built-in failure, in a page on another origin
// (COEP require-corp, COOP same-origin) that loads the four stub scripts from the emulator.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, createSession, livenessResult } = require('./helpers');

const MODES = ['LIVENESS_PASSIVE', 'LIVENESS_PASSIVE_VIDEO', 'LIVENESS_ACTIVE'];
let env;

before(async () => { env = await setup(); });
after(async () => { if (env) await env.teardown(); });

/** Opens the harness page (optionally with a page hint), creates a session and runs a capture. */
async function capture(mode, { scenario, hint } = {}) {
  const page = await env.open(`/capture.html${hint ? `?emulator-scenario=${hint}` : ''}`);
  const isolated = await page.evaluate(() => window.crossOriginIsolated);
  assert.equal(isolated, true, 'the integrator page is cross-origin isolated');
  const id = await createSession(env.emulator.url, mode, scenario);
  const events = await page.evaluate(([sid, active]) => window.runCapture(sid, { active }), [id, mode === 'LIVENESS_ACTIVE']);
  return { page, id, events, names: events.map((e) => e.name) };
}

function instructionValues(events) {
  return events.filter((e) => e.name === 'instruction').map((e) => e.data);
}

/** The callbacks of a complete capture, in the order integrator code relies on (contract §5.10). */
function assertCaptureOrder(mode, events) {
  const names = events.map((e) => e.name);
  const init = names.indexOf('initResolved');
  assert.ok(init > 0, `init resolves after downloadProgress: ${names.join(',')}`);
  const progress = events.slice(0, init);
  assert.ok(progress.every((e) => e.name === 'tracking' && e.data.downloadProgress > 0 && e.data.downloadProgress <= 1));
  assert.equal(names[init + 1], 'stream');
  const afterStart = events.slice(init + 2);
  const instr = instructionValues(afterStart);
  if (mode === 'LIVENESS_ACTIVE') {
    assert.ok(!names.includes('clientInitEnd'), 'active gives no onClientInitEnd and none is called');
    assert.deepEqual(instr, ['FACEFLOW_CHALLENGE_2D', 'TRACKER_CHALLENGE_PENDING']);
    const challenge = afterStart.filter((e) => e.name === 'tracking' && e.data.livenessActive);
    assert.ok(challenge.length > 0, 'join-the-dots tracking');
    const idx = challenge.map((e) => e.data.livenessActive.targetChallengeIndex);
    assert.equal(idx[0], 0);
    assert.equal(idx[idx.length - 1], 1);
  } else {
    assert.equal(afterStart[0].name, 'clientInitEnd', 'onClientInitEnd comes first after startCapture');
    assert.deepEqual(instr, ['TRACKER_CHALLENGE_DONT_MOVE', 'TRACKER_CHALLENGE_PENDING']);
    const dontMove = afterStart.findIndex((e) => e.name === 'instruction');
    assert.ok(afterStart.slice(1, dontMove).some((e) => e.name === 'tracking' && typeof e.data.facew === 'number'), 'face tracking before DONT_MOVE');
    const pending = afterStart.findIndex((e) => e.data === 'TRACKER_CHALLENGE_PENDING');
    const uploads = afterStart.filter((e, i) => e.name === 'tracking' && e.data.uploadProgress !== undefined)
      .map((e) => afterStart.indexOf(e));
    assert.ok(uploads.length > 0 && uploads.every((i) => i > pending), 'uploadProgress only after PENDING');
    assert.equal(afterStart[uploads[uploads.length - 1]].data.uploadProgress, 1);
  }
  assert.equal(names[names.length - 1], 'result', 'showChallengeResult is the last callback, nothing after disconnect');
  assert.ok('bestImageInfo' in events[events.length - 1].data);
}

for (const mode of MODES) {
  test(`${mode}: success reaches showChallengeResult and core says SUCCESS`, async () => {
    const { page, id, events } = await capture(mode, { scenario: 'success' });
    assertCaptureOrder(mode, events);
    const rest = await livenessResult(env.emulator.url, id);
    assert.equal(rest.status, 200);
    assert.equal(rest.body.livenessStatus, 'SUCCESS');
    const info = events[events.length - 1].data.bestImageInfo;
    if (info) assert.ok(rest.body.bestImageId, 'a best image info comes with a retrievable best image id');
    assert.deepEqual(page.consoleErrors, []);
    await page.close();
  });

  test(`${mode}: spoof plays a normal capture and core says SPOOF`, async () => {
    const { page, id, events } = await capture(mode, { scenario: 'spoof' });
    assertCaptureOrder(mode, events);
    const rest = await livenessResult(env.emulator.url, id);
    assert.equal(rest.status, 200);
    assert.equal(rest.body.livenessStatus, 'SPOOF');
    await page.close();
  });

  test(`${mode}: capture-timeout reaches showChallengeResult and core says TIMEOUT`, async () => {
    const { page, id, events, names } = await capture(mode, { scenario: 'capture-timeout' });
    assert.equal(names[names.length - 1], 'result', 'the server stops the capture with showChallengeResult');
    assert.ok(!names.includes('errorFn'), names.join(','));
    assert.ok(instructionValues(events).includes('TRACKER_CHALLENGE_PENDING'));
    const rest = await livenessResult(env.emulator.url, id);
    assert.equal(rest.status, 200);
    assert.equal(rest.body.livenessStatus, 'TIMEOUT');
    assert.deepEqual(page.consoleErrors, []);
    await page.close();
  });

  test(`${mode}: no-face-timeout (old name timeout) reaches errorFn with 1301 after startCapture and no result`, async () => {
    const { page, id, events, names } = await capture(mode, { scenario: mode === 'LIVENESS_ACTIVE' ? 'timeout' : 'no-face-timeout' });
    assert.ok(names.includes('initResolved') && names.includes('stream'));
    const last = events[events.length - 1];
    assert.equal(last.name, 'errorFn');
    assert.equal(last.data.code, 1301);
    assert.equal(typeof last.data.error, 'string');
    assert.ok(!names.includes('result'));
    const rest = await livenessResult(env.emulator.url, id);
    assert.equal(rest.body.livenessStatus, 'TIMEOUT', JSON.stringify(rest));
    await page.close();
  });

  test(`${mode}: lockout rejects init, then errorFn 429 with a future ISO unlockDateTime`, async () => {
    const { page, id, events, names } = await capture(mode, { scenario: 'lockout' });
    const err = events.find((e) => e.name === 'errorFn');
    assert.ok(err, names.join(','));
    assert.equal(err.data.code, 429);
    assert.match(err.data.unlockDateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(new Date(err.data.unlockDateTime).getTime() > Date.now());
    if (names.includes('initRejected')) {
      assert.ok(names.indexOf('initRejected') < names.indexOf('errorFn'), 'reject first, errorFn on a later macrotask (§5.11)');
    }
    assert.ok(!names.includes('result'));
    const rest = await livenessResult(env.emulator.url, id);
    assert.ok(rest.status !== 200 || rest.body.livenessStatus !== 'SUCCESS');
    await page.close();
  });

  test(`${mode}: camera-denied makes getMediaStream reject with NotAllowedError 1304`, async () => {
    const { page, id, events, names } = await capture(mode, { scenario: 'camera-denied' });
    const err = events.find((e) => e.name === 'cameraError');
    assert.ok(err, names.join(','));
    assert.equal(err.data.code, 1304);
    assert.equal(err.data.name, 'NotAllowedError');
    assert.match(err.data.error, /^NotAllowedError : /);
    assert.ok(!names.includes('errorFn'), 'disconnect after a camera error is silent');
    const rest = await livenessResult(env.emulator.url, id);
    assert.ok(rest.status !== 200 || rest.body.livenessStatus !== 'SUCCESS');
    await page.close();
  });

  test(`${mode}: server-overloaded rejects init, then errorFn 503`, async () => {
    const { page, events, names } = await capture(mode, { scenario: 'server-overloaded' });
    const err = events.find((e) => e.name === 'errorFn');
    assert.ok(err, names.join(','));
    assert.equal(err.data.code, 503);
    assert.ok(names.indexOf('initRejected') >= 0 && names.indexOf('initRejected') < names.indexOf('errorFn'));
    assert.ok(!names.includes('stream'), 'the camera is not opened after a refused init');
    await page.close();
  });

  test(`${mode}: weak-network (page hint) reports bad connectivity once, capture still works`, async () => {
    const { page, id, events } = await capture(mode, { hint: 'weak-network', scenario: 'weak-network' });
    const net = await page.evaluate(() => window.networkResult);
    assert.ok(net.result, JSON.stringify(net));
    assert.equal(net.result.goodConnectivity, false);
    assert.ok(net.result.upload < net.threshold, JSON.stringify(net));
    assert.equal(typeof net.result.latencyMs, 'number');
    assertCaptureOrder(mode, events);
    assert.equal((await livenessResult(env.emulator.url, id)).body.livenessStatus, 'SUCCESS');
    await page.close();
  });

  test(`${mode}: unsupported-browser (page hint) is reported at parse time with the supported list`, async () => {
    const { page, events } = await capture(mode, { hint: 'unsupported-browser', scenario: 'unsupported-browser' });
    const envResult = await page.evaluate(() => window.envAtParse);
    assert.equal(envResult.envDetected.browser.isSupported, false);
    assert.equal(envResult.message, 'You seem to be using an unsupported browser.');
    const list = envResult.envDetected.browser.supportedList;
    assert.ok(list.length > 0 && list.every((b) => typeof b.name === 'string' && /^\d+$/.test(b.minimumVersion)));
    assert.ok(list.some((b) => b.name === 'Chrome'));
    assertCaptureOrder(mode, events);
    await page.close();
  });
}

test('without a hint the real Chromium is detected as supported and the network is good', async () => {
  const page = await env.open('/capture.html');
  const envResult = await page.evaluate(() => window.envAtParse);
  assert.deepEqual(envResult, {
    envDetected: {
      os: { isSupported: true, supportedList: [], isMobile: false },
      browser: { isSupported: true, supportedList: [] },
      message: '',
    },
    message: '',
  });
  const net = await page.evaluate(() => window.networkResult);
  assert.equal(net.result.goodConnectivity, true, JSON.stringify(net));
  assert.ok(net.result.upload >= 400 && net.result.latencyMs <= 500, JSON.stringify(net));
  await page.close();
});

test('a page hint selects the scenario when the session was created without one', async () => {
  const page = await env.open('/capture.html?emulator-scenario=spoof');
  const id = await createSession(env.emulator.url, 'LIVENESS_PASSIVE');
  const events = await page.evaluate((sid) => window.runCapture(sid, {}), id);
  assertCaptureOrder('LIVENESS_PASSIVE', events);
  const rest = await livenessResult(env.emulator.url, id);
  assert.equal(rest.body.livenessStatus, 'SPOOF');
  await page.close();
});

test('wspath without a leading slash (as in the vendor docs) works', async () => {
  const page = await env.open('/capture.html');
  const id = await createSession(env.emulator.url, 'LIVENESS_PASSIVE');
  const events = await page.evaluate((sid) => window.runCapture(sid, { wspath: 'video-server/engine.io' }), id);
  assertCaptureOrder('LIVENESS_PASSIVE', events);
  await page.close();
});

test('an unknown session id rejects init, then errorFn with code 400', async () => {
  const page = await env.open('/capture.html');
  const events = await page.evaluate(() => window.runCapture('no-such-session', {}));
  const names = events.map((e) => e.name);
  assert.deepEqual(names, ['initRejected', 'errorFn']);
  assert.equal(events[1].data.code, 400);
  await page.close();
});
