'use strict';
// The vendor sample app's three templates (passive, passive-video, active), reduced to their
// browser behaviour (integration-contract §5.2–§5.4, §5.11) in pages of ours on another origin:
// the same call sequences, the same screens. The tests assert what the page shows, in order, and
// keep screenshots of the key moments in tests/browser/artifacts/. The failure screens follow the
// vendor's public sample (idemia/WebCaptureSDK, commons.js and the templates' index.js/index.html):
// its back end maps core's livenessStatus to a message, and each template branches on that message.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, artifact, livenessResult } = require('./helpers');

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

/**
 * The best image as the success or age screen renders it: the container's box, the face centre
 * (from the background's size and position and the result's bestImageInfo), the tick's box, the
 * heading's box, and pixels of a screenshot of the container decoded by the browser itself
 * (share of pixels unlike the page's background, number of distinct colours).
 */
async function renderedBestImage(page, selector, info) {
  const layout = await page.evaluate(([sel, i]) => {
    const el = document.querySelector(sel);
    const r = el.getBoundingClientRect();
    const [sw, sh] = el.style.backgroundSize.split(' ').map(parseFloat);
    const [px, py] = el.style.backgroundPosition.split(' ').map(parseFloat);
    const scale = sw / i.w;
    const tick = el.querySelector('img');
    const t = tick.getBoundingClientRect();
    const heading = [...el.closest('.step').querySelectorAll('h2')].find((h) => !h.classList.contains('d-none')).getBoundingClientRect();
    return {
      background: el.style.backgroundImage,
      box: { x: r.x, y: r.y, width: r.width, height: r.height },
      centre: { x: r.x + r.width / 2, y: r.y + r.height / 2 },
      face: { x: r.x + px + (i.boxX + i.boxW / 2) * scale, y: r.y + py + (i.boxY + i.boxH / 2) * scale, height: i.boxH * scale },
      imageCovers: sw >= r.width - 1 && sh >= r.height - 1 && px <= 0 && py <= 0,
      tick: { x: t.x - r.x, y: t.y - r.y, width: t.width, visible: t.width > 0 && getComputedStyle(tick).position === 'absolute' },
      tickInside: el.contains(tick),
      headingBottom: heading.bottom,
      ring: !!el.querySelector('svg.wbs-best-image-oval ellipse'),
      scroll: { x: window.scrollX, y: window.scrollY },
    };
  }, [selector, info]);
  assert.ok(layout.box.width > 0 && layout.box.height > 0, `${selector} has a box of its own: ${JSON.stringify(layout.box)}`);
  // A clip of the page (a locator screenshot waits for animation frames the held video page may not give).
  const png = await page.screenshot({ fullPage: true, clip: { x: layout.box.x + layout.scroll.x, y: layout.box.y + layout.scroll.y, width: layout.box.width, height: layout.box.height } });
  layout.pixels = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let unlike = 0;
    const colours = new Set();
    for (let k = 0; k < d.length; k += 4) {
      // the page background is #f4f4f8
      if (Math.abs(d[k] - 0xf4) + Math.abs(d[k + 1] - 0xf4) + Math.abs(d[k + 2] - 0xf8) > 30) unlike++;
      colours.add((d[k] >> 3) + ',' + (d[k + 1] >> 3) + ',' + (d[k + 2] >> 3));
    }
    return { width: c.width, height: c.height, unlikeBackground: unlike / (d.length / 4), colours: colours.size };
  }, png.toString('base64'));
  return layout;
}

