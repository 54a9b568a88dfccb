'use strict';
// The vendor's SimpleClient example, copied into a page on another origin, runs a full capture.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, artifact } = require('./helpers');

let env;
before(async () => { env = await setup(); });
after(async () => { if (env) await env.teardown(); });

test("the vendor's SimpleClient reaches showChallengeResult with a fake camera", async () => {
  const page = await env.browser.context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  const resultSeen = page.waitForEvent('console', {
    predicate: (m) => m.text() === 'got challenge result -> callBackend to fetch result',
    timeout: 30000,
  });
  await page.goto(`${env.pages.origin}/simple-client.html`);
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), true);
  // init() has resolved the client and shown the camera when the video has a stream.
  await page.waitForFunction(() => document.querySelector('#user-video').srcObject instanceof MediaStream);
  await page.click('#capture');
  await resultSeen;
  await page.screenshot({ path: artifact('simple-client.png') });

  const initEnd = logs.indexOf('Init ended. Remove loading for video');
  const pending = logs.indexOf('got challenge instruction TRACKER_CHALLENGE_PENDING');
  const result = logs.indexOf('got challenge result -> callBackend to fetch result');
  assert.ok(initEnd >= 0 && initEnd < pending && pending < result, logs.join('\n'));
  assert.ok(logs.some((l) => l.startsWith('tracking')), 'tracking was logged');
  assert.ok(!logs.some((l) => l.startsWith('got error')), 'no error');
  await page.close();
});
