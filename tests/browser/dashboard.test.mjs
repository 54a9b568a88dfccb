// Browser tests of the dashboard at /__emulator/: catalogue errors, choosing scenarios, live
// sessions and timelines, playback controls, and findings shown for an integrator's own page.
// Run: cd tests/browser && node --test dashboard.test.mjs  (EMULATOR_BIN overrides the binary)
// The pause/step/inject and black-screen tests need the channel runner to consult
// `SessionControl::gate()` and call `findings::on_channel_closed` (wired by the lead after merging).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { startEmulator, launchBrowser, admin, initSession, ARTIFACTS } from './dashboard-helpers.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser.close(); });

/** A fresh emulator and a dashboard page on it. */
async function setup(args = []) {
  const emu = await startEmulator(args);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(emu.url + '/__emulator/');
  await page.waitForSelector('#live.on');
  return { emu, context, page, done: async () => { await context.close(); await emu.stop(); } };
}

test('the catalogue shows an invalid file\'s error, with file, line and column, after a bad save', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-scenarios-'));
  writeFileSync(join(dir, 'mine.json'), JSON.stringify({ description: 'my own scenario' }));
  const { emu, page, done } = await setup(['--scenarios', dir, '--watch-poll', '100']);
  try {
    await page.waitForSelector('.scenario[data-name="mine"]:not(.invalid)');
    writeFileSync(join(dir, 'mine.json'), '{\n  "description": "oops",\n  "result": {"livenessStatus": "MAYBE"}\n}\n');
    const error = await page.waitForSelector('.scenario.invalid[data-name="mine"] .error', { timeout: 10000 });
    const text = await error.textContent();
    assert.match(text, /mine\.json:3:\d+/, text);
    assert.match(text, /MAYBE/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-invalid-scenario.png'), fullPage: true });
  } finally { await done(); }
});

test('the catalogue lists every problem of an invalid file and the folder problems, each in words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dash-problems-'));
  writeFileSync(join(dir, 'too-young.json'),
    '{\n  "descripton": "age rejected",\n  "result": {"age": {"aboveThreshold": false}, "livenessStatus": "SUCESS"}\n}\n');
  mkdirSync(join(dir, 'drafts.json'));
  symlinkSync(join(dir, 'loop-b.json'), join(dir, 'loop-a.json'));
  symlinkSync(join(dir, 'loop-a.json'), join(dir, 'loop-b.json'));
  const { page, done } = await setup(['--scenarios', dir, '--watch-poll', '100']);
  try {
    const card = await page.waitForSelector('.scenario.invalid[data-name="too-young"] .error', { timeout: 10000 });
    const items = await card.$$eval('li', (lis) => lis.map((li) => li.textContent));
    assert.equal(items.length, 3, items.join('\n'));
    assert.match(items[0], /too-young\.json:2:3: unknown field `descripton` at the top level\. Did you mean `description`\?/);
    assert.match(items[1], /too-young\.json:3:14: result\.age: expected a number, found an object\./);
    assert.match(items[2], /Did you mean "SUCCESS"\?/);
    assert.match(await card.textContent(), /This file does not load \(selecting it is refused\)/);
    assert.equal(await page.isDisabled('.scenario[data-name="too-young"] .set-default'), true);
    const folder = await page.textContent('.scenario.invalid[data-name="drafts"] .error');
    assert.match(folder, /this is a folder, not a file/);
    assert.match(await page.textContent('.scenario.invalid[data-name="loop-a"] .error'), /this symbolic link loops/);
    await page.waitForSelector('.scenario[data-name="no-face-timeout"] .alias:has-text("also: timeout")');
    const shot = process.env.SCREENSHOT_DIR;
    if (shot) {
      mkdirSync(shot, { recursive: true });
      const box = await (await page.$('#catalogue')).boundingBox();
      await page.screenshot({
        path: join(shot, 'i15-authoring-catalogue-problems.png'),
        fullPage: true,
        clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 1250) }
      });
    }
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-catalogue-problems.png'), fullPage: true });
  } finally { await done(); }
});

