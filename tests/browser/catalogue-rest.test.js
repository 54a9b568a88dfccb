'use strict';
// The built-in scenarios that involve the integrator's back end as well as the page: poor-quality,
// services-down, init-backpressure, no-match, gips-rejected, callback-failure and disconnect. The
// test plays the back end (REST calls with an apikey, as the vendor's sample server makes them) and
// drives a page on another origin (COEP require-corp, COOP same-origin) that loads the stub scripts.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { setup, createSession, livenessResult, API_KEY } = require('./helpers');

const MODES = ['LIVENESS_PASSIVE', 'LIVENESS_PASSIVE_VIDEO', 'LIVENESS_ACTIVE'];
const SELFIE = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'selfie-1.png'));
const GIPS_HEADERS = { apikey: API_KEY, 'Tenant-Role': 'RELYING_SERVICE', 'X-Forwarded-For': 'to-specify' };
let env;

before(async () => { env = await setup(); });
after(async () => { if (env) await env.teardown(); });

/** Runs a capture of session `id` in a fresh harness page; returns the page and the callbacks it saw. */
async function captureInPage(id, mode) {
  const page = await env.open('/capture.html');
  assert.equal(await page.evaluate(() => window.crossOriginIsolated), true, 'the integrator page is cross-origin isolated');
  const events = await page.evaluate(([sid, active]) => window.runCapture(sid, { active }), [id, mode === 'LIVENESS_ACTIVE']);
  return { page, events, names: events.map((e) => e.name) };
}

