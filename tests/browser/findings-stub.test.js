'use strict';
// Integration findings that only the stub SDK in the page can observe (issue 6 §3): the camera
// preview shown before onClientInitEnd, and a mandatory callback missing from
// initFaceCaptureClient. Integrator pages of ours (pages/findings-stub.html, and the reduced
// vendor templates) on another origin run real captures; the tests read what the emulator
// recorded at GET /__emulator/sessions/{id}/findings.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup } = require('./helpers');

const VIDEO_RULE = 'video-before-client-init-end';
const CALLBACK_RULE = 'missing-callback-option';

let env;
before(async () => { env = await setup(); });
after(async () => { if (env) await env.teardown(); });

/** The findings the emulator recorded for a session. */
async function findings(id) {
  const res = await fetch(`${env.emulator.url}/__emulator/sessions/${encodeURIComponent(id)}/findings`);
  assert.equal(res.status, 200);
  return res.json();
}

/** Waits until the session has a finding of `rule` and returns it. */
async function findingOf(id, rule) {
  for (let i = 0; i < 100; i++) {
    const found = (await findings(id)).find((f) => f.rule === rule);
    if (found) return found;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.fail(`no ${rule} finding on ${id}: ${JSON.stringify(await findings(id))}`);
}

/** The session's findings of the two rules the stub reports (the reduced vendor templates also leak their key). */
async function stubFindings(id) {
  return (await findings(id)).filter((f) => f.rule === VIDEO_RULE || f.rule === CALLBACK_RULE);
}

/** Runs a capture on pages/findings-stub.html to its result; returns the page and the session id. */
async function capture(options) {
  const page = await env.open('/findings-stub.html');
  const id = await page.evaluate((o) => window.run(o), options);
  await page.waitForFunction(() => window.outcome !== null, null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => window.outcome), 'result');
  return { page, id };
}