test('queueing a scenario and setting the default decide the next sessions', async () => {
  const { emu, page, done } = await setup();
  try {
    await page.click('.scenario[data-name="spoof"] .queue-next');
    await page.waitForSelector('#queue .chip:has-text("spoof")');
    await page.click('.scenario[data-name="no-face-timeout"] .set-default');
    await page.waitForSelector('#default-scenario:has-text("no-face-timeout")');
    const first = await initSession(emu.url);
    const second = await initSession(emu.url);
    assert.equal((await admin(emu.url, 'GET', '/sessions/' + first)).scenario, 'spoof');
    assert.equal((await admin(emu.url, 'GET', '/sessions/' + second)).scenario, 'no-face-timeout');
    // Both appear without a reload, and the queue display empties.
    await page.waitForSelector(`#sessions tr[data-id="${first}"]:has-text("spoof")`);
    await page.waitForSelector(`#sessions tr[data-id="${second}"]:has-text("no-face-timeout")`);
    await page.waitForSelector('#queue:has-text("empty")');
    await page.click('.scenario[data-name="success"] .queue-next');
    await page.waitForSelector('#queue .chip:has-text("success")');
    await page.click('#clear-queue');
    await page.waitForSelector('#queue:has-text("empty")');
    assert.deepEqual((await admin(emu.url, 'GET', '/queue')).scenarios, []);
  } finally { await done(); }
});

test('lockout is off until toggled on; then a failed capture locks the browser, listed with a one-click clear', async () => {
  const { emu, context, page, done } = await setup(['--time-scale', '0', '--lockout-attempts', '1']);
  try {
    await page.waitForSelector('#lockouts #lockout-enabled');
    assert.equal(await page.isChecked('#lockout-enabled'), false, 'off by default');
    assert.match(await page.textContent('#lockouts'), /Lock a client out after 1 failed capture in 300 s/);
    await page.check('#lockout-enabled');
    await page.waitForFunction(async () => (await (await fetch('/__emulator/lockouts')).json()).enabled === true);
    const demo = await context.newPage();
    await demo.goto(emu.url + '/__emulator/demo?mode=active&scenario=spoof&autostart=1');
    const chip = await page.waitForSelector('#locked .chip.locked', { timeout: 20000 });
    assert.match(await chip.textContent(), /HeadlessChrome.* · until /);
    assert.equal((await admin(emu.url, 'GET', '/lockouts')).locked.length, 1);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-lockouts.png'), fullPage: false });
    await page.click('#clear-lockouts');
    await page.waitForSelector('#locked:has-text("none")');
    const after = await admin(emu.url, 'GET', '/lockouts');
    assert.deepEqual([after.enabled, after.locked], [true, []]);
  } finally { await done(); }
});

test('a running capture appears live and its timeline fills', async () => {
  const { emu, context, page, done } = await setup(['--time-scale', '0.5']);
  try {
    const demo = await context.newPage();
    await demo.goto(emu.url + '/__emulator/demo?mode=active&scenario=success&autostart=1');
    await page.waitForSelector('#sessions tbody tr', { timeout: 10000 });
    await page.click('#sessions tbody tr');
    await page.waitForSelector('#timeline li[data-kind="result"]', { timeout: 30000 });
    const kinds = await page.$$eval('#timeline li', (lis) => lis.map((li) => li.getAttribute('data-kind')));
    for (const k of ['state', 'rest', 'send', 'receive', 'result']) assert.ok(kinds.includes(k), k + ' in ' + kinds);
    // Filter by kind, then search.
    await page.click('.kind-toggle[data-kind="send"]');
    assert.equal(await page.$$eval('#timeline li[data-kind="send"]', (l) => l.length), 0);
    await page.click('.kind-toggle[data-kind="send"]');
    await page.fill('#timeline-search', 'FACEFLOW_CHALLENGE_2D');
    const hits = await page.$$eval('#timeline li .summary', (l) => l.map((x) => x.textContent));
    assert.ok(hits.length >= 1 && hits.every((t) => t.includes('FACEFLOW_CHALLENGE_2D')), JSON.stringify(hits));
    await page.fill('#timeline-search', '');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-session-timeline.png'), fullPage: false });
    const href = await page.getAttribute('#export-session', 'href');
    const jsonl = await (await fetch(emu.url + href)).text();
    assert.ok(jsonl.trim().split('\n').every((l) => JSON.parse(l).kind), 'one JSON event a line');
  } finally { await done(); }
});

