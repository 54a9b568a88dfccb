/*
 * webcapture-emulator stub of bioserver-video-api.js
 *
 * Defines the global `BioserverVideo`: `getMediaStream` (real getUserMedia) and
 * `initFaceCaptureClient`, which opens the emulator's capture channel (a WebSocket under
 * `/video-server/engine.io`, protocol in the emulator's ARCHITECTURE.md) and turns its messages into
 * the SDK callbacks, in the order real integrator code relies on.
 * Plain ES2017, no dependencies, independent of the other scripts' load order.
 */
(function (global) {
  'use strict';

  var BAKED = /*@EMULATOR_BROWSER_CONFIG@*/null;
  var SDK_VERSION = 'webcapture-emulator-stub/1';
  var SCRIPT_SRC = (global.document && global.document.currentScript && global.document.currentScript.src) || '';
  var SCRIPT_ORIGIN = (function () {
    try { return new URL(SCRIPT_SRC).origin; } catch (e) { return (global.location && global.location.origin) || ''; }
  })();
  var DEFAULT_WSPATH = '/video-server/engine.io';
  /** Browser part of the scenario of the last session that opened a channel (camera, best image). */
  var sessionBrowser = null;

  /**
   * The emulator configuration for this page (see bioserver-environment-api.js; shared cache).
   * @returns {{scenario: ?string, browser: Object}} the scenario name and its browser part
   */
  function emulatorConfig() {
    if (global.__webcaptureEmulatorConfig) return global.__webcaptureEmulatorConfig;
    var config = BAKED || { scenario: null, browser: {} };
    var hint = pageHint();
    if (hint && hint !== config.scenario) {
      try {
        var xhr = new global.XMLHttpRequest();
        xhr.open('GET', SCRIPT_SRC.replace(/\/[^/?#]*([?#].*)?$/, '') + '/emulator/browser?scenario=' + encodeURIComponent(hint), false);
        xhr.send();
        if (xhr.status === 200) config = JSON.parse(xhr.responseText);
        else console.warn('[webcapture-emulator] unknown scenario "' + hint + '" in the page hint');
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
   * The browser-side behaviour in force: the session's scenario once a channel told it, else the page's.
   * @returns {Object} `{environment, network, camera, bestImage}`
   */
  function browserSide() {
    return sessionBrowser || emulatorConfig().browser || {};
  }

  /**
   * Calls a page callback without letting its exception (or rejected promise) break the stub.
   * @param {Function=} fn callback (may be absent, e.g. `onClientInitEnd` in the active template)
   * @param {...*} args arguments
   */
  function safeCall(fn) {
    if (typeof fn !== 'function') return;
    try {
      var r = fn.apply(null, Array.prototype.slice.call(arguments, 1));
      if (r && typeof r.catch === 'function') r.catch(function (e) { console.error('[webcapture-emulator] callback failed:', e); });
    } catch (e) {
      console.error('[webcapture-emulator] callback threw:', e);
    }
  }

  /**
   * The vendor's camera error object.
   * @param {string} name DOMException name (NotAllowedError, NotFoundError...)
   * @param {string} message explanation
   * @returns {{code: number, name: string, error: string}} the error `getMediaStream` rejects with
   */
  function cameraError(name, message) {
    return { code: 1304, name: name, error: name + ' : ' + message };
  }

  /**
   * Opens the user's camera (front camera, HD when available).
   * Rejects with `{code: 1304, name: 'NotAllowedError', error}` when access is denied (or the
   * scenario says `camera: "denied"`), with `name: 'NotFoundError'` when there is no camera.
   * @param {{videoId: string=}} mediaObjectInput the video element id (the page assigns `srcObject` itself)
   * @returns {Promise<MediaStream>} the camera stream
   */
  async function getMediaStream(mediaObjectInput) {
    void mediaObjectInput;
    var camera = browserSide().camera;
    if (camera === 'denied') throw cameraError('NotAllowedError', 'The user has denied permission to use the camera.');
    if (camera === 'missing') throw cameraError('NotFoundError', 'Requested device not found');
    var md = global.navigator && global.navigator.mediaDevices;
    if (!md || typeof md.getUserMedia !== 'function') {
      throw cameraError('NotSupportedError', 'getUserMedia is not available (a secure context, HTTPS or localhost, is required)');
    }
    try {
      return await md.getUserMedia({
        audio: false,
        video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 720 } }
      });
    } catch (e) {
      var name = (e && e.name) || 'Error';
      if (name === 'SecurityError' || name === 'PermissionDeniedError') name = 'NotAllowedError';
      if (name === 'DevicesNotFoundError' || name === 'OverconstrainedError') name = 'NotFoundError';
      throw cameraError(name, (e && e.message) || 'Could not start the camera');
    }
  }

  /**
   * The WebSocket URL of the capture channel.
   * @param {string=} base `bioserverVideoUrl` (defaults to the origin this script came from)
   * @param {string=} wspath path, with or without a leading slash (default `/video-server/engine.io`)
   * @returns {string} `ws(s)://host/path`
   */
  function channelUrl(base, wspath) {
    var root = (base || SCRIPT_ORIGIN || global.location.origin).replace(/\/+$/, '');
    var path = wspath || DEFAULT_WSPATH;
    if (path.charAt(0) !== '/') path = '/' + path;
    return (root + path).replace(/^http(s?):/i, 'ws$1:');
  }

  /**
   * Grabs one frame of a camera stream as a base64 JPEG.
   * @param {MediaStream} stream camera stream
   * @returns {Promise<string>} base64 JPEG (no `data:` prefix)
   */
  async function grabFrame(stream) {
    var video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play();
    if (!video.videoWidth) {
      await new Promise(function (resolve) {
        video.addEventListener('loadeddata', resolve, { once: true });
        setTimeout(resolve, 2000);
      });
    }
    var canvas = document.createElement('canvas');
    canvas.width = video.videoWidth || 640;
    canvas.height = video.videoHeight || 480;
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    video.pause();
    video.srcObject = null;
    return canvas.toDataURL('image/jpeg', 0.9).split(',')[1];
  }

  /**
   * Creates a face capture client for a bio-session. The promise resolves once the emulator has
   * accepted the session (after `downloadProgress` tracking events); a refusal at this point
   * (e.g. 429 lockout, 503 overload) rejects the promise and then calls `errorFn` on the next
   * macrotask, the order that leaves every template on the right screen.
   * @param {{bioSessionId: string, trackingFn: Function, errorFn: Function, showChallengeInstruction: Function,
   *   showChallengeResult: Function, onClientInitEnd: Function=, wspath: string=, bioserverVideoUrl: string=}} options
   * @returns {Promise<{startCapture: Function, cancel: Function, disconnect: Function}>} the client
   */
  function initFaceCaptureClient(options) {
    var opts = options || {};
    return new Promise(function (resolve, reject) {
      var settled = false;
      var finished = false;
      var silent = false;
      var ws;
      var stream = null;
      var closedPromise = null;

      function fail(err) {
        if (!settled) {
          settled = true;
          finished = true;
          reject(err);
          setTimeout(function () { if (!silent) safeCall(opts.errorFn, err); }, 0);
        } else if (!finished && !silent) {
          finished = true;
          safeCall(opts.errorFn, err);
        }
      }

      if (!opts.bioSessionId) {
        fail({ code: 400, error: 'bioSessionId is required by initFaceCaptureClient' });
        return;
      }
      try {
        ws = new WebSocket(channelUrl(opts.bioserverVideoUrl, opts.wspath));
      } catch (e) {
        fail({ code: 2000, error: 'Cannot open the capture channel: ' + e.message });
        return;
      }

      function send(message) {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
      }

      var client = {
        /**
         * Starts the capture on the camera stream (capture timeouts start now).
         * @param {{stream: MediaStream}} arg the stream from getMediaStream
         */
        startCapture: function (arg) {
          if (silent || finished) return;
          stream = (arg && arg.stream) || null;
          send({ type: 'startCapture' });
          if (browserSide().bestImage === 'camera' && stream) {
            grabFrame(stream).then(function (data) {
              if (!silent) send({ type: 'bestImage', data: data });
            }, function (e) {
              send({ type: 'finding', code: 'camera-frame', message: 'could not grab a camera frame: ' + e });
            });
          }
        },
        /**
         * Stops the capture (vendor API; same as disconnect, after telling the emulator).
         * @returns {Promise<void>} resolves when the channel is closed
         */
        cancel: function () {
          if (!silent && !finished) send({ type: 'cancel' });
          return client.disconnect();
        },
        /**
         * Closes the channel. Idempotent; no callback is called afterwards, not even errorFn.
         * @returns {Promise<void>} resolves when the channel is closed
         */
        disconnect: function () {
          silent = true;
          finished = true;
          if (!closedPromise) {
            closedPromise = new Promise(function (done) {
              if (ws.readyState === WebSocket.CLOSED) return done();
              ws.addEventListener('close', function () { done(); });
              setTimeout(done, 1000);
              try { ws.close(1000, 'client disconnect'); } catch (e) { done(); }
            });
          }
          return closedPromise;
        }
      };

      ws.onopen = function () {
        send({ type: 'hello', sessionId: String(opts.bioSessionId), scenario: pageHint(), userAgent: navigator.userAgent, sdk: SDK_VERSION });
      };
      ws.onmessage = function (event) {
        if (silent || finished) return;
        var msg;
        try { msg = JSON.parse(event.data); } catch (e) { return; }
        switch (msg.type) {
          case 'init':
            sessionBrowser = msg.browser || {};
            client.livenessMode = msg.livenessMode;
            client.scenario = msg.scenario;
            settled = true;
            resolve(client);
            break;
          case 'tracking':
            safeCall(opts.trackingFn, msg.data);
            break;
          case 'instruction':
            safeCall(opts.showChallengeInstruction, msg.data);
            break;
          case 'clientInitEnd':
            safeCall(opts.onClientInitEnd);
            break;
          case 'error':
            fail(msg.data);
            break;
          case 'result':
            finished = true;
            safeCall(opts.showChallengeResult, msg.data);
            break;
          default:
            break;
        }
      };
      ws.onerror = function () { /* the close event follows and says what happened */ };
      ws.onclose = function (event) {
        if (silent || finished) return;
        var reason = event.reason ? ': ' + event.reason : '';
        fail({ code: 2000, error: 'Connection to the video server lost (code ' + event.code + reason + ')' });
      };
    });
  }

  global.BioserverVideo = {
    getMediaStream: getMediaStream,
    initFaceCaptureClient: initFaceCaptureClient
  };
})(typeof window !== 'undefined' ? window : this);
