import type { TestType, PlaywrightTestArgs, PlaywrightTestOptions, PlaywrightWorkerArgs, PlaywrightWorkerOptions } from '@playwright/test';
import type { EmulatorClient, EmulatorError, Finding, SessionDetail, SessionState, StartOptions, Emulator } from './index.js';

export { expect } from '@playwright/test';
export { EmulatorError } from './index.js';

/** `WEBCAPTURE_EMULATOR_URL`: the shared emulator the workers connect to. */
export declare const URL_ENV: 'WEBCAPTURE_EMULATOR_URL';
/** `WEBCAPTURE_EMULATOR_SCENARIOS`: its scenarios folder (for writeScenario). */
export declare const SCENARIOS_ENV: 'WEBCAPTURE_EMULATOR_SCENARIOS';

/** The fixture's emulators: `--time-scale 0` (lockout stays off, the emulator's default: with it on, failures of one test would lock out the next, as every test shares the client IP + User-Agent it counts by). */
export declare const FIXTURE_DEFAULTS: Readonly<{ timeScale: 0 }>;

/** For `globalSetup`: starts one emulator for the run, publishes it to the workers, returns the teardown. */
export declare function setupEmulator(options?: StartOptions): Promise<(() => Promise<void>) & { emulator: Emulator }>;

/** A session of this test, with its transcript and findings. */
export type TestSession = SessionDetail & { findings: Finding[]; error?: string };

/** This test's sessions: the captures its own pages started. */
export interface EmulatorSessions {
  /** Session ids, in the order their channels opened. */
  readonly ids: readonly string[];
  /** Every session with its transcript and findings. */
  all(): Promise<TestSession[]>;
  /** Every finding of this test's sessions. */
  findings(): Promise<Array<Finding & { sessionId: string }>>;
  /** Waits until `count` channels opened (default 1) and each session is in `states` (default FINISHED or FAILED). */
  waitFor(options?: { count?: number; states?: SessionState | SessionState[]; timeoutMs?: number }): Promise<SessionDetail[]>;
}

export interface EmulatorTestOptions {
  /** The scenario this test's pages play (same as calling useScenario before navigating). */
  scenario: string | undefined;
  /** Fail the test when the emulator recorded a finding for one of its sessions. */
  strictFindings: boolean;
}

export interface EmulatorTestFixtures {
  /** Makes the captures this test's pages start play `name`. Call it before `page.goto`. */
  useScenario: (name: string) => Promise<void>;
  emulatorSessions: EmulatorSessions;
}

export interface EmulatorWorkerOptions {
  /** The shared emulator (default: `WEBCAPTURE_EMULATOR_URL`, set by setupEmulator). */
  emulatorUrl: string | undefined;
  /** When no shared emulator is configured, each worker starts its own with these options. */
  emulatorOptions: StartOptions;
}

export interface EmulatorWorkerFixtures {
  emulator: EmulatorClient;
}

export declare const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & EmulatorTestOptions & EmulatorTestFixtures,
  PlaywrightWorkerArgs & PlaywrightWorkerOptions & EmulatorWorkerOptions & EmulatorWorkerFixtures
>;