test('pause, step and inject drive a live capture from the session page', async () => {
  const { emu, context, page, done } = await setup(['--time-scale', '1']);
  try {
    const demo = await context.newPage();
    await demo.goto(emu.url + '/__emulator/demo?mode=active&scenario=success&autostart=1');
    const row = await page.waitForSelector('#sessions tbody tr', { timeout: 10000 });
    const id = await row.getAttribute('data-id');
    await page.goto(emu.url + '/__emulator/#/sessions/' + id);
    await page.waitForSelector('#session-head .badge:has-text("CAPTURING")', { timeout: 10000 });
    await page.waitForSelector('#timeline li:has-text("tracking")', { timeout: 10000 });
    await page.click('#pause');
    await page.waitForSelector('#control-state:has-text("Paused")');
    const sends = async () => (await admin(emu.url, 'GET', '/sessions/' + id)).events.filter((e) => e.kind === 'send').length;
    await page.waitForTimeout(1500); // an action already under way may finish
    const paused = await sends();
    await page.waitForTimeout(1500);
    assert.equal(await sends(), paused, 'nothing is sent while paused');
    await page.click('#step');
    await page.waitForTimeout(1500);
    assert.equal(await sends(), paused + 1, 'one step sends one event');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-paused.png') });
    await page.selectOption('#inject-code', '1301');
    await page.click('#inject');
    await page.waitForSelector('#session-head .badge:has-text("FAILED")', { timeout: 10000 });
    await demo.waitForSelector('#log li[data-kind="error"]:has-text("1301")', { timeout: 10000 });
    assert.match(await demo.textContent('#overlay'), /timeout/i);
    const commands = (await admin(emu.url, 'GET', '/sessions/' + id)).events.filter((e) => e.kind === 'control').map((e) => e.data.command);
    assert.deepEqual(commands, ['pause', 'step', 'inject']);
  } finally { await done(); }
});

