/*
 * What the vendor sample app's three templates share (its commons.js, reduced to what the browser
 * tests look at): steps shown with `d-none`, overlays hidden with `d-none-fadeout`, the position
 * messages, the lockout countdown, and the calls to the integrator back end. Every screen change is
 * logged in `window.screenLog` so tests can check the order the user saw things in.
 *
 * Test-only hook: `?hold=NAME` makes the page stop at the moment named NAME (after drawing it) and
 * queue every later SDK callback until `window.release()`, so a screenshot sees a fast capture.
 */
'use strict';

const VIDEO_URL = '{{EMULATOR}}';
const HOLD = new URL(location.href).searchParams.get('hold');

window.screenLog = [];
window.callbackLog = [];
window.heldAt = null;
let holding = false;
const held = [];

/** Notes a screen change (`show`/`hide` of a step or overlay). */
function logScreen(what, id) {
  window.screenLog.push(what + ' ' + id);
}

/** Notes a callback the SDK made, with anything worth checking later. */
function logCallback(name, data) {
  window.callbackLog.push(data === undefined ? { name } : { name, data });
}

/**
 * Runs an SDK callback's body now, or later when the page is held for a screenshot.
 * @param {Function} fn body
 */
function dispatch(fn) {
  if (holding) held.push(fn);
  else fn();
}

/** Stops here if the test asked to (`?hold=name`); later callbacks wait for `release()`. */
function maybeHold(name) {
  if (HOLD === name && !window.heldAt) {
    holding = true;
    window.heldAt = name;
  }
}

/** Lets the held callbacks run, in order. */
window.release = function () {
  holding = false;
  while (held.length && !holding) held.shift()();
};

/** Shows one step, hiding the others (as the sample's `.step` handling does). */
function showStep(id) {
  document.querySelectorAll('.step').forEach((s) => s.classList.add('d-none'));
  document.querySelector(id).classList.remove('d-none');
  logScreen('step', id);
}

/** Shows one overlay of `#step-liveness .animation`, fading out the others. */
function showOverlay(id) {
  document.querySelectorAll('#step-liveness .animation > *').forEach((o) => o.classList.add('d-none-fadeout'));
  document.querySelector(id).classList.remove('d-none-fadeout');
  logScreen('overlay', id);
}

/** Fades out every overlay. */
function hideOverlays() {
  document.querySelectorAll('#step-liveness .animation > *').forEach((o) => o.classList.add('d-none-fadeout'));
  logScreen('overlay', 'none');
}

/** The ids of what is visible now: the step(s) and the overlay(s). */
window.visible = function () {
  return {
    steps: [...document.querySelectorAll('.step')].filter((s) => !s.classList.contains('d-none')).map((s) => '#' + s.id),
    overlays: [...document.querySelectorAll('#step-liveness .animation > *')]
      .filter((o) => !o.classList.contains('d-none-fadeout')).map((o) => '#' + o.id),
  };
};

/** `commons.handlePositionInfo` of passive and active (active maps brightness to "center"). */
function handlePositionInfo(positionInfo, active) {
  const info = positionInfo.replace('TRACKER_POSITION_INFO_', '');
  if (info === 'CENTER_MOVE_BACKWARDS') showOverlay('#move-further-animation');
  else if (info === 'CENTER_MOVE_FORWARDS') showOverlay('#move-closer-animation');
  else if (info === 'MOVE_DARKER_AREA' && !active) showOverlay('#darkness');
  else if (info === 'MOVE_BRIGHTER_AREA' && !active) showOverlay('#brightness');
  else showOverlay('#center-head-animation');
}

