// One emulator and one back end for the whole run; every worker's tests use them at the same time.
import { setupEmulator } from 'webcapture-emulator/playwright';
import { startBackend } from './server.mjs';

export default async function globalSetup() {
  // Starts `webcapture-emulator --port 0 --time-scale 0` and tells the workers its URL
  // (WEBCAPTURE_EMULATOR_URL).
  const stopEmulator = await setupEmulator();
  // The integrator's back end is configured with that one URL.
  const backend = await startBackend({ videoServerUrl: process.env.WEBCAPTURE_EMULATOR_URL, apiKey: 'example-key' });
  process.env.APP_URL = backend.url;
  return async () => {
    await backend.close();
    await stopEmulator();
  };
}