test('an integrator page that puts the key in the browser is refused and named in a finding; rule-breaking back-end calls get findings on the session page', async () => {
  const { emu, context, page, done } = await setup();
  try {
    const integrator = await context.newPage();
    // The integrator's page, on its own local origin, so its requests to the emulator are cross-origin.
    const site = createServer((req, res) => { res.setHeader('content-type', 'text/html'); res.end('<!doctype html><title>integrator</title>'); });
    await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
    after(() => site.close());
    await integrator.goto(`http://127.0.0.1:${site.address().port}/`);
    // Breaks the rules: the key is in the browser. Init and core grant nothing to browsers (their
    // preflights are refused), so the call fails, and the refused preflight names the mistake.
    const outcome = await integrator.evaluate(async (base) => {
      try {
        await fetch(base + '/video-server/init-liveness-session', {
          method: 'POST', headers: { 'content-type': 'application/json', apikey: 'leaked' },
          body: JSON.stringify({ livenessMode: 'LIVENESS_PASSIVE' }),
        });
        return 'answered';
      } catch (e) {
        return 'refused';
      }
    }, emu.url);
    assert.equal(outcome, 'refused');
    const unattached = (await admin(emu.url, 'GET', '/findings')).map((f) => f.rule);
    assert.deepEqual(unattached, ['api-key-in-browser']);
    // A back end that asks for a low security level, then for the result early and too fast.
    const res = await fetch(emu.url + '/video-server/init-liveness-session', {
      method: 'POST', headers: { 'content-type': 'application/json', apikey: 'backend' },
      body: JSON.stringify({ livenessMode: 'LIVENESS_PASSIVE', securityLevel: 'LOW' }),
    });
    const bad = res.headers.get('location').split('/bio-sessions/')[1];
    for (let i = 0; i < 2; i++) await fetch(emu.url + '/bioserver-app/v2/bio-sessions/' + bad + '/liveness-challenge-result', { headers: { apikey: 'backend' } });
    const rules = (await admin(emu.url, 'GET', '/sessions/' + bad + '/findings')).map((f) => f.rule).sort();
    assert.deepEqual(rules, ['result-before-capture-end', 'result-polled-too-fast', 'security-level-below-high']);
    await page.goto(emu.url + '/__emulator/#/sessions/' + bad);
    await page.waitForSelector('#findings .finding[data-rule="result-polled-too-fast"]');
    assert.equal(await page.$$eval('#findings .finding', (l) => l.length), 3);
    assert.match(await page.textContent('#findings'), /Fix:/);
    assert.match(await page.textContent('#banner'), /apikey/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-findings.png'), fullPage: true });
    // Follows them: its back end creates the session (no Origin), nothing is asked early.
    const good = await initSession(emu.url, 'LIVENESS_PASSIVE');
    assert.deepEqual(await admin(emu.url, 'GET', '/sessions/' + good + '/findings'), []);
  } finally { await done(); }
});

test('the journal lists the vendor requests and reset forgets every session', async () => {
  const { emu, page, done } = await setup();
  try {
    const id = await initSession(emu.url, 'LIVENESS_ACTIVE');
    await page.waitForSelector(`#sessions tr[data-id="${id}"]`);
    await page.click('.tabs a[data-tab="journal"]');
    const row = await page.waitForSelector('#journal tr:has-text("/video-server/init-liveness-session")');
    assert.match(await row.textContent(), /201/);
    assert.equal(await page.$$eval('#journal td.uri', (l) => l.filter((td) => td.textContent.startsWith('/__emulator/')).length), 0,
      'the dashboard\'s own requests are hidden by default');
    await page.click('.tabs a[data-tab="home"]');
    page.once('dialog', (d) => d.accept());
    await page.click('#reset');
    await page.waitForSelector('#sessions .empty');
    assert.deepEqual(await admin(emu.url, 'GET', '/sessions'), []);
  } finally { await done(); }
});

/**
 * Runs a capture from an integrator page on its own origin with the real SDK scripts; the page
 * disconnects at TRACKER_CHALLENGE_PENDING when `closeWhilePending`, else after the result.
 */
async function integratorCapture(emu, context, closeWhilePending) {
  const id = await initSession(emu.url, 'LIVENESS_PASSIVE', 'success');
  const scripts = ['environment-api', 'network-check', 'video-api', 'video-ui']
    .map((s) => `<script src="${emu.url}/video-server/bioserver-${s}.js"></script>`).join('');
  const site = createServer((req, res) => { res.setHeader('content-type', 'text/html'); res.end(`<!doctype html>${scripts}<video id="user-video" autoplay muted playsinline></video>`); });
  await new Promise((ok) => site.listen(0, '127.0.0.1', ok));
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    const outcome = await page.evaluate(({ base, id, closeWhilePending }) => new Promise((done) => {
      let client;
      const opts = {
        bioSessionId: id, wspath: '/video-server/engine.io', bioserverVideoUrl: base,
        onClientInitEnd() {},
        trackingFn() {},
        showChallengeInstruction(i) { if (i === 'TRACKER_CHALLENGE_PENDING' && closeWhilePending) client.disconnect().then(() => done('closed')); },
        async showChallengeResult() { await client.disconnect(); done('result'); },
        async errorFn(e) { done('error ' + JSON.stringify(e)); },
      };
      BioserverVideo.initFaceCaptureClient(opts).then(async (c) => {
        client = c;
        const stream = await BioserverVideo.getMediaStream({ videoId: 'user-video' });
        c.startCapture({ stream });
      }, (e) => done('init failed ' + JSON.stringify(e)));
    }), { base: emu.url, id, closeWhilePending });
    await page.close();
    await new Promise((ok) => setTimeout(ok, 300)); // the server notices the close
    return { id, outcome };
  } finally { site.close(); }
}

test('a page that closes the capture during TRACKER_CHALLENGE_PENDING gets the black-screen finding; one that waits for the result does not', async () => {
  const { emu, context, done } = await setup(['--time-scale', '0.3']);
  try {
    const bad = await integratorCapture(emu, context, true);
    assert.equal(bad.outcome, 'closed');
    const rules = (await admin(emu.url, 'GET', '/sessions/' + bad.id + '/findings')).map((f) => f.rule);
    assert.deepEqual(rules, ['closed-while-pending']);
    const good = await integratorCapture(emu, context, false);
    assert.equal(good.outcome, 'result');
    assert.deepEqual(await admin(emu.url, 'GET', '/sessions/' + good.id + '/findings'), []);
  } finally { await done(); }
});