/** An emulator call the way the sample's node-fetch back end makes it. */
async function backend(method, urlPath, { headers = {}, body } = {}) {
  const res = await fetch(`${env.emulator.url}${urlPath}`, {
    method,
    headers: { accept: '*/*', apikey: API_KEY, ...headers },
    body,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { json = null; }
  return { status: res.status, headers: res.headers, json, text };
}

/** The admin view of a session: summary plus transcript `events`. */
async function adminSession(id) {
  const res = await backend('GET', `/__emulator/sessions/${id}`);
  assert.equal(res.status, 200, res.text);
  return res.json;
}

/** Asserts the page ended on errorFn(code) with nothing after it, and never saw showChallengeResult. */
function assertEndsWithError(events, code) {
  const names = events.map((e) => e.name);
  assert.ok(names.includes('initResolved') && names.includes('stream'), names.join(','));
  const last = events[events.length - 1];
  assert.equal(last.name, 'errorFn', names.join(','));
  assert.equal(last.data.code, code);
  assert.equal(typeof last.data.code, 'number', 'numeric code (the sample compares with ===)');
  assert.equal(typeof last.data.error, 'string');
  assert.equal(names.filter((n) => n === 'errorFn').length, 1, 'errorFn exactly once, disconnect() stays silent');
  assert.ok(!names.includes('result'), 'no showChallengeResult');
}

for (const mode of MODES) {
  test(`${mode}: poor-quality asks for more light, then errorFn 1303 and core is not SUCCESS`, async () => {
    const id = await createSession(env.emulator.url, mode, 'poor-quality');
    const { page, events } = await captureInPage(id, mode);
    assertEndsWithError(events, 1303);
    const error = events.findIndex((e) => e.name === 'errorFn');
    const dark = events.slice(0, error).filter((e) => e.name === 'tracking'
      && e.data.positionInfo === 'TRACKER_POSITION_INFO_MOVE_BRIGHTER_AREA');
    assert.ok(dark.length > 0, 'tracking asked for a brighter area before the error');
    const rest = await livenessResult(env.emulator.url, id);
    assert.ok(rest.status !== 200 || rest.body.livenessStatus !== 'SUCCESS', JSON.stringify(rest));
    assert.deepEqual(page.consoleErrors, []);
    await page.close();
  });

  test(`${mode}: services-down fails the back end's capabilities call with 500, then errorFn 1100`, async () => {
    const caps = await backend('GET', '/video-server/v2/capabilities', { headers: { 'X-Emulator-Scenario': 'services-down' } });
    assert.equal(caps.status, 500, 'the sample relays err.status to the page');
    assert.equal(caps.json.code, 500);
    assert.match(caps.json.error, /services-down/);
    assert.equal(caps.headers.get('retry-after'), '30');
    const healthy = await backend('GET', '/video-server/v2/capabilities');
    assert.equal(healthy.status, 200, 'only the request that asked for the scenario fails');
    assert.equal(typeof healthy.json.version, 'string');

    const id = await createSession(env.emulator.url, mode, 'services-down');
    const { page, events } = await captureInPage(id, mode);
    assertEndsWithError(events, 1100);
    const rest = await livenessResult(env.emulator.url, id);
    assert.ok(rest.status !== 200 || rest.body.livenessStatus !== 'SUCCESS', JSON.stringify(rest));
    await page.close();
  });

  test(`${mode}: init-backpressure answers the back end 429 JSON, creates no session, the retry succeeds`, async () => {
    const before = (await backend('GET', '/__emulator/sessions')).json.length;
    const queued = await backend('POST', '/__emulator/queue', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenarios: ['init-backpressure'] }),
    });
    assert.equal(queued.status, 200, queued.text);
    const body = JSON.stringify({ livenessMode: mode, numberOfChallenge: 2, correlationId: 'wbs-demo-correlation-id', evidenceId: 'wbs-demo-evidence-id' });
    const init = () => backend('POST', '/video-server/init-liveness-session', { headers: { 'content-type': 'application/json' }, body });
    const refused = await init();
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get('content-type'), /application\/json/);
    assert.deepEqual(refused.json, { code: 429, error: 'Too many sessions are being created: retry later' });
    assert.equal(refused.headers.get('retry-after'), '2');
    assert.equal(refused.headers.get('location'), null, 'no session id for the page');
    const byHeader = await backend('POST', '/video-server/init-liveness-session', {
      headers: { 'content-type': 'application/json', 'X-Emulator-Scenario': 'init-backpressure' }, body,
    });
    assert.equal(byHeader.status, 429, 'the scenario asked for by header refuses the same way');
    assert.equal(byHeader.json.code, 429);
    assert.equal((await backend('GET', '/__emulator/sessions')).json.length, before, 'no session was created, so no page can capture');

    // The integrator's retry path: the queued scenario was used up by the refusal.
    const retried = await init();
    assert.equal(retried.status, 201, retried.text);
    const id = (retried.headers.get('location') || '').split('/bio-sessions/')[1];
    assert.ok(id);
    assert.equal((await adminSession(id)).scenario, 'success');
  });

  test(`${mode}: no-match captures SUCCESS, then the uploaded selfie scores below 3000`, async () => {
    const id = await createSession(env.emulator.url, mode, 'no-match');
    const { page, events } = await captureInPage(id, mode);
    assert.equal(events[events.length - 1].name, 'result', events.map((e) => e.name).join(','));
    const result = await livenessResult(env.emulator.url, id);
    assert.equal(result.body.livenessStatus, 'SUCCESS');
    const bestImageId = result.body.bestImageId;
    assert.ok(bestImageId, 'a best image to match against');

    // createFace as the sample's back end sends it (contract §2.2.2).
    const form = new FormData();
    form.append('image', new Blob([SELFIE], { type: 'application/octet-stream' }), 'image');
    form.append('face', new Blob([JSON.stringify({ imageType: 'SELFIE', friendlyName: 'selfie', imageRotationEnabled: 'true' })],
      { type: 'application/octet-stream' }), 'face');
    const created = await backend('POST', `/bioserver-app/v2/bio-sessions/${id}/faces`, { body: form });
    assert.equal(created.status, 201, created.text);
    const faceId = (created.headers.get('location') || '').split('/faces/')[1];
    assert.ok(faceId, created.headers.get('location'));
    const face = await backend('GET', `/bioserver-app/v2/bio-sessions/${id}/faces/${faceId}`, { headers: { 'content-type': 'application/json' } });
    assert.equal(face.status, 200);
    assert.equal(face.json.id, faceId);
    assert.equal(typeof face.json.quality, 'number');
    assert.ok(face.json.landmarks, 'landmarks present (the sample reads landmarks.box unguarded)');

    const matches = await backend('GET', `/bioserver-app/v2/bio-sessions/${id}/faces/${bestImageId}/matches`, { headers: { 'content-type': 'application/json' } });
    assert.equal(matches.status, 200, matches.text);
    assert.ok(Array.isArray(matches.json));
    const match = matches.json.find((m) => m.candidate && m.candidate.id === faceId);
    assert.ok(match, JSON.stringify(matches.json));
    assert.equal(typeof match.score, 'number');
    assert.ok(match.score < 3000, `score ${match.score} is below the sample's MATCHING_SCORE_THRESHOLD`);
    assert.ok(Math.abs(match.score - 1234.5) < 1234.5 * 0.01, `score ${match.score} is the scenario's`);
    await page.close();
  });

  test(`${mode}: gips-rejected plays a GIPS capture and the portrait status carries errors[]`, async () => {
    const identity = await backend('POST', '/gips/v1/identities', {
      headers: { ...GIPS_HEADERS, 'content-type': 'multipart/form-data' },
      body: '[{"key":"BUSINESS_ID","value":"LOA1P"}]',
    });
    assert.equal(identity.status, 200, identity.text);
    const identityId = identity.json.id;
    const consents = await backend('POST', `/gips/v1/identities/${identityId}/consents`, {
      headers: { ...GIPS_HEADERS, 'content-type': 'application/json' },
      body: '[{"approved":true,"type":"PORTRAIT","validityPeriod":{"from":"2018-01-01"}}]',
    });
    assert.ok(Array.isArray(consents.json) && consents.json[0].consentId && consents.json[0].type === 'PORTRAIT', consents.text);
    const type = mode === 'LIVENESS_ACTIVE' ? 'LIVENESS_HIGH' : mode;
    const live = await backend('POST', `/gips/v1/identities/${identityId}/attributes/portrait/live-capture-session`, {
      headers: { ...GIPS_HEADERS, 'content-type': 'application/json', 'X-Emulator-Scenario': 'gips-rejected' },
      body: JSON.stringify({ type, securityLevel: 'HIGH', nbChallenge: 2 }),
    });
    assert.ok(live.status >= 200 && live.status < 300, live.text);
    const { sessionId, id: portraitId } = live.json;
    assert.ok(sessionId && portraitId);

    const { page, events } = await captureInPage(sessionId, mode);
    const names = events.map((e) => e.name);
    assert.equal(names[names.length - 1], 'result', names.join(','));
    if (mode === 'LIVENESS_ACTIVE') assert.ok(names.includes('instruction') && events.some((e) => e.data === 'FACEFLOW_CHALLENGE_2D'), 'LIVENESS_HIGH plays the active challenge');

    // The result is final before showChallengeResult, so the sample's first poll already sees it.
    const status = await backend('GET', `/gips/v1/identities/${identityId}/status/${portraitId}`, { headers: GIPS_HEADERS });
    assert.equal(status.status, 200);
    assert.equal(status.json.id, portraitId);
    assert.ok(Array.isArray(status.json.errors) && status.json.errors.length > 0, status.text);
    assert.equal(status.json.errors[0].code, 'PORTRAIT_LIVENESS_FAILED');
    const global = await backend('GET', `/gips/v1/identities/${identityId}`, { headers: GIPS_HEADERS });
    assert.equal(global.status, 200, 'global status always answers 2xx (the sample crashes otherwise)');
    assert.equal(global.json.globalStatus.status, 'NOT_VERIFIED');
    await page.close();
  });

  test(`${mode}: disconnect drops the channel mid-capture, errorFn 2000, no result, disconnect() silent`, async () => {
    const id = await createSession(env.emulator.url, mode, 'disconnect');
    const { page, events } = await captureInPage(id, mode);
    assertEndsWithError(events, 2000);
    assert.match(events[events.length - 1].data.error, /lost/);
    const tracking = events.filter((e) => e.name === 'tracking' && e.data.downloadProgress === undefined);
    assert.ok(tracking.length > 0, 'the drop came in the middle of tracking');
    // The page may disconnect again later (e.g. on "go back"): still silent.
    const later = await page.evaluate(async () => {
      const before = window.events.length;
      await new Promise((r) => setTimeout(r, 300));
      return window.events.length - before;
    });
    assert.equal(later, 0);
    const summary = await adminSession(id);
    assert.equal(summary.state, 'FAILED', 'the emulator ends the dropped session without a result');
    const rest = await livenessResult(env.emulator.url, id);
    assert.ok(rest.status !== 200 || rest.body.livenessStatus !== 'SUCCESS', JSON.stringify(rest));
    await page.close();
  });
}

