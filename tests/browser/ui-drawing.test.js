'use strict';
// BioserverVideoUI draws what the vendor documents, and is a safe no-op when nothing is drawn.
// Screenshots are kept in tests/browser/artifacts/ for people to look at.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { setup, artifact } = require('./helpers');

let env;
let page;
before(async () => {
  env = await setup();
  page = await env.open('/ui.html');
  await page.evaluate(() => window.startCamera());
});
after(async () => { if (env) await env.teardown(); });

const CIRCLES = [{ x: 340, y: 160, r: 70, pos: 'TL' }, { x: 940, y: 560, r: 70, pos: 'BR' }];
function frame(controlledPoint, targetChallengeIndex) {
  return { facex: 500, facey: 200, facew: 280, faceh: 330, w: 1280, h: 720,
    livenessActive: { challengeCircles: CIRCLES, controlledPoint, targetChallengeIndex, targetOnHover: false } };
}

test('every function is a safe no-op before anything is drawn', async () => {
  const before = await page.evaluate(() => document.body.innerHTML);
  const errors = await page.evaluate(() => {
    const errs = [];
    const calls = [
      () => BioserverVideoUI.resetLivenessActiveGraphics(),
      () => BioserverVideoUI.resetLivenessActiveGraphics({ tooltip: { enabled: true, text: 'x' } }),
      () => BioserverVideoUI.updateLivenessActiveGraphics('user-video', { downloadProgress: 0.4 }),
      () => BioserverVideoUI.updateLivenessActiveGraphics('no-such-video', { livenessActive: {} }),
      () => BioserverVideoUI.displayPassiveVideoAnimation({ positionInfo: 'TRACKER_POSITION_INFO_GOOD' }),
      () => BioserverVideoUI.stopPassiveVideoAnimation(),
      () => BioserverVideoUI.stopAnimation(),
      () => BioserverVideoUI.resetBestImage(),
      () => BioserverVideoUI.displayAndCenterBestImage(undefined, undefined, '.best-image'),
      () => BioserverVideoUI.displayBestImage(null, null, 'nothing-here'),
      () => BioserverVideoUI.displayPassiveVideoBestImage(null, null, 'best-image-pv'),
    ];
    calls.forEach((f, i) => { try { f(); } catch (e) { errs.push(i + ': ' + e); } });
    return errs;
  });
  assert.deepEqual(errors, []);
  assert.equal(await page.evaluate(() => document.body.innerHTML), before, 'nothing was added to the page');
});

test('the join-the-dots overlay draws points, numbers, lines, the controlled point and the tooltip', async () => {
  await page.evaluate(([f0, f1]) => {
    BioserverVideoUI.resetLivenessActiveGraphics({ tooltip: { enabled: true, text: 'Move the line with your head to this point', duration: '0' },
      challengePoint: { done: { color: 'OrangeRed' } } });
    BioserverVideoUI.updateLivenessActiveGraphics('user-video', f0);
    BioserverVideoUI.updateLivenessActiveGraphics('#user-video', f1);
  }, [frame({ x: 640, y: 360 }, 0), frame({ x: 760, y: 450 }, 1)]);
  const d = await page.evaluate(() => {
    const svg = document.querySelector('#wbs-video-wrapper #wbs-graphics-wrapper svg#wbs-graphics-overlay');
    const tip = document.querySelector('#wbs-tooltip');
    return {
      videoStillFound: document.querySelector('#user-video').parentElement.id,
      viewBox: svg && svg.getAttribute('viewBox'),
      done: [...svg.querySelectorAll('.wbs-point-done circle')].map((c) => [c.getAttribute('cx'), c.getAttribute('fill')]),
      target: [...svg.querySelectorAll('.wbs-point-target circle')].map((c) => [c.getAttribute('cx'), c.getAttribute('fill')]),
      numbers: [...svg.querySelectorAll('.wbs-point text')].map((t) => t.textContent),
      doneLines: svg.querySelectorAll('line.wbs-line-done').length,
      targetLine: [...svg.querySelectorAll('line.wbs-line-target')].map((l) => [l.getAttribute('x1'), l.getAttribute('x2')]),
      controlled: svg.querySelector('#wbs-controlled-point') && ['cx', 'cy', 'r'].map((a) => svg.querySelector('#wbs-controlled-point').getAttribute(a)),
      tooltip: tip && { text: tip.textContent, display: tip.style.display },
    };
  });
  assert.equal(d.videoStillFound, 'wbs-video-wrapper');
  assert.equal(d.viewBox, '0 0 1280 720');
  assert.deepEqual(d.done, [['340', 'OrangeRed']]);
  assert.deepEqual(d.target, [['940', 'DarkOrchid']]);
  assert.deepEqual(d.numbers, ['1', '2']);
  assert.equal(d.doneLines, 1, 'a line from the start to the reached point');
  assert.deepEqual(d.targetLine, [['340', '760']], 'the line from the last reached point follows the head');
  assert.deepEqual(d.controlled, ['760', '450', '40']);
  assert.deepEqual(d.tooltip, { text: 'Move the line with your head to this point', display: 'block' });
  await page.screenshot({ path: artifact('ui-join-the-dots.png') });

  await page.evaluate(() => BioserverVideoUI.resetLivenessActiveGraphics());
  const after = await page.evaluate(() => ({
    children: document.querySelector('#wbs-graphics-overlay').childElementCount,
    tip: document.querySelector('#wbs-tooltip').style.display,
  }));
  assert.deepEqual(after, { children: 0, tip: 'none' });
});

