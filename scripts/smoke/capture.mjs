// One whole capture without a browser, the way the stub SDK drives it: init-liveness-session
// (apikey), the capture channel at /video-server/engine.io (hello, `startCapture` after `init`,
// until `result` or `error`), then the result from the core API. Used by the binaries' smoke test
// and the npm package's tests.
import WebSocket from 'ws';

/**
 * Runs one capture against the emulator at `base` and returns what it saw.
 * @param {string} base e.g. http://127.0.0.1:8080
 * @param {{scenario?: string, mode?: string, apikey?: string, hint?: string, timeoutMs?: number}} [opts]
 *   `scenario` is sent as X-Emulator-Scenario on init; `hint` as the page hint in hello.
 * @returns {Promise<{sessionId: string, end: object, result: object, messages: string[]}>}
 */
export async function capture(base, opts = {}) {
  const sessionId = await createSession(base, opts);
  return { sessionId, ...(await runChannel(base, sessionId, opts)) };
}

/**
 * `POST /video-server/init-liveness-session` as an integrator's back end does; returns the id.
 * @param {string} base
 * @param {{scenario?: string, mode?: string, apikey?: string}} [opts]
 */
export async function createSession(base, opts = {}) {
  const apikey = opts.apikey ?? 'smoke-test-key';
  const headers = { apikey, 'content-type': 'application/json' };
  if (opts.scenario) headers['x-emulator-scenario'] = opts.scenario;
  const init = await fetch(`${base}/video-server/init-liveness-session`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      livenessMode: opts.mode ?? 'LIVENESS_PASSIVE',
      numberOfChallenge: 2,
      correlationId: 'smoke',
      evidenceId: 'smoke-evidence',
    }),
  });
  if (init.status !== 201 && init.status !== 200) {
    throw new Error(`init-liveness-session answered ${init.status}: ${await init.text()}`);
  }
  const location = init.headers.get('location') ?? '';
  const sessionId = location.split('/bio-sessions/')[1];
  if (!sessionId) throw new Error(`init-liveness-session gave no session id (Location: ${location})`);
  return sessionId;
}

/**
 * The capture channel of an existing session, then its result from the core API.
 * @param {string} base
 * @param {string} sessionId
 * @param {{apikey?: string, hint?: string, timeoutMs?: number}} [opts]
 */
export async function runChannel(base, sessionId, opts = {}) {
  const apikey = opts.apikey ?? 'smoke-test-key';
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/video-server/engine.io?sessionId=${sessionId}`);
  const messages = [];
  const end = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`capture ${sessionId} did not end: ${messages.join(', ')}`)), opts.timeoutMs ?? 30_000);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', sessionId, scenario: opts.hint ?? null, sdk: 'smoke' })));
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === '2') return ws.send('3');
      let msg;
      try {
        msg = JSON.parse(text.replace(/^\d+/, ''));
      } catch {
        return;
      }
      messages.push(msg.type);
      if (msg.type === 'init') ws.send(JSON.stringify({ type: 'startCapture' }));
      if (msg.type === 'result' || msg.type === 'error') {
        clearTimeout(timer);
        resolve(msg);
      }
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.on('close', () => {
      clearTimeout(timer);
      resolve({ type: 'closed' });
    });
  });
  ws.close();
  const res = await fetch(`${base}/bioserver-app/v2/bio-sessions/${sessionId}/liveness-challenge-result`, { headers: { apikey } });
  const result = await res.json();
  return { end, result, messages };
}