test('a page that shows the camera preview before onClientInitEnd gets the finding, once, with a fix', async () => {
  const { page, id } = await capture({ reveal: 'beforeStart' });
  const list = await findings(id);
  assert.deepEqual(list.map((f) => f.rule), [VIDEO_RULE]);
  assert.match(list[0].detail, /<video id="user-video"> showed the camera stream \(640x360 px\) .*before the SDK called onClientInitEnd/);
  assert.match(list[0].fix, /until the SDK calls onClientInitEnd/);
  const transcript = await (await fetch(`${env.emulator.url}/__emulator/sessions/${id}`)).json();
  assert.equal(transcript.events.filter((e) => e.kind === 'finding').length, 1);
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('a page that attaches the stream to a visible <video> right before startCapture gets the finding, as the client still initialises', async () => {
  // At full speed, as a person would see it: onClientInitEnd comes about a second after
  // startCapture (the real client negotiates its video stream first), long enough for the preview
  // that the page showed with startCapture to play frames the user should not see yet.
  const real = await setup(['--time-scale', '1']);
  try {
    const page = await real.open('/findings-stub.html');
    const id = await page.evaluate(() => window.run({ reveal: 'atStart' }));
    await page.waitForFunction(() => window.outcome !== null, null, { timeout: 30000 });
    assert.equal(await page.evaluate(() => window.outcome), 'result');
    assert.equal(await page.evaluate(() => window.framesBeforeInitEnd), true, 'the preview played before onClientInitEnd');
    const res = await fetch(`${real.emulator.url}/__emulator/sessions/${encodeURIComponent(id)}/findings`);
    const list = await res.json();
    assert.deepEqual(list.map((f) => f.rule), [VIDEO_RULE]);
    assert.match(list[0].detail, /<video id="user-video"> showed the camera stream \(640x360 px\) .*before the SDK called onClientInitEnd/);
    await page.close();

    // The same page, waiting for onClientInitEnd before it shows the preview, gets none.
    const good = await real.open('/findings-stub.html');
    const goodId = await good.evaluate(() => window.run({ hide: 'display', reveal: 'initEnd' }));
    await good.waitForFunction(() => window.outcome !== null, null, { timeout: 30000 });
    assert.equal(await good.evaluate(() => window.previewShown()), true);
    const none = await (await fetch(`${real.emulator.url}/__emulator/sessions/${encodeURIComponent(goodId)}/findings`)).json();
    assert.deepEqual(none, []);
    await good.close();
  } finally {
    await real.teardown();
  }
});

test('a page that keeps the preview hidden until onClientInitEnd and then shows it gets no finding', async () => {
  for (const hide of ['display', 'visibility', 'opacity', 'loader']) {
    const { page, id } = await capture({ hide, reveal: 'initEnd' });
    assert.equal(await page.evaluate(() => window.framesBeforeInitEnd), true, `${hide}: the hidden preview already had frames`);
    assert.equal(await page.evaluate(() => window.previewShown()), true, `${hide}: the preview is shown after onClientInitEnd`);
    assert.deepEqual(await findings(id), [], `${hide}: no finding`);
    await page.close();
  }
});

test('a small badge over a playing preview does not hide it: the finding is raised', async () => {
  const { page, id } = await capture({ hide: 'badge', reveal: 'initEnd' });
  assert.equal(await page.evaluate(() => window.framesBeforeInitEnd), true);
  const found = await findingOf(id, VIDEO_RULE);
  assert.match(found.detail, /before the SDK called onClientInitEnd/);
  await page.close();
});

test('a page without onClientInitEnd that shows the preview before startCapture gets the finding', async () => {
  const callbacks = ['showChallengeInstruction', 'showChallengeResult', 'trackingFn', 'errorFn'];
  const { page, id } = await capture({ callbacks, reveal: 'beforeStart' });
  const list = await findings(id);
  assert.deepEqual(list.map((f) => f.rule), [VIDEO_RULE], 'onClientInitEnd itself is not reported missing');
  assert.match(list[0].detail, /before startCapture; the page passed no onClientInitEnd/);
  await page.close();
});

test('a page without onClientInitEnd that shows the preview as it starts the capture gets no finding', async () => {
  const callbacks = ['showChallengeInstruction', 'showChallengeResult', 'trackingFn', 'errorFn'];
  const { page, id } = await capture({ callbacks, reveal: 'atStart', mode: 'LIVENESS_ACTIVE' });
  assert.equal(await page.evaluate(() => window.previewShown()), true);
  assert.deepEqual(await findings(id), []);
  await page.close();
});

test("the vendor's active template (no onClientInitEnd, preview shown with startCapture) gets no finding", async () => {
  const page = await env.open('/sample-active.html');
  page.evaluate(() => { window.startActive(); });
  await page.waitForFunction(() => window.done === true, null, { timeout: 20000 });
  assert.deepEqual(await page.evaluate(() => window.visible().steps), ['#step-liveness-ok']);
  assert.deepEqual(await stubFindings(await page.evaluate(() => window.sessionId)), []);
  await page.close();
});

test("the vendor's passive template (preview shown during the countdown, before onClientInitEnd) gets the finding", async () => {
  const page = await env.open('/sample-passive.html');
  page.evaluate(() => { window.startPassive(); });
  await page.waitForFunction(() => window.done === true, null, { timeout: 20000 });
  const list = await stubFindings(await page.evaluate(() => window.sessionId));
  assert.deepEqual(list.map((f) => f.rule), [VIDEO_RULE]);
  assert.match(list[0].detail, /before the SDK called onClientInitEnd/);
  await page.close();
});

test('a page that leaves out mandatory callbacks gets one finding naming them', async () => {
  const page = await env.open('/findings-stub.html');
  const id = await page.evaluate(() => window.run({ callbacks: ['onClientInitEnd', 'errorFn', 'showChallengeInstruction'], hide: 'display' }));
  const found = await findingOf(id, CALLBACK_RULE);
  assert.match(found.detail, /initFaceCaptureClient was called without showChallengeResult, trackingFn$/);
  assert.match(found.fix, /onClientInitEnd/);
  // the capture itself goes on: the emulator finishes it although the page cannot see the result
  for (let i = 0; i < 100; i++) {
    const session = await (await fetch(`${env.emulator.url}/__emulator/sessions/${id}`)).json();
    if (session.events.some((e) => e.kind === 'result')) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.deepEqual((await findings(id)).map((f) => f.rule), [CALLBACK_RULE]);
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('a page that passes every mandatory callback gets no missing-callback finding', async () => {
  const { page, id } = await capture({ hide: 'display', reveal: 'initEnd' });
  assert.ok(!(await findings(id)).some((f) => f.rule === CALLBACK_RULE));
  await page.close();
});
