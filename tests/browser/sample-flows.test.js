'use strict';
// The vendor sample app's three templates (passive, passive-video, active), reduced to their
// browser behaviour (integration-contract §5.2–§5.4, §5.11) in pages of ours on another origin:
// the same call sequences, the same screens. The tests assert what the page shows, in order, and
// keep screenshots of the key moments in tests/browser/artifacts/.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, artifact } = require('./helpers');

let env;
before(async () => { env = await setup(); });
after(async () => { if (env) await env.teardown(); });

const START = { passive: 'startPassive', 'passive-video': 'startPassiveVideo', active: 'startActive' };

/** Opens a template page (query: hint, hold) and starts its capture without waiting for it. */
async function open(template, query = '') {
  const page = await env.open(`/sample-${template}.html${query}`);
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), true, 'the page is cross-origin isolated');
  page.evaluate((fn) => { window[fn](); }, START[template]);
  return page;
}

/** Waits until the page stopped at `name` (see `?hold=` in sample-common.js). */
async function heldAt(page, name) {
  await page.waitForFunction((n) => window.heldAt === n, name, { timeout: 20000 });
}

/** Waits for the end of the flow (result or error screen drawn). */
async function finished(page) {
  await page.waitForFunction(() => window.done === true, null, { timeout: 20000 });
}

const names = (log) => log.map((c) => c.name);
const snapshot = (page) => page.evaluate(() => ({ screens: window.screenLog, callbacks: window.callbackLog, visible: window.visible() }));

/** Asserts `items` appear in `list` in this order (other entries may sit between). */
function assertInOrder(list, items) {
  let at = -1;
  for (const item of items) {
    const next = list.indexOf(item, at + 1);
    assert.ok(next > at, `"${item}" after position ${at} in:\n${list.join('\n')}`);
    at = next;
  }
}

/** The best image the success screen shows: background set from a blob, the tick kept. */
async function bestImage(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return {
      background: el.style.backgroundImage,
      size: el.style.backgroundSize,
      tick: !!el.querySelector('img.tick'),
      ring: !!el.querySelector('svg.wbs-best-image-oval ellipse'),
      width: el.clientWidth,
    };
  }, selector);
}

