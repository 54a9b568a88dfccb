/*
 * WebCapture emulator dashboard. Plain ES2017, no dependencies, no build step.
 *
 * Views (hash routes): `#/` scenarios and sessions, `#/sessions/<id>` one session's timeline,
 * `#/journal` the request journal, `#/rules` the integration rules. `/__emulator/sessions/<id>/view`
 * opens a session page directly. Data comes from the admin JSON API; `/__emulator/events` (SSE)
 * keeps everything current without reloading.
 */
(function () {
  'use strict';

  var BASE = '/__emulator';
  var TERMINAL = { FINISHED: true, FAILED: true };
  var STATE_CLASS = { CREATED: 'b-grey', CAPTURING: 'b-info', PENDING: 'b-warn', FINISHED: 'b-ok', FAILED: 'b-bad' };
  var STATUS_CLASS = { SUCCESS: 'b-ok', SPOOF: 'b-bad', FAILED: 'b-bad', ERROR: 'b-bad', TIMEOUT: 'b-warn' };
  var KIND_CLASS = {
    rest: 'b-grey', send: 'b-info', receive: 'b-violet', callback: 'b-teal', result: 'b-ok',
    finding: 'b-warn', state: 'b-grey', control: 'b-pink', note: 'b-grey', close: 'b-grey'
  };
  var KIND_LABEL = {
    rest: 'REST', send: '→ page', receive: '← page', callback: 'callback', result: 'result',
    finding: 'finding', state: 'state', control: 'control', note: 'note'
  };
  /** The vendor's errors a trainer can inject into a live capture. */
  var INJECTABLE = [
    [1301, 'Capture timeout: no face detected'],
    [1303, 'Poor video quality'],
    [1100, 'Biometric services not fully functional'],
    [1200, 'Internal error while initialising'],
    [1201, 'Internal error while tracking the face'],
    [2000, 'Internal error'],
    [503, 'Server overloaded'],
    [429, 'Too many attempts (lockout, 60 s)'],
    [1304, 'No active video stream (camera)'],
    [500, 'Internal error (500)']
  ];

  var model = {
    scenarios: [],
    defaultScenario: null,
    queue: [],
    lockouts: null,
    sessions: {},
    findingCounts: {},
    unattached: [],
    rules: [],
    current: null,
    currentControl: null,
    hiddenKinds: {},
    search: '',
    openEvents: {},
    live: false
  };
  var view = document.getElementById('view');
  var pollTimer = null;

  // ---------------------------------------------------------------- helpers

  /**
   * Builds a DOM element.
   * @param {string} tag tag name, optionally with `.class` suffixes
   * @param {Object=} attrs attributes; `on*` keys add listeners, `text` sets textContent
   * @param {...(Node|string|null|Array)} children children (null skipped, arrays flattened)
   * @returns {HTMLElement} the element
   */
  function h(tag, attrs) {
    var parts = tag.split('.');
    var el = document.createElement(parts[0]);
    if (parts.length > 1) el.className = parts.slice(1).join(' ');
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
      else el.setAttribute(k, v === true ? '' : v);
    });
    var add = function (c) {
      if (c === null || c === undefined || c === false) return;
      if (Array.isArray(c)) c.forEach(add);
      else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    };
    for (var i = 2; i < arguments.length; i++) add(arguments[i]);
    return el;
  }

  /**
   * Calls the admin API.
   * @param {string} method HTTP method
   * @param {string} path path under /__emulator
   * @param {*=} body JSON body
   * @returns {Promise<*>} the parsed answer (null for an empty one)
   */
  async function api(method, path, body) {
    var init = { method: method, headers: {} };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var res = await fetch(BASE + path, init);
    var text = await res.text();
    var data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
    if (!res.ok) {
      var msg = (data && data.error) || (res.status + ' ' + res.statusText);
      var err = new Error(msg);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  /**
   * Shows a short message in the corner.
   * @param {string} text message
   * @param {boolean=} isError shown in red
   */
  function toast(text, isError) {
    var el = h('div.toast' + (isError ? '.error' : ''), { text: text });
    document.getElementById('toasts').appendChild(el);
    setTimeout(function () { el.remove(); }, isError ? 7000 : 3000);
  }

  /**
   * Runs an action and reports its failure as a toast.
   * @param {function(): Promise<*>} fn the action
   * @param {string=} ok message on success
   * @returns {Promise<void>} settles when done
   */
  async function act(fn, ok) {
    try {
      await fn();
      if (ok) toast(ok);
    } catch (e) {
      toast(e.message || String(e), true);
    }
  }

  function shortId(id) { return String(id || '').slice(0, 8); }
  function modeName(m) { return String(m || '').replace('LIVENESS_', '').replace('_', '-').toLowerCase(); }
  function badge(text, cls) { return h('span.badge', { class: cls || 'b-grey', text: text }); }
  function stateBadge(s) { return badge(s || '?', STATE_CLASS[s] || 'b-grey'); }

  /**
   * Formats a duration for people.
   * @param {number} ms milliseconds
   * @returns {string} e.g. `4 s`, `3 min`, `2 h`
   */
  function age(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  /** @param {number} ms offset @returns {string} `+1.234 s` */
  function offset(ms) { return '+' + (ms / 1000).toFixed(3) + ' s'; }

  // ---------------------------------------------------------------- data

  /** Reloads the catalogue, the selection, the sessions and the unattached findings. */
  async function refreshAll() {
    await Promise.all([loadScenarios(), loadSelection(), loadLockouts(), loadSessions(), loadUnattached()]);
    render();
  }

  async function loadScenarios() {
    try { model.scenarios = (await api('GET', '/scenarios')) || []; } catch (e) { model.scenarios = []; }
  }

  async function loadSelection() {
    try { model.defaultScenario = ((await api('GET', '/default-scenario')) || {}).scenario || null; } catch (e) { /* older API */ }
    try {
      var q = await api('GET', '/queue');
      model.queue = Array.isArray(q) ? q : ((q && q.scenarios) || []);
    } catch (e) { /* older API */ }
  }

  async function loadLockouts() {
    try { model.lockouts = await api('GET', '/lockouts'); } catch (e) { model.lockouts = null; }
  }

  async function loadSessions() {
    try {
      var list = (await api('GET', '/sessions')) || [];
      model.sessions = {};
      list.forEach(function (s) { s.seenAt = Date.now(); model.sessions[s.id] = s; });
    } catch (e) { /* keep the last list */ }
  }

  async function loadUnattached() {
    try { model.unattached = (await api('GET', '/findings')) || []; } catch (e) { model.unattached = []; }
  }

  async function loadRules() {
    if (model.rules.length) return;
    try { model.rules = (await api('GET', '/findings/rules')) || []; } catch (e) { model.rules = []; }
  }

  // ---------------------------------------------------------------- live events

  /** Connects to the SSE stream; EventSource reconnects by itself. */
  function connectLive() {
    if (typeof EventSource !== 'function') return;
    var es = new EventSource(BASE + '/events');
    es.onopen = function () { setLive(true); };
    es.onerror = function () { setLive(false); };
    es.onmessage = function (msg) {
      var ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      onLive(ev);
    };
  }

  function setLive(on) {
    model.live = on;
    var el = document.getElementById('live');
    el.className = 'live ' + (on ? 'on' : 'off');
    el.textContent = on ? 'live' : 'offline';
  }

  /**
   * Applies one live notification.
   * @param {{type: string}} ev the notification
   */
  function onLive(ev) {
    switch (ev.type) {
      case 'hello':
      case 'lagged':
      case 'reset':
        if (ev.type === 'reset') { model.findingCounts = {}; model.unattached = []; }
        refreshAll();
        break;
      case 'scenarios':
        loadScenarios().then(render);
        break;
      case 'selection':
        if (ev.default !== undefined) model.defaultScenario = ev.default;
        if (Array.isArray(ev.queue)) model.queue = ev.queue;
        else loadSelection().then(render);
        render();
        break;
      case 'lockouts':
        if (ev.lockouts) { model.lockouts = ev.lockouts; render(); } else loadLockouts().then(render);
        break;
      case 'session':
        if (ev.session && ev.session.id) {
          var isNew = !model.sessions[ev.session.id];
          ev.session.seenAt = Date.now();
          ev.session.flash = isNew;
          model.sessions[ev.session.id] = ev.session;
          if (isNew && model.queue.length) loadSelection().then(render);
          if (model.current && model.current.id === ev.session.id) loadCurrent(ev.session.id);
          else render();
        }
        break;
      case 'finding':
        if (ev.sessionId) {
          model.findingCounts[ev.sessionId] = (model.findingCounts[ev.sessionId] || 0) + 1;
          if (model.current && model.current.id === ev.sessionId) loadCurrent(ev.sessionId);
          else render();
        } else if (ev.finding) {
          model.unattached.push(ev.finding);
          renderBanner();
        }
        break;
      case 'control':
        if (model.current && model.current.id === ev.sessionId) {
          model.currentControl = ev.control;
          loadCurrent(ev.sessionId);
        }
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- routing

  /** @returns {{name: string, id: ?string}} the view the URL asks for */
  function route() {
    var m = location.pathname.match(/\/__emulator\/sessions\/([^/]+)\/view/);
    if (m && (!location.hash || location.hash === '#' || location.hash === '#/')) return { name: 'session', id: decodeURIComponent(m[1]) };
    var hash = location.hash.replace(/^#/, '') || '/';
    var s = hash.match(/^\/sessions\/([^/]+)/);
    if (s) return { name: 'session', id: decodeURIComponent(s[1]) };
    if (hash.indexOf('/journal') === 0) return { name: 'journal' };
    if (hash.indexOf('/rules') === 0) return { name: 'rules' };
    return { name: 'home' };
  }

  function onRoute() {
    var r = route();
    clearInterval(pollTimer);
    pollTimer = null;
    document.querySelectorAll('.tabs a').forEach(function (a) {
      a.classList.toggle('active', a.getAttribute('data-tab') === r.name);
    });
    if (r.name === 'session') {
      if (!model.current || model.current.id !== r.id) {
        model.current = { id: r.id, loading: true };
        model.openEvents = {};
      }
      loadCurrent(r.id);
      pollTimer = setInterval(function () {
        var cur = model.current;
        if (cur && cur.id === r.id && !TERMINAL[cur.state]) loadCurrent(r.id);
      }, 1000);
    } else if (r.name === 'journal') {
      loadJournal();
      pollTimer = setInterval(loadJournal, 2000);
    } else if (r.name === 'rules') {
      loadRules().then(render);
    }
    render();
  }

  // ---------------------------------------------------------------- render

  function render() {
    renderBanner();
    var r = route();
    if (r.name === 'session') return renderSession();
    if (r.name === 'journal') return renderJournal();
    if (r.name === 'rules') return renderRules();
    return renderHome();
  }

  function renderBanner() {
    var el = document.getElementById('banner');
    var list = model.unattached;
    if (!list.length) { el.className = 'banner hidden'; el.textContent = ''; return; }
    var last = list[list.length - 1];
    el.className = 'banner';
    el.textContent = '';
    el.appendChild(h('span', null, h('b', { text: 'Finding without a session: ' + last.title + '. ' }), last.detail + ' — ', h('i', { text: last.fix })));
  }

  /** Renders the home view; each panel is rebuilt only when its data changed. */
  function renderHome() {
    if (!document.getElementById('home-root')) {
      view.textContent = '';
      view.appendChild(h('div.grid-home', { id: 'home-root' },
        h('div', null, h('div', { id: 'slot-selection' }), h('div', { id: 'slot-lockouts' }), h('div', { id: 'slot-catalogue' })),
        h('div', null, h('div', { id: 'slot-sessions' }))
      ));
    }
    var def = model.defaultScenario || 'success';
    fill(document.getElementById('slot-selection'), JSON.stringify([def, model.queue]), selectionPanel);
    fill(document.getElementById('slot-lockouts'), JSON.stringify(model.lockouts), lockoutPanel);
    fill(document.getElementById('slot-catalogue'), JSON.stringify([def, model.scenarios]), cataloguePanel);
    var sessionsKey = Object.keys(model.sessions).sort().map(function (id) {
      var s = model.sessions[id];
      return [id, s.state, s.livenessStatus, s.scenario, model.findingCounts[id] || 0].join(',');
    }).join(';');
    fill(document.getElementById('slot-sessions'), sessionsKey, sessionsPanel);
  }

  function selectionPanel() {
    var queue = model.queue.length
      ? model.queue.map(function (n, i) { return h('span.chip', { title: 'session #' + (i + 1) + ' from now' }, (i + 1) + '. ' + n); })
      : h('span.muted', { text: 'empty' });
    return h('section.panel', { id: 'selection' },
      h('h2', null, 'Next sessions'),
      h('div.selection', null,
        h('div', null, h('span.label', { text: 'Default' }), h('span.chip.default', { id: 'default-scenario', text: model.defaultScenario || 'success' })),
        h('div', { id: 'queue' }, h('span.label', { text: 'Queue' }), queue),
        h('button.btn.secondary.small', {
          type: 'button', id: 'clear-queue', disabled: !model.queue.length,
          onclick: function () { act(clearQueue, 'Queue cleared'); }
        }, 'Clear queue')
      ),
      h('p.muted', { style: 'margin:.6rem 0 0;font-size:.88rem' },
        'Each new session takes the head of the queue, then the default. A request header ',
        h('code', { text: 'X-Emulator-Scenario' }), ' or ', h('code', { text: '?emulator-scenario=' }), ' on the page wins over both.')
    );
  }

  /**
   * The lockout panel: the opt-in toggle, the clients locked out now and a one-click clear.
   * @returns {HTMLElement} the panel
   */
  function lockoutPanel() {
    var l = model.lockouts;
    if (!l) return h('div');
    var locked = (l.locked || []).length
      ? l.locked.map(function (x) {
        var until = new Date(x.unlockDateTime);
        return h('span.chip.locked', { title: 'errorFn 429 until ' + x.unlockDateTime },
          x.fingerprint + ' · until ' + until.toLocaleTimeString());
      })
      : h('span.muted', { text: 'none' });
    var toggle = h('input', {
      type: 'checkbox', id: 'lockout-enabled',
      onchange: function (ev) {
        var on = ev.target.checked;
        act(async function () { model.lockouts = await api('PUT', '/lockouts', { enabled: on }); render(); },
          on ? 'Lockout on' : 'Lockout off: every lock lifted');
      }
    });
    toggle.checked = !!l.enabled;
    return h('section.panel', { id: 'lockouts' },
      h('h2', null, 'Lockout'),
      h('div.selection', null,
        h('label.switch', { for: 'lockout-enabled' }, toggle,
          ' Lock a client out after ' + l.attempts + ' failed capture' + (l.attempts === 1 ? '' : 's') + ' in ' + l.windowSeconds + ' s'),
        h('div', { id: 'locked' }, h('span.label', { text: 'Locked now' }), locked),
        h('button.btn.secondary.small', {
          type: 'button', id: 'clear-lockouts', disabled: !(l.locked || []).length,
          onclick: function () {
            act(async function () { model.lockouts = await api('DELETE', '/lockouts'); render(); }, 'Lockouts cleared');
          }
        }, 'Clear lockouts')
      ),
      h('p.muted', { style: 'margin:.6rem 0 0;font-size:.88rem' },
        'Off by default, as the vendor\'s fingerprinting is a back-end option. When on, a locked-out browser gets ',
        h('code', { text: 'errorFn 429' }), ' whatever scenario is chosen. Only the user\'s failures count (SPOOF, FAILED, TIMEOUT, errors 1301/1303); the ',
        h('code', { text: 'lockout' }), ' scenario answers 429 either way.')
    );
  }

  async function clearQueue() {
    try { await api('DELETE', '/queue'); } catch (e) { await api('POST', '/queue', { scenarios: [] }); }
    model.queue = [];
    render();
  }

  function cataloguePanel() {
    var invalid = model.scenarios.filter(function (s) { return !s.valid; }).length;
    var ordered = model.scenarios.slice().sort(function (a, b) {
      return (a.valid === b.valid) ? String(a.name).localeCompare(String(b.name)) : (a.valid ? 1 : -1);
    });
    var cards = ordered.map(function (s) {
      var isDefault = s.name === (model.defaultScenario || 'success');
      var folder = s.source === 'folder';
      // `playable`: a version can be played (the last good one when the latest save is invalid).
      var playable = s.playable !== undefined ? s.playable : s.valid;
      var heading = folder ? 'The scenarios folder cannot be read:'
        : playable ? 'Last edit rejected (the last good version still plays):'
          : 'This file does not load (selecting it is refused):';
      var problems = s.error ? String(s.error).split('\n') : [];
      return h('article.scenario', { class: (isDefault ? 'is-default ' : '') + (s.valid ? '' : 'invalid'), 'data-name': s.name },
        h('div.head', null,
          h('span.name', { text: s.name }),
          badge(folder ? 'folder problem' : (s.source || 'builtin'), s.source === 'file' ? 'b-violet' : 'b-grey'),
          s.valid ? badge('valid', 'b-ok') : badge('invalid', 'b-bad'),
          isDefault ? badge('default', 'b-ok') : null,
          s.aliases && s.aliases.length ? h('span.alias', { text: 'also: ' + s.aliases.join(', ') }) : null
        ),
        h('div.desc', { text: s.description || '' }),
        problems.length ? h('div.error', null, h('strong', { text: heading }),
          h('ol.problems', null, problems.map(function (p) { return h('li', { text: p }); }))) : null,
        folder ? null : h('div.buttons', null,
          h('button.btn.small', {
            type: 'button', class: 'set-default', disabled: isDefault || !playable,
            onclick: function () {
              act(async function () {
                await api('PUT', '/default-scenario', { scenario: s.name });
                model.defaultScenario = s.name;
                render();
              }, 'Default scenario: ' + s.name);
            }
          }, isDefault ? 'Default' : 'Set as default'),
          h('button.btn.secondary.small', {
            type: 'button', class: 'queue-next', disabled: !playable,
            onclick: function () {
              act(async function () {
                var q = await api('POST', '/queue', { scenarios: [s.name] });
                model.queue = (q && q.scenarios) || model.queue.concat([s.name]);
                render();
              }, 'Queued: ' + s.name);
            }
          }, 'Queue next')
        )
      );
    });
    return h('section.panel', { id: 'catalogue' },
      h('h2', null, 'Scenario catalogue', h('span.count', { text: model.scenarios.length + ' scenarios' }),
        invalid ? badge(invalid + ' invalid', 'b-bad') : null),
      cards.length ? h('div.catalogue', null, cards) : h('div.empty', { text: 'No scenarios loaded.' })
    );
  }

  function sessionsPanel() {
    var list = Object.keys(model.sessions).map(function (id) { return model.sessions[id]; });
    list.sort(function (a, b) { return String(b.created).localeCompare(String(a.created)); });
    var rows = list.map(function (s) {
      var ageMs = (s.ageMs || 0) + (Date.now() - (s.seenAt || Date.now()));
      var n = model.findingCounts[s.id] || 0;
      var row = h('tr.clickable', {
        'data-id': s.id, class: s.flash ? 'flash' : '',
        onclick: function () { location.hash = '#/sessions/' + encodeURIComponent(s.id); }
      },
        h('td.mono', { title: s.id, text: shortId(s.id) }),
        h('td', { text: modeName(s.livenessMode) }),
        h('td.mono', { text: s.scenario || '' }),
        h('td', null, stateBadge(s.state), ' ', s.livenessStatus ? badge(s.livenessStatus, STATUS_CLASS[s.livenessStatus]) : null),
        h('td', null, n ? badge(n + ' finding' + (n > 1 ? 's' : ''), 'b-warn') : null),
        h('td.num.age', { 'data-age': ageMs, text: age(ageMs) })
      );
      s.flash = false;
      return row;
    });
    return h('section.panel', { id: 'sessions' },
      h('h2', null, 'Sessions', h('span.count', { text: list.length ? String(list.length) : '' }), h('span.spacer'),
        h('a.btn.secondary.small', { href: BASE + '/demo', target: '_blank', rel: 'noopener' }, 'Run a capture in the demo ↗')),
      rows.length
        ? h('table', null, h('thead', null, h('tr', null, h('th', { text: 'Id' }), h('th', { text: 'Mode' }), h('th', { text: 'Scenario' }), h('th', { text: 'State' }), h('th'), h('th', { text: 'Age' }))), h('tbody', null, rows))
        : h('div.empty', { text: 'No session yet. Start a capture from your page or the demo; it appears here live.' })
    );
  }

  // ---------------------------------------------------------------- session page

  /**
   * Loads one session (summary, transcript, findings, control) and re-renders its page.
   * @param {string} id session id
   */
  async function loadCurrent(id) {
    try {
      var s = await api('GET', '/sessions/' + encodeURIComponent(id));
      var findings = [];
      try { findings = (await api('GET', '/sessions/' + encodeURIComponent(id) + '/findings')) || []; } catch (e) { /* keep none */ }
      var control = null;
      try { control = ((await api('GET', '/sessions/' + encodeURIComponent(id) + '/control')) || {}).control; } catch (e) { /* none */ }
      if (!model.current || model.current.id !== id) return;
      s.findings = findings;
      model.findingCounts[id] = findings.length;
      model.current = s;
      model.currentControl = control;
    } catch (e) {
      if (!model.current || model.current.id !== id) return;
      model.current = { id: id, missing: e.message };
    }
    if (route().name === 'session') renderSession();
  }

  /**
   * Replaces the content of a slot element when `key` changed since the last render.
   * @param {HTMLElement} slot the container
   * @param {string} key what the content depends on
   * @param {function(): ?Node} build builds the new content
   */
  function fill(slot, key, build) {
    if (slot.getAttribute('data-key') === key) return;
    slot.setAttribute('data-key', key);
    slot.textContent = '';
    var node = build();
    if (node) slot.appendChild(node);
  }

  /**
   * Renders the session page. The page skeleton is built once per session and its parts are
   * updated in place, so controls keep their state (chosen error, focus) while events stream in.
   */
  function renderSession() {
    var s = model.current;
    var back = h('a', { href: '#/' }, '← all sessions');
    if (!s || s.loading) { view.textContent = ''; view.appendChild(h('div', null, back, h('p.empty', { text: 'Loading…' }))); return; }
    if (s.missing) { view.textContent = ''; view.appendChild(h('div', null, back, h('section.panel', null, h('h2', null, 'Session not found'), h('p', { text: s.missing })))); return; }
    var root = document.getElementById('session-root');
    if (!root || root.getAttribute('data-id') !== s.id) {
      view.textContent = '';
      root = h('div', { id: 'session-root', 'data-id': s.id },
        h('p', { style: 'margin:0 0 .6rem' }, back),
        h('div', { id: 'slot-head' }),
        controlsPanel(s),
        h('div', { id: 'slot-findings' }),
        timelinePanel()
      );
      view.appendChild(root);
    }
    var events = s.events || [];
    fill(document.getElementById('slot-head'), [s.state, s.livenessStatus, events.length, s.scenario].join('|'), function () {
      return h('section.panel', { id: 'session-head' },
        h('div.session-head', null,
          h('h1', { title: s.id, text: shortId(s.id) }),
          stateBadge(s.state),
          s.livenessStatus ? badge(s.livenessStatus, STATUS_CLASS[s.livenessStatus]) : null,
          h('span.spacer', { style: 'flex:1' }),
          h('a.btn.secondary.small', { href: BASE + '/sessions/' + encodeURIComponent(s.id) + '/transcript.jsonl', download: 'session-' + s.id + '.jsonl', id: 'export-session' }, 'Export JSONL')
        ),
        h('div.facts', null,
          fact('Session id', h('span.mono', { text: s.id })),
          fact('Mode', modeName(s.livenessMode)),
          fact('Scenario', h('span', null, h('span.mono', { text: s.scenario || '' }), s.selectedBy ? h('span.muted', { text: ' (by ' + s.selectedBy + ')' }) : null)),
          fact('Created', s.created ? new Date(s.created).toLocaleTimeString() : ''),
          fact('Events', String(events.length))
        )
      );
    });
    updateControls(s);
    var findings = s.findings || [];
    fill(document.getElementById('slot-findings'), JSON.stringify(findings), function () { return findingsPanel(findings); });
    updateTimeline(events);
  }

  function fact(k, v) { return h('div', null, h('span.k', { text: k }), h('span.v', null, v)); }

  /** Builds the playback controls once per session (see {@link updateControls}). */
  function controlsPanel(s) {
    var id = encodeURIComponent(s.id);
    var select = h('select', { id: 'inject-code', 'aria-label': 'Error to inject' },
      INJECTABLE.map(function (e) { return h('option', { value: String(e[0]), text: e[0] + ' — ' + e[1] }); }));
    return h('section.panel', { id: 'controls' },
      h('h2', null, 'Playback controls'),
      h('div.controls', null,
        h('button.btn.warn', { type: 'button', id: 'pause', onclick: function () { act(function () { return command(id, 'pause'); }); } }, '❚❚ Pause'),
        h('button.btn', { type: 'button', id: 'resume', onclick: function () { act(function () { return command(id, 'resume'); }); } }, '▶ Resume'),
        h('button.btn.secondary', { type: 'button', id: 'step', onclick: function () { act(function () { return command(id, 'step'); }); } }, 'Step one event ›'),
        h('span', { style: 'width:1rem' }),
        select,
        h('button.btn.danger', {
          type: 'button', id: 'inject',
          onclick: function () { act(function () { return command(id, 'inject', { code: Number(select.value) }); }, 'Injected ' + select.value); }
        }, '⚡ Inject now'),
        h('span.control-state', { id: 'control-state' })
      )
    );
  }

  /** Shows the controls of a live session with its pause state; hides them once it ended. */
  function updateControls(s) {
    var panel = document.getElementById('controls');
    if (!panel) return;
    panel.classList.toggle('hidden', !!TERMINAL[s.state]);
    var c = model.currentControl || {};
    document.getElementById('pause').disabled = !!(c.paused && !c.steps);
    document.getElementById('resume').disabled = !c.paused;
    var text = c.paused
      ? (c.waiting ? 'Paused — the capture waits before its next event' : 'Paused — stops before the next event')
      : 'Running';
    if (c.pendingInjections) text += ' · error about to be injected';
    var el = document.getElementById('control-state');
    el.textContent = text;
    el.className = 'control-state' + (c.paused ? ' paused' : '');
  }

  async function command(id, verb, body) {
    var res = await api('POST', '/sessions/' + id + '/' + verb, body);
    model.currentControl = res && res.control;
    renderSession();
  }

  function findingsPanel(list) {
    if (!list.length) return null;
    return h('section.panel', { id: 'findings' },
      h('h2', null, 'Integration findings', badge(String(list.length), 'b-warn')),
      list.map(function (f) {
        return h('div.finding', { 'data-rule': f.rule },
          h('div.title', { text: f.title }),
          h('div.detail', { text: f.detail }),
          h('div.fix', null, h('b', { text: 'Fix: ' }), f.fix),
          h('div.meta', { text: f.rule + ' · ' + offset(f.tMs || 0) })
        );
      })
    );
  }

  /**
   * A one-line summary of a transcript event.
   * @param {{kind: string, data: *}} e the event
   * @returns {string} the line
   */
  function summarise(e) {
    var d = e.data || {};
    if (typeof d !== 'object') return String(d);
    switch (e.kind) {
      case 'rest':
        return [d.method, d.path || d.uri, d.status !== undefined ? '→ ' + d.status : ''].filter(Boolean).join(' ') || JSON.stringify(d);
      case 'finding':
        return (d.title || d.rule) + ' — ' + (d.detail || '');
      case 'state':
        return d.state + (d.scenario ? ' · scenario ' + d.scenario : '') + (d.reason ? ' · ' + JSON.stringify(d.reason) : '');
      case 'result':
        return [d.livenessStatus, d.diagnostic, d.bestImageId ? 'bestImageId ' + shortId(d.bestImageId) : ''].filter(Boolean).join(' · ');
      case 'control':
        return d.command + (d.error ? ' ' + d.error.code : '');
      case 'callback':
        return [d.url, d.status !== undefined ? '→ ' + d.status : '', d.error || '', d.attempt ? '(attempt ' + d.attempt + ')' : ''].filter(Boolean).join(' ');
      case 'close':
        return 'channel closed' + (d.code ? ' (' + d.code + (d.reason ? ', ' + d.reason : '') + ')' : '');
      default:
        var type = d.type || d.event || '';
        var rest = {};
        Object.keys(d).forEach(function (k) { if (k !== 'type' && k !== 'event') rest[k] = d[k]; });
        var keys = Object.keys(rest);
        // Channel messages carry their payload in `data`: show it directly.
        var payload = keys.length === 1 && keys[0] === 'data' ? rest.data : rest;
        var tail = typeof payload === 'string' ? payload : JSON.stringify(payload);
        return (type ? type + ' ' : '') + (tail === '{}' ? '' : tail);
    }
  }

  /** Builds the timeline panel once per session (see {@link updateTimeline}). */
  function timelinePanel() {
    var search = h('input', {
      type: 'search', id: 'timeline-search', placeholder: 'Search the timeline…', value: model.search,
      oninput: function (ev) { model.search = ev.target.value; updateTimeline((model.current && model.current.events) || []); }
    });
    return h('section.panel', { id: 'timeline' },
      h('h2', null, 'Timeline', h('span.count', { id: 'timeline-count' })),
      h('div.toolbar', null, search, h('span', { id: 'kind-toggles' })),
      h('div', { id: 'timeline-list' })
    );
  }

  /**
   * Redraws the kind filters and the event list when the events or the filters changed.
   * @param {Array<{tMs: number, kind: string, data: *}>} events the transcript
   */
  function updateTimeline(events) {
    var list = document.getElementById('timeline-list');
    if (!list) return;
    var key = [events.length, JSON.stringify(model.hiddenKinds), model.search, JSON.stringify(model.openEvents)].join('|');
    if (list.getAttribute('data-key') === key) return;
    list.setAttribute('data-key', key);
    var kinds = {};
    events.forEach(function (e) { kinds[e.kind] = (kinds[e.kind] || 0) + 1; });
    var q = model.search.toLowerCase();
    var shown = events.map(function (e, i) { return { e: e, i: i }; }).filter(function (x) {
      if (model.hiddenKinds[x.e.kind]) return false;
      if (!q) return true;
      return (x.e.kind + ' ' + JSON.stringify(x.e.data)).toLowerCase().indexOf(q) >= 0;
    });
    document.getElementById('timeline-count').textContent = shown.length + ' of ' + events.length + ' events';
    var toggles = document.getElementById('kind-toggles');
    toggles.textContent = '';
    Object.keys(kinds).sort().forEach(function (k) {
      toggles.appendChild(h('span.badge.kind-toggle', {
        class: (KIND_CLASS[k] || 'b-grey') + (model.hiddenKinds[k] ? ' off' : ''), 'data-kind': k, role: 'button',
        title: 'Show or hide ' + k + ' events', style: 'margin-right:.35rem',
        onclick: function () { model.hiddenKinds[k] = !model.hiddenKinds[k]; updateTimeline(events); }
      }, (KIND_LABEL[k] || k) + ' ' + kinds[k]));
    });
    var items = shown.map(function (x) {
      var e = x.e;
      var open = !!model.openEvents[x.i];
      var isInstruction = e.data && e.data.type === 'instruction';
      return h('li', {
        class: 'k-' + e.kind + (open ? ' open' : '') + (isInstruction ? ' instruction' : ''), 'data-kind': e.kind,
        onclick: function () { model.openEvents[x.i] = !open; updateTimeline(events); }
      },
        h('span.t', { text: offset(e.tMs || 0) }),
        h('span', null, badge(KIND_LABEL[e.kind] || e.kind, KIND_CLASS[e.kind] || 'b-grey')),
        h('span.summary', { text: summarise(e) }),
        open ? h('pre', { text: JSON.stringify(e.data, null, 2) }) : null
      );
    });
    list.textContent = '';
    list.appendChild(items.length ? h('ul.timeline', null, items) : h('div.empty', { text: events.length ? 'No event matches the filter.' : 'Nothing happened yet.' }));
  }

  // ---------------------------------------------------------------- journal and rules

  var journal = [];

  async function loadJournal() {
    try {
      var j = await api('GET', '/journal');
      journal = Array.isArray(j) ? j : ((j && (j.entries || j.journal)) || []);
    } catch (e) { journal = []; }
    if (route().name === 'journal') renderJournal();
  }

  var showControlPlane = false;

  function renderJournal() {
    view.textContent = '';
    var entries = journal.filter(function (e) { return showControlPlane || String(e.uri).indexOf(BASE + '/') !== 0; });
    var rows = entries.slice().reverse().map(function (e) {
      var st = String(e.status || '');
      return h('tr', null,
        h('td.num', { text: String(e.seq) }),
        h('td.mono', { text: e.time ? new Date(e.time).toLocaleTimeString([], { hour12: false }) : '' }),
        h('td.mono', { text: e.method }),
        h('td.uri', { text: e.uri }),
        h('td.num', { class: 'status-' + st.charAt(0), text: st }),
        h('td.num', { text: e.micros !== undefined ? (e.micros / 1000).toFixed(1) + ' ms' : '' }),
        h('td', null, e.sessionId ? h('a.mono', { href: '#/sessions/' + encodeURIComponent(e.sessionId), text: shortId(e.sessionId) }) : null)
      );
    });
    view.appendChild(h('section.panel.journal', { id: 'journal' },
      h('h2', null, 'Request journal', h('span.count', { text: entries.length + ' of ' + journal.length + ' recent requests, newest first (size set by --journal-size)' }), h('span.spacer'),
        h('label', null, h('input', {
          type: 'checkbox', id: 'show-control-plane', checked: showControlPlane,
          onchange: function (ev) { showControlPlane = ev.target.checked; renderJournal(); }
        }), 'show dashboard requests')),
      rows.length
        ? h('table', null, h('thead', null, h('tr', null, ['#', 'Time', 'Method', 'Path', 'Status', 'Took', 'Session'].map(function (t) { return h('th', { text: t }); }))), h('tbody', null, rows))
        : h('div.empty', { text: 'No request to the emulated services yet.' })
    ));
  }

  function renderRules() {
    view.textContent = '';
    view.appendChild(h('section.panel', { id: 'rules' },
      h('h2', null, 'Integration rules the emulator checks'),
      h('p.muted', { text: 'Each departure is recorded once per session as a finding, shown on the session page, logged (as an error with --strict) and listed at GET /__emulator/sessions/{id}/findings.' }),
      model.rules.map(function (r) {
        return h('div.rule', null,
          h('div', null, h('b', { text: r.title }), ' ', badge(r.observer === 'page' ? 'seen by the SDK' : r.observer === 'both' ? 'SDK + emulator' : 'seen by the emulator', 'b-grey')),
          h('div.id', { text: r.id }),
          h('div', null, h('b', { style: 'color:var(--ok)', text: 'Fix: ' }), r.fix)
        );
      })
    ));
  }

  // ---------------------------------------------------------------- start

  document.getElementById('reset').addEventListener('click', function () {
    if (!window.confirm('Forget every session, lockout and the journal?')) return;
    act(async function () {
      await api('POST', '/reset');
      model.sessions = {};
      model.findingCounts = {};
      model.unattached = [];
      location.hash = '#/';
      await refreshAll();
    }, 'Emulator reset');
  });

  // Ages tick without refetching.
  setInterval(function () {
    document.querySelectorAll('td.age').forEach(function (td) {
      var base = Number(td.getAttribute('data-age')) || 0;
      var born = Number(td.getAttribute('data-born')) || Date.now();
      if (!td.getAttribute('data-born')) td.setAttribute('data-born', String(born));
      td.textContent = age(base + (Date.now() - born));
    });
  }, 1000);

  window.addEventListener('hashchange', onRoute);
  window.__dashboard = { model: model, refresh: refreshAll };
  refreshAll().then(onRoute);
  connectLive();
})();