/**
 * A callback receiver like the sample's `/liveness-result-callback`: answers 500 to the first
 * `failures` POSTs, then 204 and reads the core result as the demo does.
 */
function startReceiver(failures) {
  const hits = [];
  let delivered;
  const done = new Promise((r) => { delivered = r; });
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', async () => {
      const hit = { path: req.url, contentType: req.headers['content-type'], body: raw };
      hits.push(hit);
      if (hits.length <= failures) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        return res.end('{"error":"receiver is down"}');
      }
      res.writeHead(204);
      res.end();
      const { sessionId } = JSON.parse(raw);
      delivered(await livenessResult(env.emulator.url, sessionId));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/demo-server/liveness-result-callback`,
    hits,
    done,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  })));
}

for (const mode of MODES) {
  test(`${mode}: callback-failure: the page reaches showChallengeResult while the callback is retried until delivered`, async () => {
    const receiver = await startReceiver(2);
    try {
      const init = await backend('POST', '/video-server/init-liveness-session', {
        headers: { 'content-type': 'application/json', 'X-Emulator-Scenario': 'callback-failure' },
        body: JSON.stringify({ livenessMode: mode, numberOfChallenge: 2, callbackURL: receiver.url }),
      });
      assert.equal(init.status, 201, init.text);
      const id = init.headers.get('location').split('/bio-sessions/')[1];
      const { page, events } = await captureInPage(id, mode);
      assert.equal(events[events.length - 1].name, 'result', events.map((e) => e.name).join(','));

      const onArrival = await receiver.done;
      assert.equal(onArrival.body.livenessStatus, 'SUCCESS', 'the result is final when the callback lands');
      assert.equal(receiver.hits.length, 3, 'two 500 answers, then delivered');
      for (const hit of receiver.hits) {
        assert.equal(hit.path, '/demo-server/liveness-result-callback');
        assert.match(hit.contentType, /application\/json/);
        assert.deepEqual(JSON.parse(hit.body), { sessionId: id });
      }
      const attempts = (await adminSession(id)).events.filter((e) => e.kind === 'callback').map((e) => e.data);
      assert.deepEqual(attempts.map((a) => [a.simulated, a.status, a.delivered]), [
        [true, null, false], [true, null, false], [true, null, false], // the scenario's failTimes: 3
        [false, 500, false], [false, 500, false], [false, 204, true],
      ]);
      await page.close();
    } finally {
      await receiver.close();
    }
  });
}
