'use strict';
// A real Chromium page on another origin (the page server on localhost, the emulator on
// 127.0.0.1) tries what a hostile page would: read sessions and the journal, queue, reset, pause,
// inject, set the default, create a session with a callback. None of it works, while the
// dashboard on the emulator's own origin still does.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, createSession, artifact } = require('./helpers');

let env;

// --no-auth: without it init already needs an `apikey` header, which a foreign page cannot send
// (its preflight is refused); with it only the Origin rule stands between the page and init.
before(async () => { env = await setup(['--no-auth']); });
after(async () => { if (env) await env.teardown(); });

/** The control plane as a tool on this machine sees it (no Origin). */
async function admin(path) {
  const res = await fetch(`${env.emulator.url}/__emulator${path}`);
  assert.equal(res.status, 200, path);
  return res.json();
}

test('a page on another origin can neither read nor change the control plane, nor create a session', async () => {
  const id = await createSession(env.emulator.url, 'LIVENESS_PASSIVE', 'success');
  const page = await env.open('/capture.html');
  const outcome = await page.evaluate(async ([emu, sid]) => {
    /** 'read' when the page got the answer's body, else what stopped it. */
    async function tryRead(path) {
      try {
        const res = await fetch(emu + path);
        await res.text();
        return 'read';
      } catch (e) {
        return 'blocked';
      }
    }
    /** Sends what a browser sends cross-origin without a preflight; the answer stays opaque. */
    async function trySend(path, body) {
      try {
        await fetch(emu + path, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body });
        return 'sent';
      } catch (e) {
        return 'blocked';
      }
    }
    async function tryPreflighted(path) {
      try {
        await fetch(emu + path, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"scenario":"lockout"}' });
        return 'sent';
      } catch (e) {
        return 'blocked';
      }
    }
    return {
      sessions: await tryRead('/__emulator/sessions'),
      journal: await tryRead('/__emulator/journal'),
      transcript: await tryRead(`/__emulator/sessions/${sid}`),
      queue: await trySend('/__emulator/queue', '{"scenarios":["lockout"]}'),
      pause: await trySend(`/__emulator/sessions/${sid}/pause`, ''),
      inject: await trySend(`/__emulator/sessions/${sid}/inject`, '{"code":1301}'),
      init: await trySend('/video-server/init-liveness-session', '{"livenessMode":"LIVENESS_PASSIVE","callbackURL":"http://127.0.0.1:9/"}'),
      defaultScenario: await tryPreflighted('/__emulator/default-scenario'),
      reset: await trySend('/__emulator/reset', ''),
    };
  }, [env.emulator.url, id]);
  assert.equal(outcome.sessions, 'blocked');
  assert.equal(outcome.journal, 'blocked');
  assert.equal(outcome.transcript, 'blocked');
  assert.equal(outcome.defaultScenario, 'blocked');
  // The no-cors sends left the browser; the emulator refused each of them.
  assert.deepEqual(await admin('/queue'), { scenarios: [] });
  assert.deepEqual(await admin('/default-scenario'), { scenario: 'success' });
  const sessions = await admin('/sessions');
  assert.deepEqual(sessions.map((s) => s.id), [id], 'no session created by the page, and none reset away');
  const { control } = await admin(`/sessions/${id}/control`);
  assert.equal(control.paused, false, 'not paused');
  assert.equal(control.pendingInjections ?? control.pending_injections, 0, 'nothing injected');
  const journal = await admin('/journal');
  const refused = journal.filter((e) => e.status === 403).map((e) => `${e.method} ${e.uri.split('?')[0]}`);
  for (const what of ['POST /__emulator/queue', 'POST /__emulator/reset', 'POST /video-server/init-liveness-session']) {
    assert.ok(refused.includes(what), `${what} refused: ${refused.join(', ')}`);
  }
  await page.close();
});

test('the dashboard on the emulator\'s own origin still reads and changes the control plane', async () => {
  const id = await createSession(env.emulator.url, 'LIVENESS_PASSIVE', 'success');
  const page = await env.browser.context.newPage();
  await page.goto(`${env.emulator.url}/__emulator/#/`);
  await page.waitForFunction((short) => document.body.innerText.includes(short), id.slice(0, 8), { timeout: 10000 });
  const answers = await page.evaluate(async () => {
    const queued = await fetch('/__emulator/queue', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"scenarios":["success"]}' });
    const sessions = await fetch('/__emulator/sessions');
    return { queued: queued.status, sessions: sessions.status, count: (await sessions.json()).length };
  });
  assert.deepEqual(answers, { queued: 200, sessions: 200, count: answers.count });
  assert.ok(answers.count >= 1);
  assert.deepEqual(await admin('/queue'), { scenarios: ['success'] });
  await page.screenshot({ path: artifact('front-door-dashboard.png') });
  await fetch(`${env.emulator.url}/__emulator/queue`, { method: 'DELETE' });
  await page.close();
});
