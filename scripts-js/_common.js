  /*
   * Shared by the stub scripts that read the scenario's browser part. Not served on its own: the
   * emulator splices this fragment into each script's IIFE where `/*@EMULATOR_COMMON@*\/` stands,
   * so every script stays self-contained and independent of the others' load order.
   */

  /** The browser part of the scenario, baked in by the emulator when it serves the script. */
  var BAKED = /*@EMULATOR_BROWSER_CONFIG@*/null;
  /** Where this script was loaded from (only known while the script runs for the first time). */
  var SCRIPT_SRC = (global.document && global.document.currentScript && global.document.currentScript.src) || '';

  /**
   * The emulator configuration for this page: the baked scenario, or the page hint's scenario.
   * Shared by the stub scripts through `window.__webcaptureEmulatorConfig`, so the first script
   * that asks fixes it for the page.
   * @returns {{scenario: ?string, browser: Object}} the scenario name and its browser part
   */
  function emulatorConfig() {
    if (global.__webcaptureEmulatorConfig) return global.__webcaptureEmulatorConfig;
    var config = BAKED || { scenario: null, browser: {} };
    var hint = pageHint();
    if (hint && hint !== config.scenario) {
      try {
        var xhr = new global.XMLHttpRequest();
        xhr.open('GET', emulatorBase() + '/emulator/browser?scenario=' + encodeURIComponent(hint), false);
        xhr.send();
        if (xhr.status === 200) {
          config = JSON.parse(xhr.responseText);
        } else {
          console.warn('[webcapture-emulator] unknown scenario "' + hint + '" in the page hint; using "' + config.scenario + '"');
        }
      } catch (e) {
        console.warn('[webcapture-emulator] could not load the scenario "' + hint + '":', e);
      }
    }
    global.__webcaptureEmulatorConfig = config;
    return config;
  }

  /**
   * The page's scenario hint.
   * @returns {?string} `window.WEBCAPTURE_EMULATOR.scenario` or the `emulator-scenario` query parameter
   */
  function pageHint() {
    var opt = global.WEBCAPTURE_EMULATOR;
    if (opt && typeof opt.scenario === 'string' && opt.scenario) return opt.scenario;
    try {
      return new URL(global.location.href).searchParams.get('emulator-scenario') || null;
    } catch (e) {
      return null;
    }
  }

  /**
   * The `/video-server` base URL this script was loaded from.
   * @returns {string} e.g. `http://127.0.0.1:8080/video-server`
   */
  function emulatorBase() {
    var src = SCRIPT_SRC || (global.location && global.location.href) || '';
    return src.replace(/\/[^/?#]*([?#].*)?$/, '');
  }
