/*
 * webcapture-emulator stub of bioserver-environment-api.js
 *
 * Defines the global `BioserverEnvironment` synchronously (integrator pages call `detection()` at
 * parse time). Detection is real: the user agent is checked against the vendor's supported
 * OS/browser table. A scenario may force the outcome (`browser.environment` in the scenario file);
 * the scenario's browser part is baked into this file by the emulator, and a page hint
 * (`?emulator-scenario=NAME` in the page URL or `window.WEBCAPTURE_EMULATOR = {scenario: NAME}`)
 * is honoured with one synchronous request to `/video-server/emulator/browser`.
 * Plain ES2017, no dependencies, independent of the other scripts' load order.
 */
(function (global) {
  'use strict';

  /*@EMULATOR_COMMON@*/ // BAKED, SCRIPT_SRC, emulatorConfig(), pageHint(), emulatorBase(): see scripts-js/_common.js

  /** The vendor's supported browsers per OS ("Requirements" in the vendor documentation). */
  var SUPPORTED = {
    'Android': [['Chrome', '60'], ['Firefox', '79'], ['Opera', '57'], ['Samsung Browser', '9'],
      ['HuaweiBrowser', '12'], ['Brave', '110'], ['Edge', '127']],
    'iOS': [['Mobile Safari', '15'], ['Chrome', '120'], ['Firefox', '129'], ['Opera Touch', '5'], ['Edge', '125']],
    'Windows': [['Chrome', '60'], ['Firefox', '79'], ['Opera', '57'], ['Edge', '92'], ['Brave', '110']],
    'Mac OS': [['Safari', '15'], ['Chrome', '60'], ['Firefox', '79'], ['Opera', '57']],
    'Linux': [['Chrome', '60'], ['Firefox', '79'], ['Opera', '57'], ['Brave', '110']],
    'Ubuntu': [['Chrome', '60'], ['Firefox', '79'], ['Opera', '57'], ['Brave', '110']]
  };
  var SUPPORTED_OS = ['Windows', 'Mac OS', 'Linux', 'Ubuntu', 'Android', 'iOS'];
  var MOBILE_OS = { 'Android': true, 'iOS': true };

  /**
   * Detects the OS from a user agent.
   * @param {string} ua user agent
   * @param {number} touchPoints `navigator.maxTouchPoints` (iPadOS reports itself as Mac OS)
   * @returns {?string} one of the vendor's OS names, or null when unknown
   */
  function detectOs(ua, touchPoints) {
    if (/Android/i.test(ua)) return 'Android';
    if (/iPhone|iPad|iPod/i.test(ua)) return 'iOS';
    if (/Macintosh|Mac OS X/i.test(ua)) return touchPoints > 1 ? 'iOS' : 'Mac OS';
    if (/Windows/i.test(ua)) return 'Windows';
    if (/Ubuntu/i.test(ua)) return 'Ubuntu';
    if (/Linux|X11|CrOS/i.test(ua)) return 'Linux';
    return null;
  }

  /**
   * Detects the browser and its major version from a user agent.
   * @param {string} ua user agent
   * @param {string} os detected OS name
   * @returns {{name: string, version: number}|null} the vendor's browser name and major version
   */
  function detectBrowser(ua, os) {
    var rules = [
      ['Samsung Browser', /SamsungBrowser\/(\d+)/],
      ['HuaweiBrowser', /HuaweiBrowser\/(\d+)/],
      ['Opera Touch', /OPT\/(\d+)/],
      ['Opera', /(?:OPR|Opera)\/(\d+)/],
      ['Edge', /Edg(?:e|A|iOS)?\/(\d+)/],
      ['Brave', /Brave\/(\d+)/],
      ['Firefox', /(?:Firefox|FxiOS)\/(\d+)/],
      ['Chrome', /(?:CriOS|HeadlessChrome|Chrome|Chromium)\/(\d+)/],
      [os === 'iOS' ? 'Mobile Safari' : 'Safari', /Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari/]
    ];
    for (var i = 0; i < rules.length; i++) {
      var m = rules[i][1].exec(ua);
      if (m) {
        var name = rules[i][0];
        if (name === 'Chrome' && global.navigator && global.navigator.brave) name = 'Brave';
        return { name: name, version: parseInt(m[1], 10) };
      }
    }
    return null;
  }

  /**
   * Checks the current environment against the vendor's supported table (synchronous).
   * A scenario's `browser.environment` can force `osSupported`, `browserSupported` and `isMobile`.
   * @returns {{envDetected: {os: {isSupported: boolean, supportedList: string[], isMobile: boolean},
   *   browser: {isSupported: boolean, supportedList: {name: string, minimumVersion: string}[]},
   *   message: string}, message: string}} the vendor's result shape, with `message` also at the top
   */
  function detection() {
    var nav = global.navigator || {};
    var ua = nav.userAgent || '';
    var os = detectOs(ua, nav.maxTouchPoints || 0);
    var browser = os ? detectBrowser(ua, os) : null;
    var table = os ? SUPPORTED[os] : [];
    var osSupported = !!os;
    var browserSupported = false;
    if (browser) {
      for (var i = 0; i < table.length; i++) {
        if (table[i][0] === browser.name && browser.version >= parseInt(table[i][1], 10)) browserSupported = true;
      }
    }
    var isMobile = !!(os && MOBILE_OS[os]);
    var forced = (emulatorConfig().browser || {}).environment || {};
    if (typeof forced.osSupported === 'boolean') osSupported = forced.osSupported;
    if (typeof forced.browserSupported === 'boolean') browserSupported = forced.browserSupported;
    if (typeof forced.isMobile === 'boolean') isMobile = forced.isMobile;
    if (!table.length) table = SUPPORTED[isMobile ? 'Android' : 'Windows'];

    var message = '';
    if (!osSupported) message = 'You seem to be using an unsupported operating system.';
    else if (!browserSupported) message = 'You seem to be using an unsupported browser.';
    return {
      envDetected: {
        os: {
          isSupported: osSupported,
          supportedList: osSupported ? [] : SUPPORTED_OS.slice(),
          isMobile: isMobile
        },
        browser: {
          isSupported: browserSupported,
          supportedList: browserSupported ? [] : table.map(function (b) { return { name: b[0], minimumVersion: b[1] }; })
        },
        message: message
      },
      message: message
    };
  }

  global.BioserverEnvironment = {
    detection: detection,
    /** Detected OS and browser, for people debugging a page. @returns {{os: ?string, browser: ?Object}} */
    describe: function () {
      var ua = (global.navigator && global.navigator.userAgent) || '';
      var os = detectOs(ua, (global.navigator && global.navigator.maxTouchPoints) || 0);
      return { os: os, browser: os ? detectBrowser(ua, os) : null };
    }
  };
})(typeof window !== 'undefined' ? window : this);
