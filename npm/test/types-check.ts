// Compiled with `tsc --noEmit` by scripts/test.sh: the package's types describe what its JS does.
import { startEmulator, connectEmulator, EmulatorError, binaryPath, type SessionDetail, type ScenarioListing } from 'webcapture-emulator';
import { test, expect, setupEmulator } from 'webcapture-emulator/playwright';

async function api(): Promise<void> {
  const emulator = await startEmulator({ timeScale: 0, seed: 42, defaultScenario: 'spoof', tls: false, apiKey: ['a'] });
  const urls: string[] = [emulator.url, emulator.videoServerUrl, emulator.coreUrl, emulator.gipsUrl, emulator.dashboardUrl, emulator.scripts.video];
  const listing: ScenarioListing[] = await emulator.scenarios();
  const loaded: ScenarioListing = await emulator.writeScenario('mine', { description: 'x', result: { livenessStatus: 'SPOOF' } });
  const queue: string[] = await emulator.enqueue('spoof', 'timeout');
  await emulator.clearQueue();
  await emulator.setDefaultScenario('success');
  const session: SessionDetail = await emulator.waitForSession('id', ['FINISHED', 'FAILED'], { timeoutMs: 1000 });
  const state: 'CREATED' | 'CAPTURING' | 'PENDING' | 'FINISHED' | 'FAILED' = session.state;
  const rules: string[] = (await emulator.findings(session.id)).map((f) => f.rule + f.fix);
  await emulator.pin(session.id, 'spoof');
  await emulator.reset();
  await emulator.stop();
  const client = connectEmulator('http://127.0.0.1:8080');
  try {
    await client.sessions();
  } catch (e) {
    if (e instanceof EmulatorError) console.log(e.status, e.body, e.message);
  }
  console.log(urls, listing, loaded, queue, state, rules, binaryPath());
  // @ts-expect-error the state names are checked
  await client.waitForSession('id', 'DONE');
}

test.use({ scenario: 'spoof', strictFindings: true });
test('typed fixture', async ({ page, useScenario, emulatorSessions, emulator }) => {
  await useScenario('timeout');
  await page.goto(emulator.url);
  const sessions = await emulatorSessions.waitFor({ count: 1, states: 'FINISHED' });
  expect(sessions[0].events.length).toBeGreaterThan(0);
  const findings = await emulatorSessions.findings();
  expect(findings.map((f) => f.sessionId)).toEqual(emulatorSessions.ids);
});

export default async function globalSetup(): Promise<() => Promise<void>> {
  const teardown = await setupEmulator({ timeScale: 0 });
  console.log(teardown.emulator.url);
  return teardown;
}
void api;
