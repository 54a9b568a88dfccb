// Browser tests of the built-in demo at /__emulator/demo: every liveness mode runs to its result
// with the stub SDK, shows the events, the best image and the REST result, and raises no finding.
// Run: cd tests/browser && node --test demo.test.mjs  (EMULATOR_BIN overrides the binary)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEmulator, launchBrowser, admin, ARTIFACTS } from './dashboard-helpers.mjs';

let browser;
let emu;
before(async () => {
  browser = await launchBrowser();
  emu = await startEmulator(['--time-scale', '0.3']);
});
after(async () => { await browser.close(); await emu.stop(); });

/**
 * Runs one capture in the demo and returns what the page shows.
 * @param {string} mode passive, passive-video or active
 * @param {string} scenario scenario name
 */
async function capture(mode, scenario) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${emu.url}/__emulator/demo?mode=${mode}&scenario=${scenario}&autostart=1`);
  await page.waitForSelector('#log li[data-kind="instruction"]', { timeout: 30000 });
  await page.screenshot({ path: join(ARTIFACTS, `demo-${mode}-${scenario}-capturing.png`) });
  await page.waitForSelector('#result:not(.hidden)', { timeout: 30000 });
  await page.waitForSelector('#start:not([disabled])'); // disconnected after the result
  const status = (await page.textContent('#result-status')).trim();
  const result = JSON.parse(await page.textContent('#result-json'));
  const imageShown = await page.isVisible('#best-image');
  const kinds = await page.$$eval('#log li', (l) => l.map((li) => li.getAttribute('data-kind')));
  const log = await page.textContent('#log');
  const sessionId = (await page.getAttribute('#session-link', 'href')).split('/sessions/')[1];
  await page.screenshot({ path: join(ARTIFACTS, `demo-${mode}-${scenario}.png`) });
  await page.close();
  return { status, result, imageShown, kinds, log, sessionId, errors };
}

for (const mode of ['passive', 'passive-video', 'active']) {
  test(`the demo completes the ${mode} capture and follows every integration rule`, async () => {
    const r = await capture(mode, 'success');
    assert.equal(r.status, 'SUCCESS');
    assert.equal(r.result.livenessStatus, 'SUCCESS');
    assert.ok(r.imageShown, 'the best image is shown');
    for (const k of ['init', 'tracking', 'instruction', 'result', 'rest']) assert.ok(r.kinds.includes(k), k);
    assert.match(r.log, /onClientInitEnd/);
    assert.match(r.log, /TRACKER_CHALLENGE_PENDING/);
    if (mode === 'active') assert.match(r.log, /FACEFLOW_CHALLENGE_2D/);
    assert.deepEqual(r.errors, []);
    const session = await admin(emu.url, 'GET', '/sessions/' + decodeURIComponent(r.sessionId));
    assert.equal(session.livenessMode, { passive: 'LIVENESS_PASSIVE', 'passive-video': 'LIVENESS_PASSIVE_VIDEO', active: 'LIVENESS_ACTIVE' }[mode]);
    assert.deepEqual(await admin(emu.url, 'GET', '/sessions/' + decodeURIComponent(r.sessionId) + '/findings'), []);
  });
}

test('the demo shows the spoof flow of the chosen scenario', async () => {
  const r = await capture('passive', 'spoof');
  assert.equal(r.status, 'SPOOF');
  assert.equal((await admin(emu.url, 'GET', '/sessions/' + decodeURIComponent(r.sessionId))).scenario, 'spoof');
});