test('the passive-video oval tints outside the oval, animates its border and reacts to tracking', async () => {
  await page.evaluate(() => BioserverVideoUI.initGraphics('user-video', {
    oval: { borderSize: 8, borderColor: 'white', animatedBorderColor: '#FFA000' }, backgroundColor: 'rgba(21, 51, 112, 0.8)' }));
  const d = await page.evaluate(() => {
    const o = document.querySelector('#wbs-passive-video-overlay');
    return {
      background: o.querySelector('#wbs-oval-background').getAttribute('fill'),
      masked: o.querySelector('#wbs-oval-background').getAttribute('mask'),
      hole: !!o.querySelector('mask ellipse'),
      border: o.querySelector('#wbs-oval-border').getAttribute('stroke'),
      animated: o.querySelector('#wbs-oval-animated').getAttribute('stroke'),
    };
  });
  assert.deepEqual(d, { background: 'rgba(21, 51, 112, 0.8)', masked: 'url(#wbs-oval-mask)', hole: true, border: 'white', animated: '#FFA000' });
  const offsets = [];
  for (let i = 0; i < 2; i++) {
    offsets.push(await page.evaluate(() => getComputedStyle(document.querySelector('#wbs-oval-animated')).strokeDashoffset));
    await page.waitForTimeout(300);
  }
  assert.notEqual(offsets[0], offsets[1], 'the border moves');
  await page.screenshot({ path: artifact('ui-passive-video-oval.png') });

  await page.evaluate(() => BioserverVideoUI.displayPassiveVideoAnimation({ positionInfo: 'TRACKER_POSITION_INFO_GOOD', targetInfo: { stability: 0.8, targetR: 260 } }));
  const scanning = await page.evaluate(() => {
    const b = document.querySelector('#wbs-oval-border');
    return [b.getAttribute('data-state'), b.getAttribute('stroke')];
  });
  assert.deepEqual(scanning, ['scanning', '#FFA000']);
  await page.screenshot({ path: artifact('ui-passive-video-scanning.png') });

  await page.evaluate(() => BioserverVideoUI.stopPassiveVideoAnimation());
  assert.equal(await page.evaluate(() => document.querySelector('#wbs-passive-video-overlay')), null);
});

test('best images are centred on the face in divs, set as src on <img>, and reset everywhere', async () => {
  const d = await page.evaluate(async () => {
    const blob = await window.makeBestImage();
    BioserverVideoUI.displayAndCenterBestImage(blob, window.bestImageInfo, '.best-image');
    BioserverVideoUI.displayPassiveVideoBestImage(blob, { bestImageInfo: window.bestImageInfo }, 'best-image-pv', { oval: { borderColor: '#AC1B20' } });
    BioserverVideoUI.displayBestImage(blob, { bestImageInfo: window.bestImageInfo }, 'best-image-ipv');
    const div = document.querySelector('.best-image');
    const pv = document.querySelector('#best-image-pv');
    await new Promise((r) => document.querySelector('#best-image-ipv').complete ? r() : document.querySelector('#best-image-ipv').addEventListener('load', r, { once: true }));
    return {
      bg: div.style.backgroundImage.startsWith('url("blob:'),
      size: div.style.backgroundSize,
      position: div.style.backgroundPosition,
      innerKept: !!div.querySelector('img.inner'),
      pvBg: pv.style.backgroundImage.startsWith('url("blob:'),
      pvOval: pv.querySelector('svg.wbs-best-image-oval ellipse').getAttribute('stroke'),
      tickKept: !!pv.querySelector('img.tick'),
      imgSrc: document.querySelector('#best-image-ipv').src.startsWith('blob:'),
      imgLoaded: document.querySelector('#best-image-ipv').naturalWidth,
    };
  });
  // 200x240 box, face 260x340 at (170,210) in 600x800: the face fills 60% of the height, centred.
  const [sw, sh] = d.size.split(' ').map(parseFloat);
  const [px, py] = d.position.split(' ').map(parseFloat);
  const scale = sw / 600;
  assert.ok(Math.abs(sh - 800 * scale) <= 1);
  assert.ok(Math.abs(340 * scale - 0.6 * 240) <= 1, `face height ${340 * scale}`);
  assert.ok(Math.abs(px + 300 * scale - 100) <= 1 && Math.abs(py + 380 * scale - 120) <= 1, `face centre at the box centre: ${JSON.stringify(d)}`);
  assert.equal(d.bg, true);
  assert.equal(d.innerKept, true);
  assert.equal(d.pvBg, true);
  assert.equal(d.pvOval, '#AC1B20');
  assert.equal(d.tickKept, true);
  assert.equal(d.imgSrc, true);
  assert.equal(d.imgLoaded, 600);
  await page.screenshot({ path: artifact('ui-best-images.png') });

  const after = await page.evaluate(() => {
    BioserverVideoUI.resetBestImage();
    BioserverVideoUI.resetBestImage();
    return {
      bg: document.querySelector('.best-image').style.backgroundImage,
      pvBg: document.querySelector('#best-image-pv').style.backgroundImage,
      oval: document.querySelectorAll('.wbs-best-image-oval').length,
      tick: !!document.querySelector('#best-image-pv img.tick'),
      src: document.querySelector('#best-image-ipv').getAttribute('src'),
    };
  });
  assert.deepEqual(after, { bg: '', pvBg: '', oval: 0, tick: true, src: null });
});

