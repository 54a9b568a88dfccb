/*
 * The emulator's built-in demo: a small integrator page that uses only the public WebCapture SDK
 * API (BioserverEnvironment, BioserverNetworkCheck, BioserverVideo, BioserverVideoUI) and follows
 * the vendor's integration rules, so it never raises a finding itself:
 * - the video is shown only after onClientInitEnd;
 * - the capture is never closed while TRACKER_CHALLENGE_PENDING;
 * - all four mandatory callbacks are given;
 * - the result is asked for once, after showChallengeResult.
 * Creating the session and reading the result are a back end's job; this page does them itself
 * (with the key `demo`) because the emulator stands in for that back end here.
 * Plain ES2017, no dependencies. `?mode=active&scenario=spoof&autostart=1` preselects and starts.
 */
(function () {
  'use strict';

  var API_KEY = 'demo';
  var LOG_MAX = 400;
  var TRACKING_LOG_EVERY_MS = 700;
  var $ = function (id) { return document.getElementById(id); };
  var video = $('user-video');
  var overlay = $('overlay');
  var logList = $('log');
  var started = 0;
  var logCount = 0;

  /** The capture in progress (null when idle). */
  var run = null;

  // ---------------------------------------------------------------- log

  var KIND_CLASS = {
    app: 'b-grey', tracking: 'b-grey', instruction: 'b-info', init: 'b-teal', result: 'b-ok',
    error: 'b-bad', rest: 'b-violet', network: 'b-teal', env: 'b-teal'
  };

  /**
   * Appends a line to the event log.
   * @param {string} kind category (instruction, tracking, error, result, rest...)
   * @param {string} text what happened
   */
  function log(kind, text) {
    var li = document.createElement('li');
    li.setAttribute('data-kind', kind);
    var t = document.createElement('span');
    t.className = 't';
    t.textContent = started ? '+' + ((Date.now() - started) / 1000).toFixed(2) + ' s' : '';
    var k = document.createElement('span');
    var b = document.createElement('span');
    b.className = 'badge ' + (KIND_CLASS[kind] || 'b-grey');
    b.textContent = kind;
    k.appendChild(b);
    var x = document.createElement('span');
    x.className = 'text';
    x.textContent = text;
    li.appendChild(t);
    li.appendChild(k);
    li.appendChild(x);
    logList.insertBefore(li, logList.firstChild);
    while (logList.children.length > LOG_MAX) logList.removeChild(logList.lastChild);
    logCount += 1;
    $('log-count').textContent = logCount + ' events';
  }

  function setOverlay(text) {
    if (text) { overlay.textContent = text; overlay.classList.remove('hidden'); } else overlay.classList.add('hidden');
  }

  function setInstruction(text) {
    var el = $('instruction');
    el.textContent = text || '';
    el.classList.toggle('hidden', !text);
  }

  function setProgress(fraction) {
    var bar = $('progress');
    if (fraction === null) { bar.classList.add('hidden'); return; }
    bar.classList.remove('hidden');
    $('progress-bar').style.width = Math.round(Math.max(0, Math.min(1, fraction)) * 100) + '%';
  }

  function badge(id, text, cls) {
    var el = $(id);
    el.textContent = text;
    el.className = 'badge ' + cls;
  }

  // ---------------------------------------------------------------- environment and network

  /** Runs the SDK's environment detection and network check, as integrator pages do on load. */
  function checkEnvironment() {
    try {
      var env = BioserverEnvironment.detection();
      var d = env && env.envDetected;
      var ok = !!(d && d.browser && d.browser.isSupported && d.os && d.os.isSupported);
      badge('env-browser', ok ? 'browser supported' : 'browser not supported', ok ? 'b-ok' : 'b-bad');
      log('env', ok ? 'environment supported' : 'environment not supported: ' + (env && env.message));
    } catch (e) {
      badge('env-browser', 'environment check failed', 'b-bad');
      log('error', 'BioserverEnvironment.detection() threw: ' + e);
    }
    try {
      BioserverNetworkCheck.connectivityMeasure({
        uploadURL: '/video-server/network-speed',
        latencyURL: '/video-server/network-latency',
        onNetworkCheckUpdate: function (r) {
          if (!r) { badge('env-network', 'network check failed', 'b-bad'); return; }
          badge('env-network', (r.goodConnectivity ? 'network good' : 'network weak') + ' · ' + Math.round(r.upload) + ' kb/s · ' + Math.round(r.latencyMs) + ' ms',
            r.goodConnectivity ? 'b-ok' : 'b-warn');
          log('network', JSON.stringify(r));
        },
        errorFn: function (err) { log('error', 'network check: ' + JSON.stringify(err)); }
      });
    } catch (e) {
      badge('env-network', 'network check unavailable', 'b-bad');
    }
  }

  // ---------------------------------------------------------------- scenarios

  /** Fills the scenario picker from the catalogue. */
  async function loadScenarios() {
    var select = $('scenario');
    try {
      var res = await fetch('/__emulator/scenarios');
      var list = await res.json();
      list.forEach(function (s) {
        if (s.source === 'folder') return; // the folder's own problem is no scenario
        var o = document.createElement('option');
        o.value = s.name;
        o.textContent = s.name + (s.valid ? '' : ' (invalid)');
        o.disabled = s.playable === false; // never valid: selecting it would be refused
        o.title = s.description || '';
        select.appendChild(o);
      });
    } catch (e) {
      log('error', 'cannot list scenarios: ' + e);
    }
    var q = new URLSearchParams(location.search);
    if (q.get('scenario')) select.value = q.get('scenario');
  }

  // ---------------------------------------------------------------- the capture

  /**
   * Creates a session the way an integrator's back end would.
   * @param {string} mode LIVENESS_PASSIVE, LIVENESS_PASSIVE_VIDEO or LIVENESS_ACTIVE
   * @param {string} scenario scenario name, or '' for the dashboard's choice
   * @returns {Promise<string>} the session id
   */
  async function createSession(mode, scenario) {
    var headers = { 'content-type': 'application/json', apikey: API_KEY };
    if (scenario) headers['X-Emulator-Scenario'] = scenario;
    var res = await fetch('/video-server/init-liveness-session', {
      method: 'POST',
      headers: headers,
      body: JSON.stringify({ livenessMode: mode, securityLevel: 'HIGH', numberOfChallenge: 2, correlationId: 'emulator-demo' })
    });
    log('rest', 'POST /video-server/init-liveness-session → ' + res.status);
    if (!res.ok) {
      var body = await res.json().catch(function () { return {}; });
      var err = new Error(body.error || ('init-liveness-session answered ' + res.status));
      err.status = res.status;
      throw err;
    }
    var location_ = res.headers.get('Location') || '';
    var id = location_.split('/bio-sessions/')[1];
    if (!id) throw new Error('init-liveness-session gave no session id (Location: ' + location_ + ')');
    return id;
  }

  function setIdle(idle) {
    $('start').disabled = !idle;
    $('mode').disabled = !idle;
    $('scenario').disabled = !idle;
    $('stop').disabled = idle;
  }

  /** Starts a capture with the chosen mode and scenario. */
  async function start() {
    if (run) return;
    logList.textContent = '';
    logCount = 0;
    started = Date.now();
    $('result').classList.add('hidden');
    setProgress(null);
    setInstruction('');
    video.classList.add('invisible');
    setOverlay('Creating the session…');
    setIdle(false);
    var mode = $('mode').value;
    var me = run = { mode: mode, client: null, pending: false, done: false, lastTrackingLog: 0, trackingCount: 0, sessionId: null };
    try {
      me.sessionId = await createSession(mode, $('scenario').value);
    } catch (e) {
      log('error', e.message);
      setOverlay(e.status === 429 ? 'Too many requests: wait before trying again.' : 'Could not create the session: ' + e.message);
      finish(me);
      return;
    }
    var link = $('session-link');
    link.href = '/__emulator/#/sessions/' + encodeURIComponent(me.sessionId);
    link.textContent = 'session ' + me.sessionId.slice(0, 8) + ' in the dashboard ↗';
    $('session-link-wrap').classList.remove('hidden');
    log('app', 'session ' + me.sessionId);
    setOverlay('Initialising the capture…');
    try {
      me.client = await BioserverVideo.initFaceCaptureClient({
        bioSessionId: me.sessionId,
        onClientInitEnd: function () { onClientInitEnd(me); },
        showChallengeInstruction: function (i) { onInstruction(me, i); },
        showChallengeResult: function (r) { return onResult(me, r); },
        trackingFn: function (t) { onTracking(me, t); },
        errorFn: function (e) { return onError(me, e); },
        wspath: '/video-server/engine.io',
        bioserverVideoUrl: location.origin
      });
    } catch (e) {
      // errorFn is called as well (on the next macrotask) and shows the screen.
      log('init', 'initFaceCaptureClient rejected: ' + JSON.stringify(e));
      return;
    }
    if (me.done || !me.client) return;
    log('init', 'capture client ready');
    var stream;
    try {
      stream = await BioserverVideo.getMediaStream({ videoId: 'user-video' });
    } catch (e) {
      log('error', 'getMediaStream: ' + JSON.stringify(e));
      setOverlay(String(e && e.name).indexOf('NotAllowed') >= 0 ? 'Camera access denied. Allow the camera and try again.' : 'No camera available.');
      stop(me);
      return;
    }
    if (me.done) return;
    // The stream is attached now but the video stays hidden until onClientInitEnd.
    video.srcObject = stream;
    me.stream = stream;
    setOverlay('Preparing…');
    if (mode === 'LIVENESS_ACTIVE' && window.BioserverVideoUI && BioserverVideoUI.resetLivenessActiveGraphics) {
      BioserverVideoUI.resetLivenessActiveGraphics();
    }
    me.client.startCapture({ stream: stream });
    log('app', 'startCapture');
  }

  function onClientInitEnd(me) {
    if (me.done) return;
    log('init', 'onClientInitEnd — showing the video');
    video.classList.remove('invisible');
    setOverlay(null);
    if (me.mode === 'LIVENESS_PASSIVE_VIDEO' && window.BioserverVideoUI && BioserverVideoUI.initPassiveVideoGraphics) {
      BioserverVideoUI.initPassiveVideoGraphics('user-video');
    }
  }

  var POSITION_TEXT = {
    TRACKER_POSITION_INFO_MOVE_BACK_INTO_FRAME: 'Move back into the frame',
    TRACKER_POSITION_INFO_CENTER_MOVE_BACKWARDS: 'Move back',
    TRACKER_POSITION_INFO_CENTER_MOVE_FORWARDS: 'Move closer',
    TRACKER_POSITION_INFO_CENTER_TURN_RIGHT: 'Turn right',
    TRACKER_POSITION_INFO_CENTER_TURN_LEFT: 'Turn left',
    TRACKER_POSITION_INFO_CENTER_ROTATE_UP: 'Look up',
    TRACKER_POSITION_INFO_CENTER_ROTATE_DOWN: 'Look down',
    TRACKER_POSITION_INFO_MOVING_TOO_FAST: 'Moving too fast',
    TRACKER_POSITION_INFO_CENTER_TILT_RIGHT: 'Tilt right',
    TRACKER_POSITION_INFO_CENTER_TILT_LEFT: 'Tilt left',
    TRACKER_POSITION_INFO_STAND_STILL: 'Stand still'
  };

  function onTracking(me, t) {
    if (me.done || !t) return;
    me.trackingCount += 1;
    if (t.downloadProgress) {
      setOverlay('Loading… ' + Math.round(t.downloadProgress * 100) + '%');
      log('tracking', 'downloadProgress ' + t.downloadProgress);
      return;
    }
    if (t.uploadProgress !== undefined) {
      setProgress(t.uploadProgress);
      log('tracking', 'uploadProgress ' + t.uploadProgress);
      return;
    }
    if (me.pending) return;
    if (t.positionInfo && POSITION_TEXT[t.positionInfo]) setInstruction(POSITION_TEXT[t.positionInfo]);
    if (me.mode === 'LIVENESS_ACTIVE' && window.BioserverVideoUI && BioserverVideoUI.updateLivenessActiveGraphics) {
      BioserverVideoUI.updateLivenessActiveGraphics('user-video', t);
    } else if (me.mode === 'LIVENESS_PASSIVE_VIDEO' && window.BioserverVideoUI && BioserverVideoUI.displayPassiveVideoAnimation) {
      BioserverVideoUI.displayPassiveVideoAnimation(t);
    }
    var now = Date.now();
    if (now - me.lastTrackingLog >= TRACKING_LOG_EVERY_MS) {
      me.lastTrackingLog = now;
      var keys = Object.keys(t).filter(function (k) { return t[k] !== undefined && t[k] !== null; });
      var shown = {};
      keys.slice(0, 8).forEach(function (k) { shown[k] = t[k]; });
      log('tracking', me.trackingCount + ' frames · ' + JSON.stringify(shown));
    }
  }

  function onInstruction(me, instruction) {
    if (me.done) return;
    log('instruction', instruction);
    var ui = window.BioserverVideoUI;
    if (instruction === 'TRACKER_CHALLENGE_PENDING') {
      me.pending = true;
      $('stop').disabled = true; // never close the capture while it is being analysed
      setInstruction('Analysing… please wait');
      if (me.mode === 'LIVENESS_ACTIVE' && ui && ui.resetLivenessActiveGraphics) ui.resetLivenessActiveGraphics();
    } else if (instruction === 'FACEFLOW_CHALLENGE_2D') {
      setInstruction('Move the line with your head to the points');
      if (ui && ui.resetLivenessActiveGraphics) ui.resetLivenessActiveGraphics({ tooltip: { enabled: true, text: 'Move the line with your head to this point' } });
    } else if (instruction === 'TRACKER_CHALLENGE_DONT_MOVE') {
      setInstruction("Don't move");
    } else {
      setInstruction(instruction);
    }
  }

  /**
   * Fetches with the demo key, as a back end would.
   * @param {string} path path on the emulator
   * @returns {Promise<Response>} the answer
   */
  async function backend(path) {
    var res = await fetch(path, { headers: { apikey: API_KEY } });
    log('rest', 'GET ' + path + ' → ' + res.status);
    return res;
  }

  async function onResult(me, arg) {
    if (me.done) return;
    log('result', 'showChallengeResult ' + JSON.stringify(arg));
    setInstruction('');
    setProgress(null);
    var base = '/bioserver-app/v2/bio-sessions/' + encodeURIComponent(me.sessionId);
    var result = null;
    try {
      var res = await backend(base + '/liveness-challenge-result');
      result = await res.json();
    } catch (e) {
      log('error', 'cannot read the result: ' + e);
    }
    $('result').classList.remove('hidden');
    $('result-json').textContent = JSON.stringify(result, null, 2);
    var status = (result && result.livenessStatus) || 'unknown';
    $('result-status').textContent = status;
    $('result-status').className = 'badge ' + (status === 'SUCCESS' ? 'b-ok' : status === 'TIMEOUT' ? 'b-warn' : 'b-bad');
    var img = $('best-image');
    img.classList.add('hidden');
    $('no-image').classList.remove('hidden');
    if (result && result.bestImageId) {
      try {
        var imgRes = await backend(base + '/faces/' + encodeURIComponent(result.bestImageId) + '/image');
        if (imgRes.ok) {
          var blob = await imgRes.blob();
          img.src = URL.createObjectURL(blob);
          img.classList.remove('hidden');
          $('no-image').classList.add('hidden');
        }
      } catch (e) {
        log('error', 'cannot load the best image: ' + e);
      }
    }
    setOverlay(status === 'SUCCESS' ? 'Liveness: SUCCESS' : 'Liveness: ' + status);
    await stop(me);
  }

  var ERROR_TEXT = {
    429: 'Too many attempts: access is temporarily disabled.',
    503: 'Server is at capacity. Try again in a few seconds.',
    1301: 'Capture timeout: no face detected.',
    1303: 'Poor video quality.',
    1304: 'No active video stream: allow the camera.',
    1100: 'Biometric services are not fully functional.',
    1200: 'Internal error while initialising.',
    1201: 'Internal error while tracking the face.',
    2000: 'Internal error.'
  };

  async function onError(me, err) {
    if (me.done) return;
    log('error', 'errorFn ' + JSON.stringify(err));
    var code = err && err.code;
    var text = ERROR_TEXT[code] || ('Error ' + code + ': ' + ((err && err.error) || 'capture failed'));
    if (code === 429 && err.unlockDateTime) {
      var until = new Date(err.unlockDateTime);
      if (!isNaN(until.getTime())) text += ' Try again at ' + until.toLocaleTimeString() + '.';
    }
    setInstruction('');
    setProgress(null);
    setOverlay(text);
    await stop(me);
  }

  /**
   * Ends a capture: disconnects the client (never during PENDING unless the capture has ended).
   * @param {Object} me the capture
   * @returns {Promise<void>} settles when disconnected
   */
  async function stop(me) {
    if (!me || me.done) return;
    me.done = true;
    if (me.client) {
      try { await me.client.disconnect(); } catch (e) { /* disconnect is best effort */ }
    }
    finish(me);
  }

  function finish(me) {
    me.done = true;
    if (me.stream) me.stream.getTracks().forEach(function (t) { t.stop(); });
    if (run === me) run = null;
    setIdle(true);
    log('app', 'capture ended');
  }

  $('start').addEventListener('click', start);
  $('stop').addEventListener('click', function () {
    if (run && run.pending) { log('app', 'the capture is being analysed; it cannot be stopped now'); return; }
    if (run) { setOverlay('Capture stopped.'); stop(run); }
  });
  $('clear-log').addEventListener('click', function () { logList.textContent = ''; logCount = 0; $('log-count').textContent = ''; });

  var params = new URLSearchParams(location.search);
  var modeParam = params.get('mode');
  if (modeParam) {
    var m = { passive: 'LIVENESS_PASSIVE', 'passive-video': 'LIVENESS_PASSIVE_VIDEO', active: 'LIVENESS_ACTIVE' }[modeParam] || modeParam;
    $('mode').value = m;
  }
  var sdkLoaded = typeof window.BioserverVideo === 'object' && typeof window.BioserverEnvironment === 'object';
  if (!sdkLoaded) {
    setOverlay('The SDK scripts did not load from /video-server/.');
    log('error', 'BioserverVideo / BioserverEnvironment missing');
  } else {
    checkEnvironment();
  }
  loadScenarios().then(function () {
    $('start').disabled = !sdkLoaded;
    if (sdkLoaded && params.get('autostart')) start();
  });
  window.__demo = { start: start, state: function () { return run; } };
})();
