// The memory and capture-channel attacks of issue 13 (sections 4, 5, 6), each bounded in time
// and count, against a running emulator on loopback. Prints one line per attack: the answers
// seen (HTTP status / WebSocket close code), the server's RSS growth (must stay under 50 MB) and
// PASS/FAIL. Node 20, no dependencies (a minimal WebSocket client over `net` is below).
//   node bench/hostile.mjs --port P --pid PID [--ttl-port P2 --ttl-pid PID2] [--only NAME]
// Driven by bench/hostile.sh, which starts the emulators with the flags the attacks need.
import net from 'node:net';
import fs from 'node:fs';
import zlib from 'node:zlib';
import crypto from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]);
    return acc;
  }, []),
);
const HOST = '127.0.0.1';
const PORT = Number(args.port);
const PID = Number(args.pid);
const TTL_PID = Number(args['ttl-pid'] || 0);
let measured = PID;
const TTL_PORT = Number(args['ttl-port'] || 0);
const ONLY = args.only || null;
const RSS_LIMIT_MB = 50;

/** The server's resident memory in MB. */
function rssMb(pid = measured) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number((status.match(/VmRSS:\s+(\d+)/) || [])[1] || 0) / 1024;
  } catch {
    return NaN;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One HTTP request with fetch; resolves with {status, json, text}. */
async function http(method, path, body, { port = PORT, headers = {} } = {}) {
  const init = { method, headers: { apikey: 'hostile', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    if (!init.headers['content-type']) init.headers['content-type'] = 'application/json';
  }
  try {
    const res = await fetch(`http://${HOST}:${port}${path}`, init);
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, json, text };
  } catch (e) {
    return { status: 0, json: null, text: String(e.cause ? e.cause.code || e.cause : e) };
  }
}

/** Creates a bio-session; returns its id. */
async function createSession(port = PORT, scenario = null) {
  const headers = scenario ? { 'x-emulator-scenario': scenario } : {};
  const r = await http('POST', '/video-server/init-liveness-session', { livenessMode: 'LIVENESS_PASSIVE' }, { port, headers });
  if (r.status !== 201) throw new Error(`init answered ${r.status}: ${r.text}`);
  return r.json.id;
}

/** A minimal WebSocket client: text frames out (masked), text and close frames in. */
class Ws {
  /** Opens ws://HOST:port/video-server/engine.io; resolves once the 101 arrived. */
  static open(port = PORT) {
    return new Promise((resolve) => {
      const ws = new Ws();
      ws.sock = net.connect(port, HOST);
      ws.buf = Buffer.alloc(0);
      ws.upgraded = false;
      ws.messages = [];
      ws.close = null;
      ws.ended = false;
      ws.waiters = [];
      const key = crypto.randomBytes(16).toString('base64');
      ws.sock.on('connect', () => {
        ws.sock.write(`GET /video-server/engine.io HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      });
      ws.sock.on('data', (d) => {
        ws.buf = Buffer.concat([ws.buf, d]);
        if (!ws.upgraded) {
          const end = ws.buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          ws.upgraded = ws.buf.slice(0, 12).toString() === 'HTTP/1.1 101';
          ws.buf = ws.buf.slice(end + 4);
          resolve(ws);
        }
        ws.parse();
      });
      const done = () => { ws.ended = true; ws.wake(); if (!ws.upgraded) resolve(ws); };
      ws.sock.on('error', done);
      ws.sock.on('close', done);
    });
  }
  parse() {
    for (;;) {
      if (this.buf.length < 2) return;
      const op = this.buf[0] & 0x0f;
      let len = this.buf[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (this.buf.length < 10) return; len = Number(this.buf.readBigUInt64BE(2)); off = 10; }
      if (this.buf.length < off + len) return;
      const payload = this.buf.slice(off, off + len);
      this.buf = this.buf.slice(off + len);
      if (op === 1) { try { this.messages.push(JSON.parse(payload.toString())); } catch { this.messages.push({ raw: payload.toString() }); } }
      if (op === 8) this.close = { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.slice(2).toString() };
      this.wake();
    }
  }
  wake() { const w = this.waiters; this.waiters = []; w.forEach((f) => f()); }
  /** Resolves when `pred()` holds, the socket ends, or after `ms`. */
  until(pred, ms) {
    return new Promise((resolve) => {
      const check = () => {
        if (pred() || this.ended) { clearTimeout(t); resolve(pred()); return; }
        this.waiters.push(check);
      };
      const t = setTimeout(() => resolve(pred()), ms);
      check();
    });
  }
  /** Writes one masked text frame (returns false when the socket would buffer). */
  send(text) {
    return this.sendRaw(0x1, Buffer.from(typeof text === 'string' ? text : JSON.stringify(text)));
  }
  sendRaw(op, data) {
    const mask = crypto.randomBytes(4);
    let head;
    if (data.length < 126) head = Buffer.from([0x80 | op, 0x80 | data.length]);
    else if (data.length < 65536) { head = Buffer.alloc(4); head[0] = 0x80 | op; head[1] = 0x80 | 126; head.writeUInt16BE(data.length, 2); }
    else { head = Buffer.alloc(10); head[0] = 0x80 | op; head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(data.length), 2); }
    const body = Buffer.alloc(data.length);
    for (let i = 0; i < data.length; i++) body[i] = data[i] ^ mask[i & 3];
    if (this.sock.destroyed) return false;
    return this.sock.write(Buffer.concat([head, mask, body]));
  }
  destroy() { this.sock.destroy(); }
}

const results = [];
/** Runs one attack: RSS before/after (after a settle), its answers, PASS when `ok` and RSS grew < 50 MB. */
async function attack(name, before, fn) {
  if (ONLY && ONLY !== name) return;
  const rss0 = rssMb();
  const started = Date.now();
  let outcome;
  try { outcome = await fn(); } catch (e) { outcome = { ok: false, seen: `error: ${e.message}` }; }
  let peak = rssMb();
  await sleep(1500);
  peak = Math.max(peak, rssMb());
  const rss1 = rssMb();
  const growth = Math.max(peak, rss1) - rss0;
  const pass = outcome.ok && growth < RSS_LIMIT_MB;
  const line = `${pass ? 'PASS' : 'FAIL'}  ${name.padEnd(22)} ${outcome.seen} | RSS ${rss0.toFixed(0)} → peak ${peak.toFixed(0)} → ${rss1.toFixed(0)} MB (growth ${growth.toFixed(1)} MB) | ${((Date.now() - started) / 1000).toFixed(1)} s | before: ${before}`;
  console.log(line);
  results.push({ name, pass, growth, ...outcome });
}

/** Counts of each value in a list, as "v×n, ...". */
const tally = (list) => Object.entries(list.reduce((m, v) => ((m[v] = (m[v] || 0) + 1), m), {})).map(([k, n]) => `${k}×${n}`).join(', ');

// 1. Admin queue flood: 20 POSTs of 700,000 names.
await attack('queue-flood', '3.2 GB RSS, 200s', async () => {
  const body = JSON.stringify({ scenarios: new Array(700000).fill('spoof') });
  const statuses = [];
  for (let i = 0; i < 20; i++) statuses.push((await http('POST', '/__emulator/queue', body)).status);
  const mem = (await http('GET', '/__emulator/memory')).json;
  await http('DELETE', '/__emulator/queue');
  return { ok: statuses.every((s) => s === 413) && mem.queue <= mem.maxQueue, seen: `POST ${tally(statuses)}; queue ${mem.queue}/${mem.maxQueue}` };
});

// 2. Pin flood: 15,000 sessions created and pinned, 16 at a time.
await attack('pin-flood', 'pins never pruned, not listed', async () => {
  const statuses = [];
  let next = 0;
  const worker = async () => {
    while (next < 15000) {
      next++;
      try {
        const id = await createSession();
        statuses.push((await http('PUT', `/__emulator/sessions/${id}/scenario`, { scenario: 'spoof' })).status);
      } catch (e) { statuses.push(`init:${e.message.slice(0, 20)}`); }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const mem = (await http('GET', '/__emulator/memory')).json;
  await http('POST', '/__emulator/reset');
  return { ok: mem.pins <= mem.maxPins && statuses.every((s) => s === 200 || s === 429), seen: `PUT pin ${tally(statuses)}; pins ${mem.pins}/${mem.maxPins}, sessions ${mem.sessions}` };
});

// 3. 60 sockets each sending a 15 MB frame before hello (no key, no session).
await attack('pre-hello-frames', '15 MB → 939 MB RSS', async () => {
  const sockets = await Promise.all(Array.from({ length: 60 }, () => Ws.open()));
  const frame = Buffer.alloc(15 * 1024 * 1024, 0x61);
  for (const ws of sockets) ws.sendRaw(0x1, frame);
  await Promise.all(sockets.map((ws) => ws.until(() => ws.close, 15000)));
  const codes = sockets.map((ws) => (ws.close ? ws.close.code : ws.ended ? 'dropped' : 'open'));
  sockets.forEach((ws) => ws.destroy());
  return { ok: codes.every((c) => c === 1009), seen: `close ${tally(codes)}` };
});

// 4. Finding-frame flood: 300 frames of ~1.9 MB on one capture, then one GET of the transcript.
await attack('finding-flood', 'transcript 629 MB, 3.3 GB RSS', async () => {
  const id = await createSession();
  const ws = await Ws.open();
  ws.send({ type: 'hello', sessionId: id, scenario: null, userAgent: 'hostile' });
  await ws.until(() => ws.messages.some((m) => m.type === 'init'), 10000);
  const big = 'f'.repeat(640 * 1024);
  const frame = JSON.stringify({ type: 'finding', code: big, message: big, data: { x: big } });
  for (let i = 0; i < 300; i++) {
    if (!ws.send(frame)) await new Promise((r) => ws.sock.once('drain', r));
    if (ws.ended) break;
  }
  ws.send({ type: 'cancel' });
  await ws.until(() => ws.close, 20000);
  const r = await http('GET', `/__emulator/sessions/${id}`);
  ws.destroy();
  const events = r.json && r.json.events ? r.json.events.length : 0;
  return { ok: r.status === 200 && r.text.length < 8 * 1024 * 1024, seen: `close ${ws.close ? ws.close.code : 'none'}; GET transcript ${r.status}, ${(r.text.length / 1e6).toFixed(2)} MB, ${events} events, droppedEvents ${r.json ? r.json.droppedEvents || 0 : '?'}` };
});

// 5. A 20000×20000 PNG (~400 KB) uploaded 3 times concurrently, each then fetched with ?compression=true.
await attack('png-20000x20000', 'accepted; 4.8 GB peak with 3 compressions', async () => {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const c = Buffer.alloc(4); c.writeUInt32BE(crc(td)); return Buffer.concat([len, td, c]); };
  const W = 20000, H = 20000;
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(W, 0); ihdr.writeUInt32BE(H, 4); ihdr[8] = 8; ihdr[9] = 0;
  const deflate = zlib.createDeflate({ level: 9 });
  const parts = []; deflate.on('data', (d) => parts.push(d));
  const row = Buffer.alloc(W + 1);
  for (let y = 0; y < H; y++) if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  await new Promise((r) => deflate.end(r));
  const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr), chunk('IDAT', Buffer.concat(parts)), chunk('IEND', Buffer.alloc(0))]);
  const id = await createSession();
  const boundary = 'hostileboundary';
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: application/octet-stream\r\n\r\n`), png, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const answers = await Promise.all([0, 1, 2].map(async () => {
    const up = await http('POST', `/bioserver-app/v2/bio-sessions/${id}/faces`, body, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    if (up.status !== 201) return `upload ${up.status}`;
    const img = await http('GET', `/bioserver-app/v2/bio-sessions/${id}/faces/${up.json.id}/image?compression=true`);
    return `upload 201, compression ${img.status}`;
  }));
  const message = (await http('POST', `/bioserver-app/v2/bio-sessions/${id}/faces`, body, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })).json;
  return { ok: answers.every((a) => a === 'upload 400'), seen: `${(png.length / 1024).toFixed(0)} KB PNG: ${tally(answers)} ("${message && message.error}")` };
});

// 6. Racing hellos: 1,000 sockets for one session, 8 rounds.
await attack('racing-hellos', '2 of 8 rounds: two pages got a result', async () => {
  const perRound = [];
  for (let round = 0; round < 8; round++) {
    const id = await createSession();
    const sockets = await Promise.all(Array.from({ length: 1000 }, () => Ws.open()));
    for (const ws of sockets) ws.send({ type: 'hello', sessionId: id, scenario: null, userAgent: 'racer' });
    await Promise.all(sockets.map((ws) => ws.until(() => ws.messages.some((m) => m.type === 'init' || m.type === 'error'), 15000)));
    const inits = sockets.filter((ws) => ws.messages.some((m) => m.type === 'init')).length;
    const refused = sockets.filter((ws) => ws.messages.some((m) => m.type === 'error' && /already has a capture channel/.test(m.data.error))).length;
    perRound.push(`${inits}/${refused}`);
    sockets.forEach((ws) => ws.destroy());
    await sleep(200);
  }
  return { ok: perRound.every((r) => r === '1/999'), seen: `init/refused per round: ${perRound.join(' ')}` };
});

// 7. A client that never reads during a capture that sends 20 MB of frames (the plan itself,
// prepared up front, is most of the RSS growth here).
await attack('non-reading-client', 'capture stays CAPTURING forever', async () => {
  const id = await createSession(PORT, 'hostile-flood');
  const ws = await Ws.open();
  ws.send({ type: 'hello', sessionId: id, scenario: null, userAgent: 'non-reader' });
  await ws.until(() => ws.messages.some((m) => m.type === 'init'), 10000);
  ws.send({ type: 'startCapture' });
  ws.sock.pause();
  let state = '?';
  let reason = '';
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    const s = (await http('GET', `/__emulator/sessions/${id}`)).json;
    state = s && s.state;
    if (state === 'FAILED' || state === 'FINISHED') {
      const failed = (s.events || []).find((e) => e.kind === 'state' && e.data.state === 'FAILED');
      reason = failed ? JSON.stringify(failed.data.reason) : '';
      break;
    }
  }
  ws.destroy();
  return { ok: state === 'FAILED' && /stopped reading/.test(reason), seen: `session ${state} ${reason}` };
});

// 8. The TTL sweeper during a live capture (second emulator, --session-ttl 2, capture lasts 5 s).
if (TTL_PORT) {
  measured = TTL_PID || PID;
  await attack('ttl-sweep-live', 'result then 404 on liveness-challenge-result', async () => {
    const id = await createSession(TTL_PORT, 'hostile-long');
    const ws = await Ws.open(TTL_PORT);
    ws.send({ type: 'hello', sessionId: id, scenario: null, userAgent: 'slow' });
    await ws.until(() => ws.messages.some((m) => m.type === 'init'), 10000);
    ws.send({ type: 'startCapture' });
    await ws.until(() => ws.messages.some((m) => m.type === 'result'), 20000);
    const got = ws.messages.some((m) => m.type === 'result');
    const r = await http('GET', `/bioserver-app/v2/bio-sessions/${id}/liveness-challenge-result`, undefined, { port: TTL_PORT });
    await sleep(1000);
    const r2 = await http('GET', `/bioserver-app/v2/bio-sessions/${id}/liveness-challenge-result`, undefined, { port: TTL_PORT });
    ws.destroy();
    return { ok: got && r.status === 200 && r2.status === 200, seen: `page ${got ? 'got result' : 'no result'}; result ${r.status} (${r.json && r.json.livenessStatus}), 1 s later ${r2.status}` };
  });
}

const failed = results.filter((r) => !r.pass);
console.log(`${results.length - failed.length}/${results.length} attacks PASS`);
process.exit(failed.length ? 1 : 0);
