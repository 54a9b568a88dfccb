/*
 * webcapture-emulator stub of bioserver-network-check.js
 *
 * Defines the global `BioserverNetworkCheck`. `connectivityMeasure` really measures the latency
 * (a few GETs to `latencyURL`) and the upload speed (a POST of 256 KB to `uploadURL`), then calls
 * `onNetworkCheckUpdate` exactly once. A scenario's `browser.network` can impose the figures
 * (`latencyMs`, `uploadKbps`) or a failure (`fail: true` → `errorFn`).
 * Plain ES2017, no dependencies, independent of the other scripts' load order.
 */
(function (global) {
  'use strict';

  /*@EMULATOR_COMMON@*/ // BAKED, SCRIPT_SRC, emulatorConfig(), pageHint(), emulatorBase(): see scripts-js/_common.js
  var UPLOAD_BYTES = 256 * 1024;
  var LATENCY_SAMPLES = 3;
  var TIMEOUT_MS = 10000;

  /**
   * `fetch` with a timeout; rejects on network failure, timeout or a non-2xx answer.
   * @param {string} url target
   * @param {Object} init fetch options
   * @returns {Promise<Response>} the response
   */
  function timedFetch(url, init) {
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    var opts = Object.assign({ cache: 'no-store', mode: 'cors', credentials: 'omit' }, init || {});
    if (controller) opts.signal = controller.signal;
    return fetch(url, opts).then(function (res) {
      clearTimeout(timer);
      if (!res.ok) throw new Error('HTTP ' + res.status + ' from ' + url);
      return res.arrayBuffer().then(function () { return res; });
    }, function (e) {
      clearTimeout(timer);
      throw e;
    });
  }

  /**
   * Adds a cache-busting parameter.
   * @param {string} url base URL
   * @returns {string} the URL with `_wce=<random>`
   */
  function bust(url) {
    return url + (url.indexOf('?') >= 0 ? '&' : '?') + '_wce=' + Math.random().toString(36).slice(2);
  }

  /**
   * Measures the latency: the best of a few GET round trips.
   * @param {string} url latency URL
   * @returns {Promise<number>} milliseconds
   */
  async function measureLatency(url) {
    var best = Infinity;
    for (var i = 0; i < LATENCY_SAMPLES; i++) {
      var t0 = performance.now();
      await timedFetch(bust(url), { method: 'GET' });
      best = Math.min(best, performance.now() - t0);
    }
    return Math.max(1, Math.round(best));
  }

  /**
   * Measures the upload speed by POSTing 256 KB.
   * @param {string} url upload URL
   * @returns {Promise<number>} kbit/s
   */
  async function measureUpload(url) {
    var payload = new Uint8Array(UPLOAD_BYTES);
    for (var i = 0; i < payload.length; i += 4096) payload[i] = (i / 4096) & 0xff;
    var t0 = performance.now();
    await timedFetch(bust(url), { method: 'POST', body: payload, headers: { 'Content-Type': 'application/octet-stream' } });
    var seconds = Math.max(0.001, (performance.now() - t0) / 1000);
    return Math.round((UPLOAD_BYTES * 8) / 1000 / seconds);
  }

  /**
   * Measures latency, then upload speed (skipped when latency already fails, as the vendor's SDK
   * does), and calls `onNetworkCheckUpdate({goodConnectivity, latencyMs, upload})` exactly once.
   * On failure it calls `errorFn(error)` instead (or `onNetworkCheckUpdate` with a bad result when
   * no `errorFn` is given).
   * @param {{latencyURL: string, uploadURL: string, onNetworkCheckUpdate: Function, errorFn: Function=}} options
   * @returns {Promise<void>} settles when the callback has been called
   */
  async function connectivityMeasure(options) {
    var opts = options || {};
    var report = typeof opts.onNetworkCheckUpdate === 'function' ? opts.onNetworkCheckUpdate : function () {};
    var imposed = (emulatorConfig().browser || {}).network || {};
    var self = global.BioserverNetworkCheck;
    try {
      if (imposed.fail) throw new Error('Network check failed (imposed by the emulator scenario)');
      var latencyMs = typeof imposed.latencyMs === 'number' ? Math.round(imposed.latencyMs) : await measureLatency(opts.latencyURL);
      var upload = 0;
      var good = latencyMs <= self.LATENCY_SPEED_THRESHOLD;
      if (good) {
        upload = typeof imposed.uploadKbps === 'number' ? Math.round(imposed.uploadKbps) : await measureUpload(opts.uploadURL);
        good = upload >= self.UPLOAD_SPEED_THRESHOLD;
      }
      safeCall(report, { goodConnectivity: good, latencyMs: latencyMs, upload: upload });
    } catch (e) {
      if (typeof opts.errorFn === 'function') safeCall(opts.errorFn, e);
      else safeCall(report, { goodConnectivity: false, latencyMs: 0, upload: 0 });
    }
  }

  /**
   * Calls a page callback without letting its exception break the stub.
   * @param {Function} fn callback
   * @param {*} arg its argument
   */
  function safeCall(fn, arg) {
    try {
      var r = fn(arg);
      if (r && typeof r.catch === 'function') r.catch(function (e) { console.error(e); });
    } catch (e) {
      console.error(e);
    }
  }

  global.BioserverNetworkCheck = {
    /** Minimum upload speed in kbit/s (vendor requirement: 400 Kbps). */
    UPLOAD_SPEED_THRESHOLD: 400,
    /** Maximum latency in milliseconds (vendor requirement: 500 ms). */
    LATENCY_SPEED_THRESHOLD: 500,
    /** Kept for older integrations (minimum download speed in kbit/s). */
    DOWNLOAD_SPEED_THRESHOLD: 400,
    connectivityMeasure: connectivityMeasure
  };
})(typeof window !== 'undefined' ? window : this);