/** The sample's countdown text: `45s`, `1m 04s`, `2h 03m 04s`, `1d 2h 03m 04s`. */
function countdownText(ms) {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const pad = (n) => String(n).padStart(2, '0');
  if (d) return `${d}d ${h}h ${pad(m)}m ${pad(s)}s`;
  if (h) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** `userBlockInterval`: the countdown to `unlockDate` in `.fp-countdown`, then the retry button. */
function userBlockInterval(unlockDate) {
  const countdown = document.querySelector('.fp-countdown');
  const retry = document.querySelector('.retry-fp');
  retry.classList.add('d-none');
  const tick = () => {
    const left = unlockDate.getTime() - Date.now();
    if (!(left > 0)) {
      countdown.textContent = '';
      retry.classList.remove('d-none');
      return false;
    }
    countdown.textContent = countdownText(left);
    return true;
  };
  if (tick()) {
    const timer = setInterval(() => { if (!tick()) clearInterval(timer); }, 1000);
  }
}

/**
 * The `errorFn` branches every template has: 429 → fp-block with countdown, 503 → server
 * overloaded, anything else → the template's generic failure (a step id, or a function that shows it).
 * @param {{code: number, unlockDateTime?: string}} error what errorFn received
 * @param {string|Function} generic the step to show (or how to show it) for any other code
 * @returns {boolean} true for 429/503
 */
function handleBlockingError(error, generic) {
  if (error.code === 429) {
    window.tooManyAttempts = true;
    showStep('#step-liveness-fp-block');
    userBlockInterval(new Date(error.unlockDateTime));
    return true;
  }
  if (error.code === 503) {
    window.serverOverloaded = true;
    showStep('#step-server-overloaded');
    return true;
  }
  if (typeof generic === 'function') generic();
  else showStep(generic);
  return false;
}

/**
 * Shows the timeout step; its "try again" footer appears 2 s later in passive and active (the
 * passive-video template shows it at once).
 * @param {boolean} delayFooter hide the footer for 2 s
 */
function showTimeoutStep(delayFooter) {
  showStep('#step-liveness-timeout');
  const footer = document.querySelector('#step-liveness-timeout .footer');
  if (footer && delayFooter) {
    footer.classList.add('d-none');
    setTimeout(() => footer.classList.remove('d-none'), 2000);
  }
}

/**
 * Where a template goes when the capture did not succeed, from the back end's `message` (or the
 * template's own text for errors), as the vendor's `stopVideoCaptureAndProcessResult` branches:
 * - passive and active (commons.js): a message containing "Timeout" or "Liveness failed" shows
 *   `#step-liveness-timeout` ("We handle failed and timeout similarly"); anything else ("Something was wrong", errorFn's "Sorry, there was an issue.")
 *   shows `#step-liveness-ko` with its description set to "Liveness failed";
 * - passive-video: "Timeout" → `#step-liveness-timeout`, "Liveness failed" → `#step-liveness-ko`
 *   (its SPOOF screen), anything else → `#step-liveness-failed` ("Something went wrong").
 * @param {string=} msg the back end's message, or the template's error text
 * @param {boolean} passiveVideo the passive-video template's branching
 */
function showFailure(msg, passiveVideo) {
  if (passiveVideo) {
    if (msg && msg.includes('Timeout')) showTimeoutStep(false);
    else if (msg && msg.includes('Liveness failed')) showStep('#step-liveness-ko');
    else showStep('#step-liveness-failed');
    return;
  }
  if (msg && (msg.includes('Timeout') || msg.includes('Liveness failed'))) {
    showTimeoutStep(true);
    return;
  }
  showStep('#step-liveness-ko');
  if (msg) document.querySelector('#step-liveness-ko .description').textContent = 'Liveness failed';
  document.querySelector('#step-liveness-ko small').textContent = '';
}

/** The integrator back end's `/init-liveness-session/`: a new session id (`?ageThreshold=N` on the page is passed on). */
async function initSession(mode) {
  const age = new URL(location.href).searchParams.get('ageThreshold');
  const res = await fetch(`/video-server/init-liveness-session/?mode=${mode}` + (age ? `&ageThreshold=${encodeURIComponent(age)}` : ''));
  if (!res.ok) throw new Error(`init-liveness-session: ${res.status}`);
  return res.json();
}

/**
 * What the back end's `/liveness-challenge-result/<id>/?polling=false` gives the browser, asked
 * right after showChallengeResult (in the vendor's design core is called by the integrator's back
 * end, never by the page): `{isLivenessSucceeded, message, bestImageId?, age?, diagnostic?}`, the
 * message being "Liveness succeeded", "Liveness failed", "Timeout has expired" or "Something was
 * wrong". Logged as `backendResult`.
 * @param {string} sessionId the bio-session id
 * @returns {Promise<Object>} the back end's answer
 */
async function fetchResult(sessionId) {
  const res = await fetch(`/liveness-challenge-result/${encodeURIComponent(sessionId)}/?polling=false`);
  if (!res.ok) throw new Error(`liveness-challenge-result: ${res.status}`);
  const body = await res.json();
  logCallback('backendResult', body);
  return body;
}

/** The back end's `/bio-session/<id>/faces/<faceId>/image`, as a Blob. */
async function fetchImage(sessionId, faceId) {
  const res = await fetch(`/bio-session/${encodeURIComponent(sessionId)}/faces/${encodeURIComponent(faceId)}/image`);
  if (!res.ok) throw new Error(`image: ${res.status}`);
  return res.blob();
}

/** The options every template passes, on top of its callbacks. */
function channelOptions(sessionId) {
  return { bioSessionId: sessionId, wspath: '/video-server/engine.io', bioserverVideoUrl: VIDEO_URL };
}

/** The templates' look, reduced (steps, overlays over the video, the round best image). */
(function addStyle() {
  const style = document.createElement('style');
  style.textContent = `
    body { font-family: sans-serif; margin: 0; background: #f4f4f8; color: #222; }
    .d-none { display: none !important; }
    .d-none-fadeout { opacity: 0; }
    .step { padding: 16px; }
    .step h2 { margin: 0 0 8px; font-size: 20px; }
    .video-block { position: relative; width: 640px; height: 360px; background: #000; overflow: hidden; }
    #user-video { display: block; width: 640px; height: 360px; object-fit: cover; transform: scaleX(-1); }
    .animation { position: absolute; inset: 0; pointer-events: none; z-index: 5; }
    .animation > * { position: absolute; left: 50%; bottom: 14px; transform: translateX(-50%); white-space: nowrap;
      background: rgba(0, 0, 0, 0.75); color: #fff; padding: 8px 14px; border-radius: 8px; }
    #stop-capture { position: absolute; right: 8px; top: 8px; z-index: 6; background: #fff; border: 0; border-radius: 50%;
      width: 28px; height: 28px; font-weight: bold; }
    /* The result screens as the sample's CSS lays them out: a centred column; the best-image
       containers get no size nor positioning context (the vendor's UI script gives them their box);
       only the tick inside is placed, at the container's top-left corner. */
    .result-content { display: flex; flex-direction: column; align-items: center; justify-content: center; text-align: center; }
    .result-content p { color: #656565; margin: 0 0 28px; }
    .best-image img.tick, #best-image-age-result { position: absolute; top: -5px; left: -20px; width: 48px; height: 48px; }
    .fp-countdown { font-size: 28px; font-weight: bold; }
    /* The failure screens: an icon, a title, the tips, a button. */
    .result-content img.failure { width: 72px; height: 72px; margin: 8px 0 16px; }
    .result-content .title { font-size: 22px; font-weight: bold; color: #222; margin: 0 0 12px; }
    .result-content img.tips-animation { width: 150px; height: 150px; margin: 0 0 20px; }
    .result-content .description { display: block; font-size: 20px; margin: 0 0 8px; }
    .result-content small { display: block; color: #656565; margin: 0 0 16px; }
    .result-content .tips { text-align: left; color: #444; margin: 0 0 24px; padding-left: 22px; max-width: 560px; }
    .result-content .tips li { margin: 0 0 8px; }
    .result-content button { background: #430099; color: #fff; border: 0; border-radius: 22px; padding: 10px 32px;
      font-size: 15px; text-transform: none; cursor: pointer; }
  `;
  document.head.appendChild(style);
})();

/** A green tick like the templates' `success.svg` (kept inside the best-image target). */
const TICK = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">'
  + '<circle cx="24" cy="24" r="22" fill="#2e7d32"/><path d="M13 25l7 7 15-15" stroke="#fff" stroke-width="5" fill="none"/></svg>');