/** Asserts the best image is seen: a real box, the face centred at a sensible size, photo pixels, the tick at the corner, under the heading. */
function assertBestImageVisible(img, what) {
  assert.match(img.background, /^url\("blob:/, what);
  assert.ok(img.box.width >= 150 && img.box.width <= 400 && img.box.height >= 150 && img.box.height <= 400, `${what}: a sensible size ${JSON.stringify(img.box)}`);
  assert.ok(Math.abs(img.face.x - img.centre.x) <= 2 && Math.abs(img.face.y - img.centre.y) <= 2, `${what}: face centred ${JSON.stringify([img.face, img.centre])}`);
  assert.ok(img.face.height >= img.box.height * 0.4, `${what}: the face fills the box ${img.face.height}`);
  assert.ok(img.imageCovers, `${what}: the image covers the box`);
  assert.ok(img.pixels.width >= 150 && img.pixels.unlikeBackground > 0.6 && img.pixels.colours > 50, `${what}: the photo is painted ${JSON.stringify(img.pixels)}`);
  assert.ok(img.tickInside && img.tick.visible, `${what}: the tick is kept`);
  assert.deepEqual([img.tick.x, img.tick.y], [-20, -5], `${what}: the tick sits at the container's corner as the sample's CSS places it`);
  assert.ok(img.box.y + img.tick.y >= img.headingBottom, `${what}: nothing overlaps the heading`);
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
  assertBestImageVisible(await renderedBestImage(page, '.best-image', result.bestImageInfo), 'passive');
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

  const img = await renderedBestImage(page, '#best-image', callbacks.find((c) => c.name === 'result').data.bestImageInfo);
  assertBestImageVisible(img, 'passive-video');
  assert.equal(img.ring, true, 'the oval ring is drawn over the best image');
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

  assertBestImageVisible(await renderedBestImage(page, '.best-image', callbacks.find((c) => c.name === 'result').data.bestImageInfo), 'active');
  await page.screenshot({ path: artifact('sample-active-result.png') });
  assert.deepEqual(page.consoleErrors, []);
  await page.close();
});

for (const [threshold, above] of [[18, true], [40, false]]) {
  test(`passive-video age estimation (threshold ${threshold}): the best image in its ${above ? 'white' : 'red'} oval, the ${above ? 'tick' : 'cross'} at its corner`, async () => {
    const page = await open('passive-video', `?ageThreshold=${threshold}`);
    await finished(page);
    const { callbacks, visible } = await snapshot(page);
    assert.deepEqual(visible.steps, ['#step-age-estimation']);
    const img = await renderedBestImage(page, '#best-image-age', callbacks.find((c) => c.name === 'result').data.bestImageInfo);
    assertBestImageVisible(img, `age ${threshold}`);
    const oval = await page.evaluate(() => document.querySelector('#best-image-age svg.wbs-best-image-oval ellipse').getAttribute('stroke'));
    assert.equal(oval, above ? '#FFFFFF' : '#AC1B20');
    await page.screenshot({ path: artifact(`sample-passive-video-age-${above ? 'above' : 'below'}.png`) });
    assert.deepEqual(page.consoleErrors, []);
    await page.close();
  });
}

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

/**
 * What a failure step shows: is it the only step displayed, its rendered box, its text as a person
 * reads it, and whether its "try again" / "restart demo" button is on screen.
 */
async function shownStep(page, id) {
  return page.evaluate((sel) => {
    const step = document.querySelector(sel);
    const box = step.getBoundingClientRect();
    const button = [...step.querySelectorAll('button')].find((b) => b.checkVisibility());
    const icon = step.querySelector('img.failure');
    const art = step.querySelector('img.tips-animation');
    return {
      displayed: step.checkVisibility() && box.width > 0 && box.height > 0,
      text: step.innerText.replace(/\s+/g, ' ').trim(),
      button: button ? button.innerText.trim() : null,
      icon: icon ? icon.checkVisibility() && icon.complete && icon.naturalWidth > 0 : null,
      illustration: art ? art.checkVisibility() && art.complete && art.naturalWidth > 0 : null,
    };
  }, id);
}

/** Waits until the step's button is on screen (the passive and active timeout footer appears after 2 s). */
async function buttonShown(page, id) {
  await page.waitForFunction((sel) => [...document.querySelectorAll(sel + ' button')].some((b) => b.checkVisibility()), id, { timeout: 10000 });
}

/** What the vendor sample shows on each failure step, per template (its index.html texts). */
const TIMEOUT_TEXT = {
  passive: 'It looks like you’re having a bit of trouble. Here are some tips:',
  active: 'It looks like you’re having a bit of trouble. Here are some tips:',
  'passive-video': 'Oops! There were a few issues',
};

for (const template of ['passive', 'passive-video', 'active']) {
  test(`${template}: capture-timeout ends on the sample's timeout screen, after showChallengeResult, the back end saying "Timeout has expired" from core's TIMEOUT`, async () => {
    const page = await open(template, '?emulator-scenario=capture-timeout');
    await finished(page);
    const { callbacks, visible } = await snapshot(page);
    const calls = names(callbacks);
    assert.ok(!calls.includes('errorFn'), calls.join(', '));
    assertInOrder(calls, ['startCapture', 'instruction', 'result', 'backendResult']);
    const answer = callbacks.find((c) => c.name === 'backendResult').data;
    assert.equal(answer.isLivenessSucceeded, false);
    assert.equal(answer.message, 'Timeout has expired');
    const core = await livenessResult(env.emulator.url, await page.evaluate(() => window.sessionId));
    assert.equal(core.body.livenessStatus, 'TIMEOUT', JSON.stringify(core));

    assert.deepEqual(visible.steps, ['#step-liveness-timeout']);
    await buttonShown(page, '#step-liveness-timeout');
    const shown = await shownStep(page, '#step-liveness-timeout');
    assert.equal(shown.displayed, true);
    assert.ok(shown.text.startsWith(TIMEOUT_TEXT[template]), shown.text);
    const tip = { passive: /center your face/, active: /Connect the line with point #1/, 'passive-video': /Hold your device still and at eye level\./ }[template];
    assert.match(shown.text, tip);
    assert.equal(shown.illustration, template === 'passive-video' ? null : true, 'the tips illustration is painted');
    assert.equal(shown.button, template === 'passive-video' ? 'Try again' : 'try again');
    await page.screenshot({ path: artifact(`sample-${template}-timeout.png`) });
    assert.deepEqual(page.consoleErrors, []);
    await page.close();
  });

  test(`${template}: spoof ends on the sample's "Liveness failed" path after showChallengeResult, with core saying SPOOF`, async () => {
    const page = await open(template, '?emulator-scenario=spoof');
    await finished(page);
    const { callbacks, visible } = await snapshot(page);
    const calls = names(callbacks);
    assert.ok(!calls.includes('errorFn'), calls.join(', '));
    assertInOrder(calls, ['startCapture', 'result', 'backendResult']);
    const answer = callbacks.find((c) => c.name === 'backendResult').data;
    assert.deepEqual([answer.isLivenessSucceeded, answer.message], [false, 'Liveness failed']);
    const core = await livenessResult(env.emulator.url, await page.evaluate(() => window.sessionId));
    assert.equal(core.body.livenessStatus, 'SPOOF', JSON.stringify(core));

    // passive and active handle "Liveness failed" like a timeout (commons.js); passive-video has
    // its own SPOOF step, with the same wording as its timeout step.
    const step = template === 'passive-video' ? '#step-liveness-ko' : '#step-liveness-timeout';
    assert.deepEqual(visible.steps, [step]);
    await buttonShown(page, step);
    const shown = await shownStep(page, step);
    assert.equal(shown.displayed, true);
    assert.ok(shown.text.startsWith(TIMEOUT_TEXT[template]), shown.text);
    if (template === 'passive-video') assert.equal(shown.icon, true, 'the warning icon is painted');
    await page.screenshot({ path: artifact(`sample-${template}-spoof.png`) });
    assert.deepEqual(page.consoleErrors, []);
    await page.close();
  });

  test(`${template}: no-face-timeout ends on the sample's generic error path through errorFn 1301, without asking for a result`, async () => {
    const page = await open(template, '?emulator-scenario=no-face-timeout');
    await finished(page);
    const { callbacks, visible } = await snapshot(page);
    const calls = names(callbacks);
    assert.ok(!calls.includes('result') && !calls.includes('backendResult'), calls.join(', '));
    assertInOrder(calls, ['startCapture', 'tracking', 'errorFn']);
    assert.equal(callbacks.find((c) => c.name === 'errorFn').data.code, 1301);

    const step = template === 'passive-video' ? '#step-liveness-failed' : '#step-liveness-ko';
    assert.deepEqual(visible.steps, [step]);
    const shown = await shownStep(page, step);
    assert.equal(shown.displayed, true);
    assert.equal(shown.icon, true, 'the warning icon is painted');
    if (template === 'passive-video') {
      assert.equal(shown.text, 'Something went wrong Please restart your liveness by clicking Try again. Try again');
    } else {
      assert.equal(shown.text, 'Liveness failed restart demo');
      assert.equal(shown.button, 'restart demo');
    }
    await page.screenshot({ path: artifact(`sample-${template}-no-face.png`) });
    assert.deepEqual(page.consoleErrors, []);
    await page.close();
  });
}
