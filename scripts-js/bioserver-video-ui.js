/*
 * webcapture-emulator stub of bioserver-video-ui.js
 *
 * Defines the global `BioserverVideoUI`: the join-the-dots overlay of active liveness, the oval of
 * passive-video liveness and the best-image helpers. Everything is drawn with plain DOM and SVG;
 * every function is a safe no-op when there is nothing to draw or reset, and accepts an element,
 * an id (with or without `#`) or a CSS selector as target.
 * Plain ES2017, no dependencies, independent of the other scripts' load order.
 */
(function (global) {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';

  var ACTIVE_DEFAULTS = {
    tooltip: { enabled: false, backgroundColor: '#ff6700', width: '200px', fontSize: '0.8em', fontColor: 'white', duration: '4',
      text: 'Move the line gently with your head to this point' },
    controlledPoint: { radius: 40, color: 'black', borderSize: '3', borderColor: 'white' },
    challengePoint: {
      done: { color: 'Lavender', borderSize: '3', borderColor: 'white', textColor: 'white', textFont: 'Helvetica', dashed: false },
      target: { color: 'DarkOrchid', borderSize: '3', borderColor: 'white', textColor: 'white', textFont: 'Helvetica', dashed: false }
    },
    challengeLines: {
      done: { color: 'Lavender', size: '5', dashed: 10 },
      target: { color: 'DarkOrchid', size: '5', dashed: 10 }
    }
  };
  var PASSIVE_DEFAULTS = {
    oval: { borderSize: 8, borderColor: '#FFFFFF', animatedBorderColor: '#FFA000' },
    backgroundColor: 'rgba(21, 51, 112, 0.8)'
  };

  var active = { options: merge(ACTIVE_DEFAULTS, {}), tooltipTimer: null, startPoint: null };
  var passive = { overlay: null, options: null, resizeObserver: null };
  var bestImages = []; // {el, url, added: [nodes], prev: {style: page's value}, prevSrc}

  /**
   * Deep merge of plain objects (options over defaults).
   * @param {Object} base defaults
   * @param {Object} over overrides
   * @returns {Object} a new merged object
   */
  function merge(base, over) {
    var out = {};
    Object.keys(base).forEach(function (k) { out[k] = base[k]; });
    Object.keys(over || {}).forEach(function (k) {
      var b = base[k];
      var o = over[k];
      out[k] = (b && typeof b === 'object' && o && typeof o === 'object') ? merge(b, o) : o;
    });
    Object.keys(out).forEach(function (k) {
      if (out[k] && typeof out[k] === 'object' && !(over && over[k])) out[k] = merge(out[k], {});
    });
    return out;
  }

  /**
   * Resolves a target: an element, an id (`user-video` or `#user-video`) or a CSS selector.
   * @param {Element|string} target element, id or selector
   * @returns {?Element} the element, or null
   */
  function resolve(target) {
    if (!target) return null;
    if (typeof target !== 'string') return target.nodeType === 1 ? target : null;
    var byId = document.getElementById(target.charAt(0) === '#' ? target.slice(1) : target);
    if (byId) return byId;
    try { return document.querySelector(target); } catch (e) { return null; }
  }

  /**
   * Creates an SVG element with attributes.
   * @param {string} tag element name
   * @param {Object} attrs attributes
   * @param {Element=} parent where to append it
   * @returns {SVGElement} the element
   */
  function svg(tag, attrs, parent) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { if (attrs[k] !== undefined && attrs[k] !== null) el.setAttribute(k, String(attrs[k])); });
    if (parent) parent.appendChild(el);
    return el;
  }

  /**
   * Wraps the video in `#wbs-video-wrapper` (once) and returns the graphics layer placed over it,
   * as the vendor's UI library does. The video keeps its id, so `querySelector('#user-video')` still works.
   * @param {HTMLVideoElement} video the camera video
   * @returns {HTMLElement} `#wbs-graphics-wrapper`
   */
  function graphicsLayer(video) {
    var wrapper = video.parentElement && video.parentElement.id === 'wbs-video-wrapper' ? video.parentElement : null;
    if (!wrapper) {
      wrapper = document.createElement('div');
      wrapper.id = 'wbs-video-wrapper';
      wrapper.style.position = 'relative';
      video.parentNode.insertBefore(wrapper, video);
      wrapper.appendChild(video);
    }
    var layer = wrapper.querySelector('#wbs-graphics-wrapper');
    if (!layer) {
      layer = document.createElement('div');
      layer.id = 'wbs-graphics-wrapper';
      layer.style.cssText = 'position:absolute;pointer-events:none;overflow:hidden;';
      wrapper.appendChild(layer);
    }
    placeOver(layer, video);
    return layer;
  }

  /**
   * Places `layer` exactly over `video`'s box, mirrored like the video.
   * @param {HTMLElement} layer absolutely positioned layer
   * @param {HTMLVideoElement} video reference element
   */
  function placeOver(layer, video) {
    layer.style.left = video.offsetLeft + 'px';
    layer.style.top = video.offsetTop + 'px';
    layer.style.width = (video.offsetWidth || 640) + 'px';
    layer.style.height = (video.offsetHeight || 480) + 'px';
    var transform = getComputedStyle(video).transform;
    layer.style.transform = transform && transform !== 'none' ? transform : '';
  }

  /**
   * Whether a layer placed by `placeOver` mirrors its content horizontally (the page mirrors its
   * selfie video with `transform: scaleX(-1)`, and the overlay follows it).
   * @param {HTMLElement} layer graphics layer
   * @returns {boolean} true when the layer's transform flips x
   */
  function isMirrored(layer) {
    var m = /^matrix\(\s*([-\d.e]+)/.exec(layer.style.transform || '');
    return !!m && parseFloat(m[1]) < 0;
  }

  /**
   * Maps a point of the overlay's viewBox (video pixels) to CSS pixels of the overlay's box,
   * honouring its preserveAspectRatio (`none`, `xMidYMid meet` or `xMidYMid slice`).
   * @param {SVGSVGElement} overlay the overlay
   * @param {number} x viewBox x
   * @param {number} y viewBox y
   * @returns {{x: number, y: number}} position inside the overlay (before any CSS transform)
   */
  function toLayer(overlay, x, y) {
    var vb = overlay.viewBox && overlay.viewBox.baseVal;
    var W = overlay.clientWidth || (overlay.parentNode && overlay.parentNode.clientWidth) || 0;
    var H = overlay.clientHeight || (overlay.parentNode && overlay.parentNode.clientHeight) || 0;
    if (!vb || !vb.width || !vb.height || !W || !H) return { x: x, y: y };
    var par = overlay.getAttribute('preserveAspectRatio') || 'xMidYMid meet';
    var sx = W / vb.width;
    var sy = H / vb.height;
    if (par !== 'none') {
      sx = sy = par.indexOf('slice') >= 0 ? Math.max(sx, sy) : Math.min(sx, sy);
    }
    return { x: (x - vb.x) * sx + (W - vb.width * sx) / 2, y: (y - vb.y) * sy + (H - vb.height * sy) / 2 };
  }

  /**
   * The preserveAspectRatio matching the video's object-fit.
   * @param {HTMLVideoElement} video the video
   * @returns {string} `xMidYMid meet` or `xMidYMid slice`
   */
  function aspectFor(video) {
    var fit = getComputedStyle(video).objectFit;
    return fit === 'cover' ? 'xMidYMid slice' : (fit === 'fill' ? 'none' : 'xMidYMid meet');
  }

  /**
   * The challenge circles as an array (the server may send an array or an object keyed "0", "1"...).
   * @param {Array|Object} circles circles
   * @returns {Array<{x: number, y: number, r: number}>} ordered circles
   */
  function circleList(circles) {
    if (!circles) return [];
    if (Array.isArray(circles)) return circles;
    return Object.keys(circles).sort(function (a, b) { return a - b; }).map(function (k) { return circles[k]; });
  }

  /**
   * Dash array for a `dashed` option (false → solid line, number → dash length).
   * @param {boolean|number|string} dashed option
   * @returns {?string} stroke-dasharray
   */
  function dash(dashed) {
    var n = parseFloat(dashed);
    return dashed === false || dashed === 'false' || !n ? null : n + ' ' + n;
  }

  /**
   * Sets the join-the-dots graphic options and clears what was drawn. Without options the
   * defaults come back. Safe before anything was drawn.
   * @param {Object=} graphicOptions tooltip, controlledPoint, challengePoint, challengeLines (vendor options)
   */
  function resetLivenessActiveGraphics(graphicOptions) {
    active.options = merge(ACTIVE_DEFAULTS, graphicOptions || {});
    active.startPoint = null;
    if (active.tooltipTimer) { clearInterval(active.tooltipTimer); active.tooltipTimer = null; }
    var overlay = document.getElementById('wbs-graphics-overlay');
    if (overlay) while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
    var tooltip = document.getElementById('wbs-tooltip');
    if (tooltip) { tooltip.style.display = 'none'; tooltip.textContent = ''; }
  }

  /**
   * Draws the join-the-dots challenge from a tracking event: done and target points (numbered
   * circles), the lines between done points, the line from the last done point to the controlled
   * point, the controlled point, and the tooltip near the target. Events without `livenessActive`
   * (e.g. `downloadProgress`) draw nothing.
   * @param {string|Element} videoElementId the camera video (id, selector or element)
   * @param {Object} trackingData the `trackingFn` event
   */
  function updateLivenessActiveGraphics(videoElementId, trackingData) {
    var la = trackingData && trackingData.livenessActive;
    if (!la) return;
    var video = resolve(videoElementId);
    if (!video || !video.parentNode) return;
    var layer = graphicsLayer(video);
    var w = trackingData.w || video.videoWidth || 1280;
    var h = trackingData.h || video.videoHeight || 720;
    var overlay = layer.querySelector('#wbs-graphics-overlay');
    if (!overlay) {
      overlay = svg('svg', { id: 'wbs-graphics-overlay' }, layer);
      overlay.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%;overflow:visible;';
    }
    overlay.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    overlay.setAttribute('preserveAspectRatio', aspectFor(video));
    while (overlay.firstChild) overlay.removeChild(overlay.firstChild);

    var o = active.options;
    var mirrored = isMirrored(layer);
    var circles = circleList(la.challengeCircles);
    var index = typeof la.targetChallengeIndex === 'number' ? la.targetChallengeIndex : parseInt(la.targetChallengeIndex, 10) || 0;
    var cp = la.controlledPoint;
    if (cp && !active.startPoint) active.startPoint = { x: cp.x, y: cp.y };

    var lines = svg('g', { 'class': 'wbs-challenge-lines' }, overlay);
    var points = svg('g', { 'class': 'wbs-challenge-points' }, overlay);
    var prev = active.startPoint;
    for (var i = 0; i < circles.length && i <= index; i++) {
      var c = circles[i];
      var done = i < index;
      var style = done ? o.challengePoint.done : o.challengePoint.target;
      if (done && prev) {
        svg('line', { 'class': 'wbs-line-done', x1: prev.x, y1: prev.y, x2: c.x, y2: c.y, stroke: o.challengeLines.done.color,
          'stroke-width': o.challengeLines.done.size, 'stroke-dasharray': dash(o.challengeLines.done.dashed), 'stroke-linecap': 'round' }, lines);
      }
      var g = svg('g', { 'class': done ? 'wbs-point wbs-point-done' : 'wbs-point wbs-point-target', 'data-index': i }, points);
      svg('circle', { cx: c.x, cy: c.y, r: c.r || 60, fill: style.color, stroke: style.borderColor, 'stroke-width': style.borderSize,
        'stroke-dasharray': dash(style.dashed), opacity: done ? 0.8 : 0.9 }, g);
      var label = svg('text', { x: c.x, y: c.y, fill: style.textColor, 'font-family': style.textFont, 'font-size': Math.round((c.r || 60) * 0.8),
        'text-anchor': 'middle', 'dominant-baseline': 'central', 'font-weight': 'bold',
        transform: mirrored ? 'translate(' + (2 * c.x) + ' 0) scale(-1 1)' : null }, g);
      label.textContent = String(i + 1);
      if (done) prev = c;
    }
    if (cp) {
      if (prev) {
        svg('line', { 'class': 'wbs-line-target', x1: prev.x, y1: prev.y, x2: cp.x, y2: cp.y, stroke: o.challengeLines.target.color,
          'stroke-width': o.challengeLines.target.size, 'stroke-dasharray': dash(o.challengeLines.target.dashed), 'stroke-linecap': 'round' }, lines);
      }
      svg('circle', { id: 'wbs-controlled-point', cx: cp.x, cy: cp.y, r: o.controlledPoint.radius, fill: o.controlledPoint.color,
        stroke: o.controlledPoint.borderColor, 'stroke-width': o.controlledPoint.borderSize }, overlay);
    }
    drawTooltip(layer, overlay, circles[index]);
  }

  /**
   * Shows the tooltip next to the target point (when enabled), toggling every `duration` seconds.
   * @param {HTMLElement} layer graphics layer
   * @param {SVGSVGElement} overlay the SVG (for coordinate conversion)
   * @param {?{x: number, y: number, r: number}} target target circle
   */
  function drawTooltip(layer, overlay, target) {
    var t = active.options.tooltip;
    var tip = layer.querySelector('#wbs-tooltip');
    if (!tip) {
      tip = document.createElement('div');
      tip.id = 'wbs-tooltip';
      tip.style.cssText = 'position:absolute;display:none;padding:6px 10px;border-radius:6px;text-align:center;pointer-events:none;z-index:2;';
      layer.insertBefore(tip, layer.firstChild);
    }
    if (!t.enabled || !target) { tip.style.display = 'none'; return; }
    tip.textContent = t.text;
    tip.style.background = t.backgroundColor;
    tip.style.width = t.width;
    tip.style.fontSize = t.fontSize;
    tip.style.color = t.fontColor;
    // Placed in the layer's own coordinates: when the layer mirrors the video, the tooltip is
    // mirrored with it (so it stays by the target) and flipped back so its text reads normally.
    // Above the target, or below it when there is no room above; always inside the video.
    var shown = tip.style.display;
    tip.style.display = 'block';
    var tw = tip.offsetWidth;
    var th = tip.offsetHeight;
    tip.style.display = shown;
    var r = target.r || 60;
    var above = toLayer(overlay, target.x, target.y - r);
    var under = toLayer(overlay, target.x, target.y + r);
    var W = layer.clientWidth || tw;
    var H = layer.clientHeight || th;
    var gap = 6;
    var y = above.y - th - gap >= 0 || under.y + th + gap > H ? above.y - th - gap : under.y + gap;
    var x = Math.min(Math.max(above.x - tw / 2, 0), Math.max(0, W - tw));
    tip.style.left = Math.round(x) + 'px';
    tip.style.top = Math.round(Math.min(Math.max(y, 0), Math.max(0, H - th))) + 'px';
    tip.style.transform = isMirrored(layer) ? 'scaleX(-1)' : '';
    var seconds = parseFloat(t.duration);
    if (!active.tooltipTimer) {
      tip.style.display = 'block';
      if (seconds > 0) {
        active.tooltipTimer = setInterval(function () {
          tip.style.display = tip.style.display === 'none' ? 'block' : 'none';
        }, seconds * 1000);
      }
    }
  }

  /**
   * Draws the passive-video oval over the camera video: a tinted background outside the oval, the
   * oval border, and an animated border that moves around the oval.
   * @param {string|Element} videoElement the camera video (id, selector or element)
   * @param {Object=} graphicOptions `{oval: {borderSize, borderColor, animatedBorderColor}, backgroundColor}`
   */
  function initPassiveVideoGraphics(videoElement, graphicOptions) {
    var video = resolve(videoElement);
    if (!video || !video.parentNode) return;
    stopPassiveVideoAnimation();
    var o = merge(PASSIVE_DEFAULTS, graphicOptions || {});
    var layer = graphicsLayer(video);
    var overlay = svg('svg', { id: 'wbs-passive-video-overlay', width: '100%', height: '100%' }, layer);
    overlay.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%;';
    passive.overlay = overlay;
    passive.options = o;
    drawOval();
    if (typeof ResizeObserver === 'function') {
      passive.resizeObserver = new ResizeObserver(function () { placeOver(layer, video); drawOval(); });
      passive.resizeObserver.observe(video);
    }
  }

  /** (Re)draws the oval at the overlay's current size. */
  function drawOval() {
    var overlay = passive.overlay;
    if (!overlay) return;
    var o = passive.options;
    var w = overlay.clientWidth || overlay.parentNode.clientWidth || 640;
    var h = overlay.clientHeight || overlay.parentNode.clientHeight || 480;
    overlay.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
    var ry = Math.min(h * 0.4, w * 0.55);
    var rx = ry * 0.75;
    var cx = w / 2;
    var cy = h / 2;
    var defs = svg('defs', {}, overlay);
    var mask = svg('mask', { id: 'wbs-oval-mask' }, defs);
    svg('rect', { x: 0, y: 0, width: w, height: h, fill: 'white' }, mask);
    svg('ellipse', { cx: cx, cy: cy, rx: rx, ry: ry, fill: 'black' }, mask);
    svg('rect', { id: 'wbs-oval-background', x: 0, y: 0, width: w, height: h, fill: o.backgroundColor, mask: 'url(#wbs-oval-mask)' }, overlay);
    svg('ellipse', { id: 'wbs-oval-border', cx: cx, cy: cy, rx: rx, ry: ry, fill: 'none', stroke: o.oval.borderColor, 'stroke-width': o.oval.borderSize }, overlay);
    var perimeter = Math.PI * (3 * (rx + ry) - Math.sqrt((3 * rx + ry) * (rx + 3 * ry)));
    var animated = svg('ellipse', { id: 'wbs-oval-animated', cx: cx, cy: cy, rx: rx, ry: ry, fill: 'none', stroke: o.oval.animatedBorderColor,
      'stroke-width': o.oval.borderSize, 'stroke-linecap': 'round', 'stroke-dasharray': (perimeter * 0.25) + ' ' + (perimeter * 0.75),
      'data-perimeter': perimeter }, overlay);
    var anim = svg('animate', { attributeName: 'stroke-dashoffset', from: 0, to: -perimeter, dur: '2s', repeatCount: 'indefinite' }, animated);
    void anim;
  }

  /**
   * Updates the oval from a tracking event: the animated border grows with `targetInfo.stability`
   * (or a face in position) and the oval turns to the animated colour when the face is well placed.
   * @param {Object} trackingInfo the `trackingFn` event
   */
  function displayPassiveVideoAnimation(trackingInfo) {
    var overlay = passive.overlay;
    if (!overlay || !trackingInfo) return;
    var animated = overlay.querySelector('#wbs-oval-animated');
    var border = overlay.querySelector('#wbs-oval-border');
    if (!animated || !border) return;
    var perimeter = parseFloat(animated.getAttribute('data-perimeter')) || 1;
    var stability = trackingInfo.targetInfo && typeof trackingInfo.targetInfo.stability === 'number' ? trackingInfo.targetInfo.stability : 0;
    var good = /GOOD|STAND_STILL/.test(trackingInfo.positionInfo || '');
    var share = stability > 0 ? Math.min(1, 0.25 + stability * 0.75) : (good ? 0.4 : 0.25);
    animated.setAttribute('stroke-dasharray', (perimeter * share) + ' ' + (perimeter * (1 - share) + 0.01));
    border.setAttribute('stroke', stability > 0 || good ? passive.options.oval.animatedBorderColor : passive.options.oval.borderColor);
    border.setAttribute('data-state', stability > 0 ? 'scanning' : (good ? 'good' : 'searching'));
  }

  /** Removes the passive-video graphics (no-op when there are none). */
  function stopPassiveVideoAnimation() {
    if (passive.resizeObserver) { passive.resizeObserver.disconnect(); passive.resizeObserver = null; }
    if (passive.overlay && passive.overlay.parentNode) passive.overlay.parentNode.removeChild(passive.overlay);
    passive.overlay = null;
  }

  /**
   * Normalises a best-image info argument: `{bestImageInfo: {...}}` (the whole challenge result) or the info itself.
   * @param {?Object} info argument
   * @returns {?{w: number, h: number, boxX: number, boxY: number, boxW: number, boxH: number}} info
   */
  function imageInfo(info) {
    if (!info) return null;
    var i = info.bestImageInfo || info.imageInfo || info;
    return typeof i.boxW === 'number' && i.boxW > 0 ? i : null;
  }

  /**
   * Turns a Blob, File or URL string into a URL usable by `<img>` and CSS, remembered for reset.
   * @param {Blob|string} image image
   * @returns {?string} URL
   */
  function imageUrl(image) {
    if (!image) return null;
    if (typeof image === 'string') return image;
    try { return URL.createObjectURL(image); } catch (e) { return null; }
  }

  /**
   * The box a best-image container gets when the page's CSS gives it none (the vendor's sample
   * styles only the tick inside it, `position: absolute; top: -5px; left: -20px`, and relies on the
   * UI script for the container's size and positioning context). 224 px is the width the sample's
   * own CSS assumes for the best image (`#best-image-ipv { margin-left: -112px }`).
   */
  var DEFAULT_BOX = { width: 224, height: 224 };
  /** The passive-video best image is a portrait with an oval ring: taller than wide. */
  var OVAL_BOX = { width: 224, height: 280 };

  /**
   * Sets one inline style on a drawn-into element, remembering the page's own value for reset.
   * @param {HTMLElement} el target
   * @param {Object} entry bookkeeping entry of `remember`
   * @param {string} prop style property (camelCase)
   * @param {string} value new value
   */
  function setStyle(el, entry, prop, value) {
    if (!Object.prototype.hasOwnProperty.call(entry.prev, prop)) entry.prev[prop] = el.style[prop];
    el.style[prop] = value;
  }

  /**
   * The size `el` is laid out at, in CSS pixels; for an element not rendered yet (inside a hidden
   * step) the size its style gives it, 0 when that is `auto`.
   * @param {HTMLElement} el target
   * @returns {{w: number, h: number}} width and height
   */
  function boxSize(el) {
    if (el.getClientRects().length) return { w: el.clientWidth, h: el.clientHeight };
    var cs = getComputedStyle(el);
    return { w: parseFloat(cs.width) || 0, h: parseFloat(cs.height) || 0 };
  }

  /**
   * Gives a best-image container what the image needs to be seen, without touching what the page
   * already gives it: a size when it has none (`box`; a full-width block of no height gets the
   * box's width too), a positioning context when it is `static` (so absolutely placed children,
   * like the sample's tick at `top: -5px; left: -20px`, sit at its corner instead of the page's),
   * and `inline-block` when it is inline. Children are never moved nor removed.
   * @param {HTMLElement} el target
   * @param {Object} entry bookkeeping entry of `remember` (the page's values are restored on reset)
   * @param {{width: number, height: number}} box size to give an unsized container
   * @param {boolean} round whether a container sized here is drawn as a circle
   */
  function ensureBox(el, entry, box, round) {
    var cs = getComputedStyle(el);
    if (cs.display === 'inline') setStyle(el, entry, 'display', 'inline-block');
    if (cs.position === 'static') setStyle(el, entry, 'position', 'relative');
    var size = boxSize(el);
    if (size.h < 2) {
      setStyle(el, entry, 'width', box.width + 'px');
      setStyle(el, entry, 'height', box.height + 'px');
      setStyle(el, entry, 'maxWidth', '100%');
      setStyle(el, entry, 'flexShrink', '0');
      if (round) setStyle(el, entry, 'borderRadius', '50%');
    } else if (size.w < 2) {
      setStyle(el, entry, 'width', box.width + 'px');
    }
  }

  /**
   * Sets `el`'s background to the image, scaled and positioned so the face box is centred.
   * @param {HTMLElement} el target
   * @param {Object} entry bookkeeping entry of `remember`
   * @param {string} url image URL
   * @param {?Object} info best-image info (image size and face box)
   * @param {number} faceShare share of the element height the face should take
   */
  function centreBackground(el, entry, url, info, faceShare) {
    setStyle(el, entry, 'backgroundImage', 'url("' + url + '")');
    setStyle(el, entry, 'backgroundRepeat', 'no-repeat');
    var size = boxSize(el);
    var W = size.w;
    var H = size.h;
    if (!info || !W || !H) {
      setStyle(el, entry, 'backgroundSize', 'cover');
      setStyle(el, entry, 'backgroundPosition', 'center');
      return;
    }
    var iw = info.w || (info.boxX * 2 + info.boxW);
    var ih = info.h || (info.boxY * 2 + info.boxH);
    var scale = Math.max((H * faceShare) / info.boxH, W / iw, H / ih);
    var cx = (info.boxX + info.boxW / 2) * scale;
    var cy = (info.boxY + info.boxH / 2) * scale;
    var x = Math.min(0, Math.max(W - iw * scale, W / 2 - cx));
    var y = Math.min(0, Math.max(H - ih * scale, H / 2 - cy));
    setStyle(el, entry, 'backgroundSize', Math.round(iw * scale) + 'px ' + Math.round(ih * scale) + 'px');
    setStyle(el, entry, 'backgroundPosition', Math.round(x) + 'px ' + Math.round(y) + 'px');
  }

  /**
   * Shows the best image in the target, centred on the face box (background-image; the target's
   * own children, e.g. a success tick, are kept). A container the page left without a size gets a
   * 224 px circle and a positioning context (`ensureBox`). On an `<img>` target it sets `src`.
   * @param {Blob|string} blob best image (Blob, File or URL)
   * @param {?Object} bestImageInfo `{w, h, boxX, boxY, boxW, boxH}` (may be undefined)
   * @param {string|Element} target selector (e.g. `.best-image`), id or element
   */
  function displayAndCenterBestImage(blob, bestImageInfo, target) {
    var el = resolve(target);
    var url = imageUrl(blob);
    if (!el || !url) return;
    var entry = remember(el, url);
    if (el.tagName === 'IMG') { el.src = url; return; }
    ensureBox(el, entry, DEFAULT_BOX, true);
    centreBackground(el, entry, url, imageInfo(bestImageInfo), 0.6);
  }

  /**
   * Shows the passive-video best image centred on the face, inside an oval border. A container the
   * page left without a size gets a 224x280 px box and a positioning context (`ensureBox`).
   * @param {Blob|File|string} bestImageBlob the image
   * @param {?Object} challengeResult the `showChallengeResult` argument or the bestImageInfo itself
   * @param {string|Element} bestImageElement element id (without `#`), selector or element
   * @param {Object=} graphicOptions `{oval: {borderSize, borderColor}}`
   */
  function displayPassiveVideoBestImage(bestImageBlob, challengeResult, bestImageElement, graphicOptions) {
    var el = resolve(bestImageElement);
    var url = imageUrl(bestImageBlob);
    if (!el || !url) return;
    var o = merge({ oval: { borderSize: 8, borderColor: '#FFFFFF' } }, graphicOptions || {});
    var entry = remember(el, url);
    if (el.tagName === 'IMG') { el.src = url; return; }
    ensureBox(el, entry, OVAL_BOX, false);
    centreBackground(el, entry, url, imageInfo(challengeResult), 0.7);
    var old = el.querySelector(':scope > .wbs-best-image-oval');
    if (old) el.removeChild(old);
    var size = boxSize(el);
    var W = size.w || OVAL_BOX.width;
    var H = size.h || OVAL_BOX.height;
    var ring = svg('svg', { 'class': 'wbs-best-image-oval', viewBox: '0 0 ' + W + ' ' + H }, null);
    ring.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none;';
    var ry = H * 0.42;
    svg('ellipse', { cx: W / 2, cy: H / 2, rx: Math.min(ry * 0.75, W * 0.45), ry: ry, fill: 'none', stroke: o.oval.borderColor,
      'stroke-width': o.oval.borderSize }, ring);
    el.appendChild(ring);
    entry.added.push(ring);
  }

  /**
   * Shows the best image without graphics: `src` of an `<img>` target, else a centred background
   * (in a 224 px box when the page gave the container no size).
   * @param {Blob|string} bestImageBlob the image
   * @param {?Object} challengeResult the `showChallengeResult` argument or the bestImageInfo (unused for `<img>`)
   * @param {string|Element} bestImageElement element id (without `#`), selector or element
   */
  function displayBestImage(bestImageBlob, challengeResult, bestImageElement) {
    var el = resolve(bestImageElement);
    var url = imageUrl(bestImageBlob);
    if (!el || !url) return;
    var entry = remember(el, url);
    if (el.tagName === 'IMG') { el.src = url; return; }
    ensureBox(el, entry, DEFAULT_BOX, false);
    centreBackground(el, entry, url, imageInfo(challengeResult), 0.6);
  }

  /**
   * Remembers what was drawn into `el` so that resetBestImage can undo it.
   * @param {HTMLElement} el target
   * @param {string} url image URL
   * @returns {Object} the bookkeeping entry
   */
  function remember(el, url) {
    for (var i = 0; i < bestImages.length; i++) {
      if (bestImages[i].el === el) { clearEntry(bestImages[i]); bestImages.splice(i, 1); break; }
    }
    var entry = { el: el, url: url, added: [], prev: {}, prevSrc: el.tagName === 'IMG' ? el.getAttribute('src') : null };
    bestImages.push(entry);
    return entry;
  }

  /**
   * Undoes one remembered drawing.
   * @param {Object} entry bookkeeping entry
   */
  function clearEntry(entry) {
    var el = entry.el;
    if (el.tagName === 'IMG') {
      if (entry.prevSrc) el.setAttribute('src', entry.prevSrc); else el.removeAttribute('src');
    } else {
      // Every style this library set goes back to the page's own inline value.
      Object.keys(entry.prev).forEach(function (prop) { el.style[prop] = entry.prev[prop]; });
    }
    entry.added.forEach(function (n) { if (n.parentNode) n.parentNode.removeChild(n); });
    if (entry.url && entry.url.indexOf('blob:') === 0) {
      try { URL.revokeObjectURL(entry.url); } catch (e) { /* already revoked */ }
    }
  }

  /** Clears every best image this library displayed, in any target (no-op when none). */
  function resetBestImage() {
    bestImages.forEach(clearEntry);
    bestImages = [];
  }

  global.BioserverVideoUI = {
    resetLivenessActiveGraphics: resetLivenessActiveGraphics,
    updateLivenessActiveGraphics: updateLivenessActiveGraphics,
    initPassiveVideoGraphics: initPassiveVideoGraphics,
    initGraphics: initPassiveVideoGraphics,
    displayPassiveVideoAnimation: displayPassiveVideoAnimation,
    stopPassiveVideoAnimation: stopPassiveVideoAnimation,
    stopAnimation: stopPassiveVideoAnimation,
    displayPassiveVideoBestImage: displayPassiveVideoBestImage,
    displayBestImage: displayBestImage,
    displayAndCenterBestImage: displayAndCenterBestImage,
    resetBestImage: resetBestImage
  };
})(typeof window !== 'undefined' ? window : this);
