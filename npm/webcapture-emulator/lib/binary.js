// Finds the emulator's native binary: the WEBCAPTURE_EMULATOR_BINARY override, else the platform
// package npm installed through optionalDependencies (one per os/cpu, like esbuild or SWC).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The platforms with a prebuilt binary: `${process.platform}-${process.arch}` → npm package.
 * scripts/build-binaries.sh builds exactly these, and npm/pack.mjs packs one package for each.
 */
export const PLATFORMS = Object.freeze({
  'linux-x64': { pkg: 'webcapture-emulator-linux-x64', os: 'linux', cpu: 'x64', exe: 'webcapture-emulator' },
  'linux-arm64': { pkg: 'webcapture-emulator-linux-arm64', os: 'linux', cpu: 'arm64', exe: 'webcapture-emulator' },
  'darwin-x64': { pkg: 'webcapture-emulator-darwin-x64', os: 'darwin', cpu: 'x64', exe: 'webcapture-emulator' },
  'darwin-arm64': { pkg: 'webcapture-emulator-darwin-arm64', os: 'darwin', cpu: 'arm64', exe: 'webcapture-emulator' },
  'win32-x64': { pkg: 'webcapture-emulator-win32-x64', os: 'win32', cpu: 'x64', exe: 'webcapture-emulator.exe' },
});

/** The environment variable that points at another binary (e.g. a source build). */
export const BINARY_ENV = 'WEBCAPTURE_EMULATOR_BINARY';

/**
 * The path of the binary to run. Throws an Error that says what to do when none fits.
 * @param {{env?: NodeJS.ProcessEnv, platform?: string, arch?: string}} [where] for tests
 * @returns {string}
 */
export function binaryPath(where = {}) {
  const env = where.env ?? process.env;
  const override = env[BINARY_ENV];
  if (override) {
    if (!existsSync(override)) {
      throw new Error(`${BINARY_ENV} is set to ${override}, but no file is there.`);
    }
    return override;
  }
  const key = `${where.platform ?? process.platform}-${where.arch ?? process.arch}`;
  const fromSource =
    'Build it from source (a Rust toolchain: `cargo install --path .` in a clone of the repository) ' +
    `and set ${BINARY_ENV}=/path/to/webcapture-emulator.`;
  const platform = PLATFORMS[key];
  if (!platform) {
    throw new Error(
      `webcapture-emulator has no prebuilt binary for ${key} (there are: ${Object.keys(PLATFORMS).join(', ')}). ${fromSource}`,
    );
  }
  const require = createRequire(import.meta.url);
  let dir;
  try {
    dir = dirname(require.resolve(`${platform.pkg}/package.json`));
  } catch {
    throw new Error(
      `webcapture-emulator's binary for ${key} is in the package ${platform.pkg}, which is not installed. ` +
        'npm installs it with webcapture-emulator unless optional dependencies were left out ' +
        `(--omit=optional, --no-optional): reinstall without that, or run \`npm install ${platform.pkg}\`. ${fromSource}`,
    );
  }
  const file = join(dir, 'bin', platform.exe);
  if (!existsSync(file)) {
    throw new Error(`The package ${platform.pkg} has no binary at ${file}: reinstall it. ${fromSource}`);
  }
  return file;
}
