/// <reference types="node" />
import type { ChildProcess } from 'node:child_process';

/** The platforms with a prebuilt binary, keyed `${process.platform}-${process.arch}`. */
export declare const PLATFORMS: Readonly<
  Record<'linux-x64' | 'linux-arm64' | 'darwin-x64' | 'darwin-arm64' | 'win32-x64', { pkg: string; os: string; cpu: string; exe: string }>
>;
/** `WEBCAPTURE_EMULATOR_BINARY`: the environment variable that points at another binary (a source build). */
export declare const BINARY_ENV: 'WEBCAPTURE_EMULATOR_BINARY';
/** The binary that will run; throws an Error saying what to do when none fits this platform. */
export declare function binaryPath(where?: { env?: Record<string, string | undefined>; platform?: string; arch?: string }): string;

/** An error answer of the admin API: `message` carries the emulator's JSON `error` text. */
export declare class EmulatorError extends Error {
  name: 'EmulatorError';
  /** HTTP status (absent when the emulator was not reachable or the error is local). */
  status?: number;
  /** The whole answer, usually `{code, error}`. */
  body?: unknown;
  method?: string;
  path?: string;
}

export type SessionState = 'CREATED' | 'CAPTURING' | 'PENDING' | 'FINISHED' | 'FAILED';

/** One entry of the catalogue (`GET /__emulator/scenarios`). */
export interface ScenarioListing {
  name: string;
  description: string;
  source: 'builtin' | 'file';
  valid: boolean;
  /** Why the file is invalid (`file:line:column: ...`); its last good version stays in use. */
  error?: string;
  /** When its current version was applied (files only). */
  loadedAt?: string;
}

/** A session summary (`GET /__emulator/sessions`). */
export interface SessionSummary {
  id: string;
  scenario: string;
  /** What chose the scenario: `pin`, `header`, `pageHint`, `match`, `queue`, `default`... */
  selectedBy: string;
  livenessMode: string;
  state: SessionState;
  created: string;
  ageMs: number;
  livenessStatus: string | null;
}

/** One transcript event: REST calls, channel messages both ways, callbacks, result, findings. */
export interface TranscriptEvent {
  tMs: number;
  kind?: string;
  [key: string]: unknown;
}

/** A session with its parameters and transcript (`GET /__emulator/sessions/{id}`). */
export interface SessionDetail extends SessionSummary {
  params: Record<string, unknown>;
  events: TranscriptEvent[];
  droppedEvents?: number;
}

/** Where an integration departs from the vendor's rules, with how to fix it. */
export interface Finding {
  /** Rule id, e.g. `video-before-client-init-end`. */
  rule: string;
  title: string;
  /** What exactly was observed. */
  detail: string;
  /** How to fix it. */
  fix: string;
  /** Milliseconds since the session was created. */
  tMs: number;
}

/** A scenario file's content (see scenarios/README.md and `webcapture-emulator schema`). */
export interface ScenarioFile {
  description?: string;
  match?: Array<Record<string, string>>;
  [key: string]: unknown;
}

/** A client of a running emulator's admin API. */
export declare class EmulatorClient {
  constructor(url: string, options?: { scenariosDir?: string });
  /** The base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The folder scenario files are read from, when known. */
  scenariosDir?: string;
  /** Video-server URL (`BIOSERVER_VIDEO_URL`). */
  readonly videoServerUrl: string;
  /** Bioserver core URL (`BIOSERVER_CORE_URL`), `.../bioserver-app/v2`. */
  readonly coreUrl: string;
  /** GIPS URL (`GIPS_URL`), `.../gips`. */
  readonly gipsUrl: string;
  /** The four stub SDK scripts. */
  readonly scripts: { environment: string; video: string; networkCheck: string; ui: string };
  /** `.../__emulator/`. */
  readonly dashboardUrl: string;
  /** `.../__emulator/demo`. */
  readonly demoUrl: string;

  /** One admin call under `/__emulator`; a non-2xx answer throws {@link EmulatorError}. */
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  health(): Promise<Record<string, unknown>>;
  scenarios(): Promise<ScenarioListing[]>;
  scenario(name: string): Promise<ScenarioFile>;
  defaultScenario(): Promise<string>;
  setDefaultScenario(name: string): Promise<string>;
  queue(): Promise<string[]>;
  enqueue(...names: Array<string | string[]>): Promise<string[]>;
  clearQueue(): Promise<string[]>;
  pin(sessionId: string, scenario: string): Promise<unknown>;
  /** Writes `<scenariosDir>/<name>.json` and resolves once loaded; throws with the emulator's error if rejected. */
  writeScenario(name: string, scenario: ScenarioFile | string, options?: { timeoutMs?: number }): Promise<ScenarioListing>;
  sessions(): Promise<SessionSummary[]>;
  session(id: string): Promise<SessionDetail>;
  findings(id: string): Promise<Finding[]>;
  /** Resolves once the session is in one of `states` (default FINISHED or FAILED). */
  waitForSession(
    id: string,
    states?: SessionState | SessionState[],
    options?: { timeoutMs?: number; intervalMs?: number },
  ): Promise<SessionDetail>;
  journal(): Promise<Array<Record<string, unknown>>>;
  reset(): Promise<{ status: 'reset' }>;
}

/** An emulator process started by {@link startEmulator}. */
export declare class Emulator extends EmulatorClient {
  readonly process: ChildProcess;
  /** The last 64 KiB it printed. */
  output: string;
  scenariosDir: string;
  /** SIGTERM (SIGKILL after 5 s); removes a temporary scenarios folder. */
  stop(): Promise<void>;
}

/**
 * Options of {@link startEmulator}: the launcher's own, then every flag of
 * `webcapture-emulator --help` in camelCase (`true` → a bare flag, an array → repeated).
 */
export interface StartOptions {
  /** The binary (default: {@link binaryPath}). */
  binary?: string;
  /** Extra raw arguments appended after the flags. */
  args?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Default 15000. */
  startTimeoutMs?: number;
  /** Copy its output to stderr. */
  printOutput?: boolean;
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Scenario folder; default a new temporary one. */
  scenarios?: string;
  timeScale?: number;
  seed?: number;
  defaultScenario?: string;
  apiKey?: string | string[];
  noAuth?: boolean;
  strict?: boolean;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  signingKey?: string;
  sessionTtl?: number;
  maxSessions?: number;
  /** Threads serving requests; default 1, 0 = one per CPU core. */
  workers?: number;
  logFormat?: 'text' | 'json';
  watchPoll?: number;
  journalSize?: number;
  journalImages?: boolean;
  /** Turn the vendor's opt-in lockout on (off by default). */
  lockout?: boolean;
  lockoutAttempts?: number;
  lockoutSeconds?: number;
  /** Extra `Host` names the emulator answers to (compose service names, /etc/hosts aliases). */
  allowedHost?: string | string[];
  /** Control-plane token for non-loopback clients (when bound off loopback). */
  adminToken?: string;
  headerTimeout?: number;
  bodyTimeout?: number;
  bodyDeadline?: number;
  maxBody?: number;
  channelWriteTimeout?: number;
  [flag: string]: unknown;
}

export declare function startEmulator(options?: StartOptions): Promise<Emulator>;
export declare function connectEmulator(url: string, options?: { scenariosDir?: string }): EmulatorClient;