test('passive: countdown, startCapture, upload screens in order, then the best image on the success step', async () => {
  const page = await open('passive', '?hold=pending');
  await heldAt(page, 'pending');
  const atPending = await snapshot(page);
  assert.deepEqual(atPending.visible, { steps: ['#step-liveness'], overlays: ['#uploading-results'] });
  await page.screenshot({ path: artifact('sample-passive-uploading.png') });
  await page.evaluate(() => window.release());
  await finished(page);

  const { screens, callbacks, visible } = await snapshot(page);
  const calls = names(callbacks);
  assert.ok(calls.indexOf('downloadProgress') >= 0 && calls.indexOf('downloadProgress') < calls.indexOf('initResolved'));
  assertInOrder(calls, ['initResolved', 'startCapture', 'clientInitEnd', 'tracking', 'instruction', 'instruction', 'uploadProgress', 'result']);
  assert.deepEqual(callbacks.find((c) => c.name === 'clientInitEnd').data, { afterStartCapture: true });
  assert.deepEqual(callbacks.filter((c) => c.name === 'instruction').map((c) => c.data), ['TRACKER_CHALLENGE_DONT_MOVE', 'TRACKER_CHALLENGE_PENDING']);
  const uploads = callbacks.filter((c) => c.name === 'uploadProgress').map((c) => c.data);
  assert.equal(uploads[uploads.length - 1], 1);
  assertInOrder(screens, ['step #step-liveness', 'overlay #loading-initialized', 'overlay #count-down-txt-id',
    'overlay #uploading-results', 'overlay #loading-results', 'step #step-liveness-ok']);
  assert.deepEqual(visible.steps, ['#step-liveness-ok']);

  const result = callbacks.find((c) => c.name === 'result').data;
  assert.ok(result.bestImageInfo && result.bestImageInfo.boxW > 0, JSON.stringify(result));
  const img = await bestImage(page, '.best-image');
  assert.match(img.background, /^url\("blob:/);
  assert.match(img.size, /^\d+px \d+px$/, 'scaled to centre the face box');
  assert.equal(img.tick, true, 'the success tick inside the target is kept');
  await page.screenshot({ path: artifact('sample-passive-result.png') });
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('passive-video: init on socket-init, oval after onClientInitEnd follows tracking, oval best image at the end', async () => {
  const page = await open('passive-video', '?hold=scanning');
  await heldAt(page, 'scanning');
  const atScan = await snapshot(page);
  assert.deepEqual(atScan.visible, { steps: ['#step-liveness'], overlays: ['#scan-animation'] });
  const oval = await page.evaluate(() => ({
    overlay: !!document.querySelector('#wbs-video-wrapper #wbs-passive-video-overlay'),
    border: document.querySelector('#wbs-oval-border') && document.querySelector('#wbs-oval-border').getAttribute('data-state'),
    animated: !!document.querySelector('#wbs-oval-animated animate'),
    cross: !document.querySelector('#stop-capture').classList.contains('d-none'),
    videoFound: !!document.querySelector('#user-video'),
    loader: document.querySelector('#downloading-loader').textContent,
  }));
  assert.deepEqual(oval, { overlay: true, border: 'scanning', animated: true, cross: true, videoFound: true, loader: oval.loader });
  assert.match(oval.loader, /^\d+%$/, 'download progress was shown on #socket-init');
  await page.screenshot({ path: artifact('sample-passive-video-oval.png') });
  await page.evaluate(() => window.release());
  await finished(page);

  const { screens, callbacks, visible } = await snapshot(page);
  const calls = names(callbacks);
  assert.equal(screens[0], 'step #socket-init');
  assert.ok(calls.indexOf('downloadProgress') < calls.indexOf('initResolved'), 'downloadProgress while on #socket-init');
  assertInOrder(calls, ['initResolved', 'startCapture', 'clientInitEnd', 'tracking', 'instruction', 'instruction', 'uploadProgress', 'result']);
  assert.deepEqual(callbacks.find((c) => c.name === 'clientInitEnd').data, { afterStartCapture: true });
  assertInOrder(screens, ['step #socket-init', 'step #step-liveness', 'overlay #loading-initialized', 'overlay #center-head-animation',
    'overlay #scan-animation', 'overlay #uploading-results', 'overlay #loading-results', 'step #step-liveness-ok']);
  const states = await page.evaluate(() => window.ovalStates);
  assert.ok(states.includes('scanning') && states.some((s) => s !== 'scanning'), `the oval followed the face: ${[...new Set(states)]}`);
  assert.deepEqual(visible.steps, ['#step-liveness-ok']);

  const img = await bestImage(page, '#best-image');
  assert.match(img.background, /^url\("blob:/);
  assert.equal(img.ring, true, 'the oval ring is drawn over the best image');
  assert.equal(img.tick, true);
  await page.screenshot({ path: artifact('sample-passive-video-result.png') });
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

test('active: join-the-dots with numberOfChallenge points and a moving controlled point, reset at PENDING', async () => {
  const page = await open('active', '?hold=challenge-1');
  await heldAt(page, 'challenge-1');
  const atTarget2 = await snapshot(page);
  assert.deepEqual(atTarget2.visible, { steps: ['#step-liveness'], overlays: ['#positive-message'] });
  const svg = await page.evaluate(() => ({
    circles: document.querySelectorAll('#wbs-graphics-overlay .wbs-point circle').length,
    labels: [...document.querySelectorAll('#wbs-graphics-overlay .wbs-point text')].map((t) => t.textContent),
    doneLines: document.querySelectorAll('#wbs-graphics-overlay .wbs-line-done').length,
    targetLine: document.querySelectorAll('#wbs-graphics-overlay .wbs-line-target').length,
    controlled: !!document.querySelector('#wbs-graphics-overlay #wbs-controlled-point'),
    tooltip: document.querySelector('#wbs-tooltip').textContent,
    videoWrapped: document.querySelector('#user-video').parentElement.id,
  }));
  assert.deepEqual(svg, { circles: 2, labels: ['1', '2'], doneLines: 1, targetLine: 1, controlled: true,
    tooltip: 'Move the line with your head to this point', videoWrapped: 'wbs-video-wrapper' });
  // On screen (the page mirrors its selfie video, and the overlay with it): the target point is
  // where the video shows it, the tooltip sits by it, and neither numbers nor tooltip read mirrored.
  const onScreen = await page.evaluate(() => {
    const target = document.querySelector('#wbs-graphics-overlay .wbs-point-target circle').getBoundingClientRect();
    const tip = document.querySelector('#wbs-tooltip');
    const tipBox = tip.getBoundingClientRect();
    const layer = new DOMMatrix(getComputedStyle(document.querySelector('#wbs-graphics-wrapper')).transform);
    const tipNet = layer.multiply(new DOMMatrix(getComputedStyle(tip).transform));
    const labels = [...document.querySelectorAll('#wbs-graphics-overlay .wbs-point text')].map((t) => t.getScreenCTM().a);
    const video = document.querySelector('.video-block').getBoundingClientRect();
    const r = (b) => ({ left: b.left, right: b.right, top: b.top, bottom: b.bottom });
    return {
      videoMirrored: layer.a < 0,
      target: r(target),
      tip: r(tipBox),
      video: r(video),
      tipReadable: tipNet.a > 0,
      labelsReadable: labels.every((a) => a > 0),
    };
  });
  const { target, tip, video } = onScreen;
  const targetX = (target.left + target.right) / 2;
  const why = JSON.stringify(onScreen);
  assert.equal(onScreen.videoMirrored, true);
  assert.ok(tip.left <= targetX && targetX <= tip.right, `the tooltip is over or under the target: ${why}`);
  const gapAbove = target.top - tip.bottom;
  const gapBelow = tip.top - target.bottom;
  assert.ok((gapAbove >= -1 && gapAbove < 20) || (gapBelow >= -1 && gapBelow < 20), `the tooltip touches the target: ${why}`);
  assert.ok(tip.left >= video.left - 1 && tip.right <= video.right + 1 && tip.top >= video.top - 1 && tip.bottom <= video.bottom + 1,
    `the tooltip is inside the video: ${why}`);
  assert.equal(onScreen.tipReadable, true, 'the tooltip text is not mirrored');
  assert.equal(onScreen.labelsReadable, true, 'the point numbers are not mirrored');
  await page.screenshot({ path: artifact('sample-active-challenge.png') });
  await page.evaluate(() => window.release());
  await finished(page);

  const { screens, callbacks, visible } = await snapshot(page);
  const calls = names(callbacks);
  assert.ok(!calls.includes('clientInitEnd'), 'no onClientInitEnd option, none called');
  assert.deepEqual(callbacks.filter((c) => c.name === 'instruction').map((c) => c.data), ['FACEFLOW_CHALLENGE_2D', 'TRACKER_CHALLENGE_PENDING']);
  assertInOrder(screens, ['step #step-liveness', 'overlay #loading-initialized', 'overlay #loading-challenge',
    'overlay #positive-message', 'overlay #authentication-in-progress', 'step #step-liveness-ok']);
  assert.deepEqual(visible.steps, ['#step-liveness-ok']);

  const drawings = await page.evaluate(() => window.drawings);
  assert.ok(drawings.length > 2, `${drawings.length} challenge frames drawn`);
  assert.ok(drawings.every((d) => d.circlesSent === 2), 'numberOfChallenge (2) circles sent');
  assert.equal(Math.max(...drawings.map((d) => d.points)), 2, 'as many points drawn as challenges');
  assert.ok(drawings.filter((d) => d.index === 1).every((d) => d.done === 1 && d.points === 2));
  const positions = new Set(drawings.map((d) => `${d.cp.x},${d.cp.y}`));
  assert.ok(positions.size > 2, `the controlled point moved (${positions.size} positions)`);
  assert.ok(drawings.some((d) => d.tooltip === 'Move the line with your head to this point'));
  const cleared = await page.evaluate(() => document.querySelector('#wbs-graphics-overlay').childElementCount);
  assert.equal(cleared, 0, 'resetLivenessActiveGraphics at PENDING cleared the overlay');

  const img = await bestImage(page, '.best-image');
  assert.match(img.background, /^url\("blob:/);
  assert.equal(img.tick, true);
  await page.screenshot({ path: artifact('sample-active-result.png') });
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

for (const template of ['passive', 'passive-video', 'active']) {
  test(`${template}: lockout at init rejects first, errorFn 429 next, the page ends on fp-block with a countdown`, async () => {
    const page = await open(template, '?emulator-scenario=lockout');
    await finished(page);
    const { screens, callbacks, visible } = await snapshot(page);
    assert.deepEqual(names(callbacks).filter((n) => n !== 'downloadProgress'), ['initRejected', 'errorFn']);
    const error = callbacks.find((c) => c.name === 'errorFn').data;
    assert.equal(error.code, 429);
    assert.deepEqual(visible.steps, ['#step-liveness-fp-block'], screens.join(', '));
    const failure = template === 'passive-video' ? 'step #step-liveness-failed' : 'step #step-liveness-ko';
    assertInOrder(screens, [failure, 'step #step-liveness-fp-block']);

    const shown = await page.evaluate(() => ({
      countdown: document.querySelector('.fp-countdown').textContent,
      retryHidden: document.querySelector('.retry-fp').classList.contains('d-none'),
      now: Date.now(),
    }));
    const left = Math.floor((new Date(error.unlockDateTime).getTime() - shown.now) / 1000);
    assert.ok(left > 60, `unlockDateTime ${error.unlockDateTime} is the scenario's 90 s away`);
    const expected = [left - 1, left, left + 1].map((s) => `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`);
    assert.ok(expected.includes(shown.countdown), `countdown "${shown.countdown}" counts down to unlockDateTime (${expected})`);
    assert.equal(shown.retryHidden, true, 'no retry button before the countdown ends');
    await page.screenshot({ path: artifact(`sample-${template}-fp-block.png`) });
    await page.close();
  });

  test(`${template}: server-overloaded at init ends on the server-overloaded step`, async () => {
    const page = await open(template, '?emulator-scenario=server-overloaded');
    await finished(page);
    const { callbacks, visible } = await snapshot(page);
    assert.deepEqual(names(callbacks).filter((n) => n !== 'downloadProgress'), ['initRejected', 'errorFn']);
    assert.equal(callbacks.find((c) => c.name === 'errorFn').data.code, 503);
    assert.deepEqual(visible.steps, ['#step-server-overloaded']);
    await page.close();
  });
}
