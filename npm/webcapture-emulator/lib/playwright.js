// The Playwright fixture: one emulator for the whole run, a scenario per test with no shared state.
//
// Per-test scenarios use the page hint (README "How a session gets its scenario": it wins over match
// rules, the queue and the default): an init script sets `window.WEBCAPTURE_EMULATOR = {scenario}`
// in this test's browser context before any SDK script runs, and the stub SDK sends it in the
// channel's `hello`. This test's sessions are the ones whose `hello` left this test's pages, so
// tests in other workers, playing other scenarios at the same time, never see each other's.
import { test as base, expect } from '@playwright/test';
import { connectEmulator, EmulatorError, startEmulator } from './index.js';

export { expect, EmulatorError };

/** Where a global setup (or anything else) tells the workers which emulator to use. */
export const URL_ENV = 'WEBCAPTURE_EMULATOR_URL';
/** Where it tells them the emulator's scenarios folder (for writeScenario). */
export const SCENARIOS_ENV = 'WEBCAPTURE_EMULATOR_SCENARIOS';

const TERMINAL = ['FINISHED', 'FAILED'];

/**
 * What the fixture's emulators default to: no waiting. Lockout stays off, as it is in the emulator
 * unless `lockout: true` is given: it counts failed captures per client IP + User-Agent, which
 * every test's browser shares, so with it on, five failing tests would make the next tests'
 * captures answer 429. The `lockout` scenario plays its 429 either way.
 */
export const FIXTURE_DEFAULTS = Object.freeze({ timeScale: 0 });

/**
 * For a Playwright `globalSetup`: starts one emulator for the whole run (FIXTURE_DEFAULTS),
 * publishes its URL and scenarios folder to the workers through the environment, and returns the
 * teardown that stops it.
 * @param {import('./index.js').StartOptions} [options]
 */
export async function setupEmulator(options = {}) {
  const emulator = await startEmulator({ ...FIXTURE_DEFAULTS, ...options });
  process.env[URL_ENV] = emulator.url;
  process.env[SCENARIOS_ENV] = emulator.scenariosDir;
  const teardown = () => emulator.stop();
  teardown.emulator = emulator;
  return teardown;
}

/** The session id in a frame the page sent, when it is the channel's `hello`. */
function helloSessionId(payload) {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  if (!text.includes('hello')) return undefined;
  try {
    const msg = JSON.parse(text.replace(/^\d+/, ''));
    const body = Array.isArray(msg) ? msg[1] : msg;
    return body && body.type === 'hello' && body.sessionId ? String(body.sessionId) : undefined;
  } catch {
    return undefined;
  }
}

/** Loads a session with its findings; a forgotten session (reset, evicted) becomes `{id, error}`. */
async function loadSession(emulator, id) {
  try {
    const [session, findings] = await Promise.all([emulator.session(id), emulator.findings(id)]);
    return { ...session, findings };
  } catch (e) {
    return { id, error: e.message, findings: [] };
  }
}

export const test = base.extend({
  emulatorUrl: [undefined, { scope: 'worker', option: true }],
  emulatorOptions: [{}, { scope: 'worker', option: true }],
  emulator: [
    async ({ emulatorUrl, emulatorOptions }, use) => {
      const url = emulatorUrl ?? process.env[URL_ENV];
      if (url) {
        await use(connectEmulator(url, { scenariosDir: process.env[SCENARIOS_ENV] }));
        return;
      }
      // No shared emulator configured: this worker starts its own.
      const emulator = await startEmulator({ ...FIXTURE_DEFAULTS, ...emulatorOptions });
      try {
        await use(emulator);
      } finally {
        await emulator.stop();
      }
    },
    { scope: 'worker' },
  ],
  scenario: [undefined, { option: true }],
  strictFindings: [false, { option: true }],

  emulatorSessions: [
    async ({ context, emulator, scenario, strictFindings }, use, testInfo) => {
      const ids = [];
      const watch = (page) =>
        page.on('websocket', (ws) => {
          ws.on('framesent', (frame) => {
            const id = helloSessionId(frame.payload);
            if (id && !ids.includes(id)) ids.push(id);
          });
        });
      context.pages().forEach(watch);
      context.on('page', watch);
      if (scenario) await hint(context, emulator, scenario);

      const sessions = {
        ids,
        all: () => Promise.all(ids.map((id) => loadSession(emulator, id))),
        async findings() {
          const all = await sessions.all();
          return all.flatMap((s) => s.findings.map((f) => ({ sessionId: s.id, ...f })));
        },
        async waitFor(options = {}) {
          const { count = 1, states = TERMINAL, timeoutMs = 30_000 } = options;
          const deadline = Date.now() + timeoutMs;
          while (ids.length < count) {
            if (Date.now() > deadline) {
              throw new EmulatorError(`This test's pages opened ${ids.length} capture channel(s), not ${count}, within ${timeoutMs} ms`);
            }
            await new Promise((r) => setTimeout(r, 25));
          }
          return Promise.all(
            ids.map((id) => emulator.waitForSession(id, states, { timeoutMs: Math.max(1, deadline - Date.now()) })),
          );
        },
      };
      await use(sessions);

      const failed = testInfo.status !== testInfo.expectedStatus;
      if (!ids.length || (!failed && !strictFindings)) return;
      const all = await sessions.all();
      const findings = all.flatMap((s) => s.findings.map((f) => ({ sessionId: s.id, ...f })));
      if (failed || findings.length) {
        await testInfo.attach('webcapture-emulator-sessions.json', {
          body: JSON.stringify(all, null, 2),
          contentType: 'application/json',
        });
      }
      if (strictFindings && findings.length) {
        const lines = findings.map((f) => `- ${f.rule} (session ${f.sessionId}): ${f.detail} Fix: ${f.fix}`);
        throw new Error(`strictFindings: the emulator recorded ${findings.length} finding(s):\n${lines.join('\n')}`);
      }
    },
    { auto: true },
  ],

  useScenario: async ({ context, emulator, emulatorSessions }, use) => {
    void emulatorSessions; // set up first, so the pages are watched
    await use((name) => hint(context, emulator, name));
  },
});

/** Checks the scenario exists (a typo fails here, not as a puzzling capture) and hints it to the context's pages. */
async function hint(context, emulator, name) {
  await emulator.scenario(name);
  await context.addInitScript((scenario) => {
    window.WEBCAPTURE_EMULATOR = Object.assign({}, window.WEBCAPTURE_EMULATOR, { scenario });
  }, name);
}
