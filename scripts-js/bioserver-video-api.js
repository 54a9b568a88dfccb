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

  /*@EMULATOR_COMMON@*/ // BAKED, SCRIPT_SRC, emulatorConfig(), pageHint(), emulatorBase(): see scripts-js/_common.js
  var SDK_VERSION = 'webcapture-emulator-stub/1';
  var SCRIPT_ORIGIN = (function () {
    try { return new URL(SCRIPT_SRC).origin; } catch (e) { return (global.location && global.location.origin) || ''; }
  })();
  var DEFAULT_WSPATH = '/video-server/engine.io';
  /** Browser part of the scenario of the last session that opened a channel (camera, best image). */
  var sessionBrowser = null;

  /* Integration findings only the page can observe (rule ids of the emulator's src/findings.rs). */
  /** The camera preview was shown before `onClientInitEnd`. */
  var RULE_VIDEO_BEFORE_INIT_END = 'video-before-client-init-end';
  /** `initFaceCaptureClient` was called without a mandatory callback. */
  var RULE_MISSING_CALLBACK = 'missing-callback-option';
  /**
   * The callbacks the vendor marks mandatory. `onClientInitEnd` is mandatory in the vendor doc too,
   * but the vendor's own active template omits it, so its absence is not reported.
   */
  var MANDATORY_CALLBACKS = ['showChallengeResult', 'trackingFn', 'errorFn', 'showChallengeInstruction'];
  /** How often the preview is looked at while `onClientInitEnd` is awaited. */
  var WATCH_INTERVAL_MS = 250;
  /** The preview is watched at most this long after the client is ready. */
  var WATCH_LIMIT_MS = 120000;
  /** Camera streams handed out by `getMediaStream`, newest last: `{stream, videoId}`. */
  var mediaStreams = [];

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
    var stream = await openCamera();
    try {
      var videoId = mediaObjectInput && typeof mediaObjectInput.videoId === 'string' ? mediaObjectInput.videoId : null;
      mediaStreams.push({ stream: stream, videoId: videoId });
      if (mediaStreams.length > 8) mediaStreams.shift();
    } catch (e) { /* detection only */ }
    return stream;
  }

  /**
   * `getUserMedia` with the scenario's camera behaviour and the vendor's error shapes.
   * @returns {Promise<MediaStream>} the camera stream
   */
  async function openCamera() {
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
   * The mandatory callbacks missing from `initFaceCaptureClient` options.
   * @param {Object} opts the options the page passed
   * @returns {string[]} names of the missing callbacks (empty when all are functions)
   */
  function missingCallbacks(opts) {
    return MANDATORY_CALLBACKS.filter(function (name) { return typeof opts[name] !== 'function'; });
  }

  /**
   * The `<video>` elements in the document that display a camera stream of `getMediaStream`:
   * those whose `srcObject` is such a stream (or `extra`), and the element named by `videoId`
   * when it shows any MediaStream.
   * @param {?MediaStream} extra the stream the page gave `startCapture`, if any
   * @returns {HTMLVideoElement[]} the candidates
   */
  function cameraVideos(extra) {
    var doc = global.document;
    if (!doc) return [];
    var streams = mediaStreams.map(function (m) { return m.stream; });
    if (extra) streams.push(extra);
    var found = [];
    var all = doc.getElementsByTagName('video');
    for (var i = 0; i < all.length; i++) {
      if (all[i].srcObject && streams.indexOf(all[i].srcObject) >= 0) found.push(all[i]);
    }
    mediaStreams.forEach(function (m) {
      var el = m.videoId && doc.getElementById(m.videoId);
      if (el && el.tagName === 'VIDEO' && el.srcObject && found.indexOf(el) < 0
        && (typeof global.MediaStream !== 'function' || el.srcObject instanceof global.MediaStream)) found.push(el);
    });
    return found;
  }

  /**
   * The product of the computed opacities of an element and its ancestors.
   * @param {Element} el element
   * @returns {number} 0 (invisible) to 1
   */
  function effectiveOpacity(el) {
    var opacity = 1;
    for (var node = el; node && node.nodeType === 1; node = node.parentElement) {
      var o = parseFloat(global.getComputedStyle(node).opacity);
      if (!isNaN(o)) opacity *= o;
    }
    return opacity;
  }

  /**
   * The alpha of a computed CSS colour (`rgb(...)`, `rgba(...)`, `transparent`).
   * @param {string} color computed colour
   * @returns {number} 0 to 1
   */
  function colorAlpha(color) {
    if (!color || color === 'transparent') return 0;
    var m = /rgba?\(([^)]*)\)/.exec(color);
    if (!m) return 1;
    var parts = m[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 4) return 1;
    var a = parts[3];
    return a.charAt(a.length - 1) === '%' ? parseFloat(a) / 100 : parseFloat(a);
  }

  /**
   * The computed `z-index` as a number (`auto` counts as 0).
   * @param {CSSStyleDeclaration} style computed style
   * @returns {number} z-index
   */
  function zIndexOf(style) {
    var z = parseInt(style.zIndex, 10);
    return isNaN(z) ? 0 : z;
  }

  /**
   * An opaque element painted over at least 90% of the visible part of the video — the page's
   * loader hiding the preview. A heuristic: the element must be positioned and come after the
   * video in the document (or have a higher z-index), be fully opaque, and have an opaque
   * background or be an image, canvas, video, svg or iframe.
   * @param {HTMLVideoElement} video the preview
   * @param {{left: number, top: number, right: number, bottom: number}} seen the video's visible rectangle
   * @returns {?Element} the covering element, or null when the video is not hidden behind one
   */
  function coveringElement(video, seen) {
    var doc = global.document;
    var area = (seen.right - seen.left) * (seen.bottom - seen.top);
    var videoZ = zIndexOf(global.getComputedStyle(video));
    var all = doc.body ? doc.body.getElementsByTagName('*') : [];
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el === video || el.contains(video) || video.contains(el)) continue;
      var r = el.getBoundingClientRect();
      var w = Math.min(r.right, seen.right) - Math.max(r.left, seen.left);
      var h = Math.min(r.bottom, seen.bottom) - Math.max(r.top, seen.top);
      if (w <= 0 || h <= 0 || w * h < 0.9 * area) continue;
      var style = global.getComputedStyle(el);
      if (style.position === 'static' || style.visibility !== 'visible') continue;
      var after = (video.compareDocumentPosition(el) & 4) !== 0; // Node.DOCUMENT_POSITION_FOLLOWING
      var z = zIndexOf(style);
      if (!(z > videoZ || (after && z >= videoZ))) continue;
      var solid = colorAlpha(style.backgroundColor) >= 0.9 || (style.backgroundImage && style.backgroundImage !== 'none')
        || /^(IMG|CANVAS|VIDEO|IFRAME|svg)$/i.test(el.tagName);
      if (solid && effectiveOpacity(el) >= 0.9) return el;
    }
    return null;
  }

  /**
   * Whether the user can see the camera image in `video`: a frame is loaded (readyState ≥ 2), the
   * element is rendered with a non-trivial size inside the viewport, not `visibility: hidden`, not
   * (nearly) transparent, and not hidden behind an opaque loader.
   * @param {HTMLVideoElement} video the preview
   * @returns {?{width: number, height: number}} its on-screen size when shown, else null
   */
  function shownSize(video) {
    if (!video.isConnected || video.readyState < 2) return null;
    var rect = video.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) return null;
    var doc = global.document.documentElement;
    var seen = {
      left: Math.max(rect.left, 0),
      top: Math.max(rect.top, 0),
      right: Math.min(rect.right, global.innerWidth || doc.clientWidth),
      bottom: Math.min(rect.bottom, global.innerHeight || doc.clientHeight)
    };
    if (seen.right - seen.left < 2 || seen.bottom - seen.top < 2) return null;
    var style = global.getComputedStyle(video);
    if (style.display === 'none' || style.visibility !== 'visible') return null;
    if (effectiveOpacity(video) < 0.05) return null;
    if (coveringElement(video, seen)) return null;
    return { width: Math.round(rect.width), height: Math.round(rect.height) };
  }

  /**
   * Watches, for one capture client, whether the page shows the camera preview before the SDK
   * calls `onClientInitEnd` (vendor rule), and reports it once through `report`. Checks run when
   * the client is ready and then every WATCH_INTERVAL_MS, on the preview's `loadeddata` and
   * `playing` events, at `startCapture`, and just before `onClientInitEnd` is delivered.
   * A page that passed no `onClientInitEnd` cannot wait for it: it is judged up to `startCapture`,
   * the moment the SDK would call it, so showing the preview as the capture starts (the vendor's
   * active template) is fine while showing it earlier (during a countdown) is reported.
   * Every check is wrapped: detection never throws into the page and never calls its callbacks.
   * @param {boolean} hasCallback whether the page passed `onClientInitEnd`
   * @param {function(string, string, Object)} report sends a finding (rule, message, data)
   * @returns {{start: Function, startCapture: Function, initEnd: Function, stop: Function}} the watcher
   */
  function initEndWatcher(hasCallback, report) {
    var running = false;
    var stopped = false;
    var timer = null;
    var deadline = 0;
    var captureStream = null;
    var captureStarted = false;
    var listened = [];

    function check(moment) {
      if (stopped || !running) return;
      try {
        if (Date.now() > deadline) { stop(); return; }
        var videos = cameraVideos(captureStream);
        for (var i = 0; i < videos.length; i++) {
          var video = videos[i];
          if (!listened.some(function (l) { return l.video === video; })) {
            var onEvent = function (event) { check('when the preview fired "' + event.type + '"'); };
            video.addEventListener('loadeddata', onEvent);
            video.addEventListener('playing', onEvent);
            listened.push({ video: video, handler: onEvent });
          }
          var size = shownSize(video);
          if (size) {
            var name = video.id ? '<video id="' + video.id + '">' : 'a <video> element';
            var message = hasCallback
              ? name + ' showed the camera stream (' + size.width + 'x' + size.height + ' px) ' + moment
                + ', before the SDK called onClientInitEnd'
              : name + ' showed the camera stream (' + size.width + 'x' + size.height + ' px) ' + moment
                + ', before startCapture; the page passed no onClientInitEnd, which the SDK calls once the capture has started';
            report(RULE_VIDEO_BEFORE_INIT_END, message, {
              videoId: video.id || null, width: size.width, height: size.height, moment: moment, onClientInitEnd: hasCallback
            });
            stop();
            return;
          }
        }
      } catch (e) { /* detection must never break the page */ }
    }

    function stop() {
      stopped = true;
      if (timer) global.clearInterval(timer);
      timer = null;
      listened.forEach(function (l) {
        try {
          l.video.removeEventListener('loadeddata', l.handler);
          l.video.removeEventListener('playing', l.handler);
        } catch (e) { /* ignore */ }
      });
      listened = [];
    }

    return {
      /** The client is ready: start looking. */
      start: function () {
        if (running || stopped) return;
        running = true;
        deadline = Date.now() + WATCH_LIMIT_MS;
        check('before startCapture');
        try {
          timer = global.setInterval(function () { check(captureStarted ? 'after startCapture' : 'before startCapture'); }, WATCH_INTERVAL_MS);
        } catch (e) { stop(); }
      },
      /**
       * The page called `startCapture`.
       * @param {?MediaStream} stream the stream it passed
       */
      startCapture: function (stream) {
        captureStream = stream || null;
        check('at startCapture');
        captureStarted = true;
        if (!hasCallback) stop();
      },
      /** `onClientInitEnd` is about to be delivered (or would be, when the page gave none). */
      initEnd: function () {
        check('when onClientInitEnd was due');
        stop();
      },
      stop: stop
    };
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
      var helloSent = false;
      var queuedReports = [];
      var reported = [];
      var watcher = initEndWatcher(typeof opts.onClientInitEnd === 'function', report);

      /**
       * Sends an integration finding to the emulator once per rule for this client; queued until
       * the channel's hello has gone out. Never throws.
       * @param {string} rule rule id (src/findings.rs)
       * @param {string} message what was observed
       * @param {Object=} data details
       */
      function report(rule, message, data) {
        try {
          if (reported.indexOf(rule) >= 0) return;
          reported.push(rule);
          var msg = { type: 'finding', code: rule, message: message, data: data || null };
          if (helloSent && ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
          else queuedReports.push(msg);
        } catch (e) { /* detection must never break the page */ }
      }

      try {
        var missing = missingCallbacks(opts);
        if (missing.length) {
          report(RULE_MISSING_CALLBACK, 'initFaceCaptureClient was called without ' + missing.join(', '), { missing: missing });
        }
      } catch (e) { /* detection must never break the page */ }

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
          watcher.startCapture(stream);
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
          watcher.stop();
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
        helloSent = true;
        queuedReports.splice(0).forEach(send);
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
            watcher.start();
            break;
          case 'tracking':
            safeCall(opts.trackingFn, msg.data);
            break;
          case 'instruction':
            safeCall(opts.showChallengeInstruction, msg.data);
            break;
          case 'clientInitEnd':
            watcher.initEnd();
            safeCall(opts.onClientInitEnd);
            break;
          case 'error':
            watcher.stop();
            fail(msg.data);
            break;
          case 'result':
            watcher.stop();
            finished = true;
            safeCall(opts.showChallengeResult, msg.data);
            break;
          default:
            break;
        }
      };
      ws.onerror = function () { /* the close event follows and says what happened */ };
      ws.onclose = function (event) {
        watcher.stop();
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