test('in a plain page, a container without CSS gets a visible box with the face centred, its child kept at its corner, and reset gives the page its styles back', async () => {
  const d = await page.evaluate(async () => {
    const blob = await window.makeBestImage();
    const plain = document.querySelector('#plain-best');
    const before = plain.getBoundingClientRect().height;
    BioserverVideoUI.displayAndCenterBestImage(blob, window.bestImageInfo, '#plain-best');
    // displayed while its step is hidden, then the step is shown (the sample's GIPS success block)
    BioserverVideoUI.displayBestImage(blob, { bestImageInfo: window.bestImageInfo }, 'hidden-best');
    document.querySelector('#hidden-step').style.display = 'block';
    const layout = (el) => {
      const r = el.getBoundingClientRect();
      const [sw] = el.style.backgroundSize.split(' ').map(parseFloat);
      const [px, py] = el.style.backgroundPosition.split(' ').map(parseFloat);
      const scale = sw / 600;
      return { width: r.width, height: r.height, faceDx: px + 300 * scale - r.width / 2, faceDy: py + 380 * scale - r.height / 2, faceH: 340 * scale };
    };
    const badge = plain.querySelector('img.badge').getBoundingClientRect();
    const box = plain.getBoundingClientRect();
    return {
      before,
      plain: layout(plain),
      hidden: layout(document.querySelector('#hidden-best')),
      badge: [badge.x - box.x, badge.y - box.y],
      textBelow: document.querySelector('#plain-after').getBoundingClientRect().top >= box.bottom,
      sizedKept: [document.querySelector('.best-image').getBoundingClientRect().width, document.querySelector('.best-image').getBoundingClientRect().height],
      pixel: await (async () => {
        // the browser paints it: sample the rendered photo's centre in a canvas of the same drawing
        const img = new Image();
        img.src = plain.style.backgroundImage.slice(5, -2);
        await img.decode();
        return img.naturalWidth;
      })(),
    };
  });
  assert.equal(d.before, 0, 'the container had no height of its own');
  for (const [name, b] of [['plain', d.plain], ['hidden', d.hidden]]) {
    assert.deepEqual([b.width, b.height], [224, 224], `${name}: the default box`);
    assert.ok(Math.abs(b.faceDx) <= 1 && Math.abs(b.faceDy) <= 1, `${name}: the face is centred ${JSON.stringify(b)}`);
    assert.ok(Math.abs(b.faceH - 0.6 * 224) <= 1, `${name}: the face takes 60% of the height`);
  }
  assert.deepEqual(d.badge, [-20, -5], 'the absolutely placed child sits at the container corner');
  assert.equal(d.textBelow, true, 'the text after the image is laid out below it');
  assert.deepEqual(d.sizedKept, [200, 240], 'a container the page sized keeps its size');
  assert.equal(d.pixel, 600);

  // What a person sees: the screenshot of the container is the photo, not the page background.
  const png = await page.locator('#plain-best').screenshot();
  const painted = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const at = (x, y) => [...g.getImageData(x, y, 1, 1).data.slice(0, 3)];
    return { size: [c.width, c.height], centre: at(Math.floor(c.width / 2), Math.floor(c.height / 2)), corner: at(c.width - 3, c.height - 3) };
  }, png.toString('base64'));
  assert.ok(painted.size.every((v) => Math.abs(v - 224) <= 1), `the screenshot is the 224 px box: ${painted.size}`);
  const skin = [0xe0, 0xac, 0x69];
  assert.ok(painted.centre.every((v, i) => Math.abs(v - skin[i]) < 40), `the face (skin) is at the centre: ${painted.centre}`);
  assert.ok(painted.corner.every((v) => Math.abs(v - 0xfa) < 8), `the circle leaves the corner to the page: ${painted.corner}`);
  await page.locator('#plain').screenshot({ path: artifact('ui-plain-best-image.png') });

  const after = await page.evaluate(() => {
    BioserverVideoUI.resetBestImage();
    const el = document.querySelector('#plain-best');
    return { style: el.getAttribute('style'), height: el.getBoundingClientRect().height, badge: !!el.querySelector('img.badge') };
  });
  assert.deepEqual(after, { style: '', height: 0, badge: true });
});