/** A red cross like the passive-video template's `failure_tick.svg` (age below the threshold). */
const CROSS = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">'
  + '<circle cx="24" cy="24" r="22" fill="#AC1B20"/><path d="M16 16l16 16M32 16l-16 16" stroke="#fff" stroke-width="5"/></svg>');
/** An orange warning sign like the templates' `failure.svg` / `somethingWentWrong.svg`. */
const WARNING = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">'
  + '<circle cx="24" cy="24" r="22" fill="#e8590c"/><path d="M24 12v15" stroke="#fff" stroke-width="5" stroke-linecap="round"/>'
  + '<circle cx="24" cy="35" r="3" fill="#fff"/></svg>');
/** A face centred in an oval frame, like the passive and active timeout step's "animation-part2". */
const CENTRE_FACE = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 150 150">'
  + '<rect x="30" y="5" width="90" height="140" rx="14" fill="#fff" stroke="#430099" stroke-width="4"/>'
  + '<ellipse cx="75" cy="70" rx="30" ry="40" fill="none" stroke="#430099" stroke-width="3" stroke-dasharray="6 5"/>'
  + '<circle cx="75" cy="64" r="18" fill="#f2c7a5"/><path d="M50 108c6-16 44-16 50 0" fill="#f2c7a5"/>'
  + '<circle cx="69" cy="62" r="2" fill="#333"/><circle cx="81" cy="62" r="2" fill="#333"/>'
  + '<path d="M69 71q6 5 12 0" stroke="#333" stroke-width="2" fill="none"/></svg>');
/** Two points joined by the head's line, like the active timeout step's "animation-full". */
const JOIN_DOTS = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 150 150">'
  + '<rect x="30" y="5" width="90" height="140" rx="14" fill="#fff" stroke="#430099" stroke-width="4"/>'
  + '<circle cx="75" cy="78" r="16" fill="#f2c7a5"/><line x1="75" y1="78" x2="52" y2="32" stroke="#430099" stroke-width="3" stroke-dasharray="5 4"/>'
  + '<circle cx="52" cy="32" r="10" fill="#430099"/><text x="52" y="36" font-size="12" fill="#fff" text-anchor="middle" font-family="sans-serif">1</text>'
  + '<circle cx="98" cy="120" r="10" fill="#430099"/><text x="98" y="124" font-size="12" fill="#fff" text-anchor="middle" font-family="sans-serif">2</text></svg>');
document.addEventListener('DOMContentLoaded', () => {
  document.querySelectorAll('img.tick').forEach((img) => { img.src = TICK; });
  document.querySelectorAll('img.tips-animation').forEach((img) => { img.src = img.classList.contains('dots') ? JOIN_DOTS : CENTRE_FACE; });
  document.querySelectorAll('img.failure').forEach((img) => { img.src = WARNING; });
});
