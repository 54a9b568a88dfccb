// Robustness runs against a running emulator: slowloris headers, idle and half-sent connections,
// clients that vanish mid-request, oversized and deeply nested JSON. Each run is bounded in time
// and ends in a recorded outcome (status, time, whether the server closed the socket, RSS and open
// file descriptors of the server before/after, and whether /__emulator/health still answers fast).
//
// Usage (bench/robustness.sh starts the server and passes these):
//   node bench/robustness.mjs --port 18085 --pid 1234 [--quick]
// Prints one line per run and a final `ROBUSTNESS {json}`; exits 1 when an outcome is not clean.
// Dependency-free (node:net only), loopback only.

import net from 'node:net';
import fs from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]);
    return acc;
  }, []),
);
const PORT = Number(args.port || 18085);
const PID = args.pid ? Number(args.pid) : null;
const QUICK = Boolean(args.quick);
const HOST = '127.0.0.1';

/** RSS (MB) and open fds of the server, or nulls when no pid was given. */
function serverStats() {
  if (!PID) return { rssMb: null, fds: null };
  try {
    const status = fs.readFileSync(`/proc/${PID}/status`, 'utf8');
    const rss = Number((status.match(/VmRSS:\s+(\d+)/) || [])[1] || 0) / 1024;
    const fds = fs.readdirSync(`/proc/${PID}/fd`).length;
    return { rssMb: Math.round(rss * 10) / 10, fds };
  } catch {
    return { rssMb: null, fds: null, gone: true };
  }
}

/** One raw HTTP exchange: writes `payload` (string/Buffer or async writer), resolves with what came back. */
function exchange(payload, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = net.connect(PORT, HOST);
    const chunks = [];
    let done = false;
    const finish = (how) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number((text.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);
      const body = text.includes('\r\n\r\n') ? text.slice(text.indexOf('\r\n\r\n') + 4) : '';
      resolve({ how, status, body: body.slice(0, 200), ms: Date.now() - started, headers: text.split('\r\n\r\n')[0] });
    };
    const timer = setTimeout(() => finish('client-timeout'), timeoutMs);
    sock.on('data', (d) => {
      chunks.push(d);
      // Stop after a complete small answer (Content-Length known and reached).
      const text = Buffer.concat(chunks).toString('latin1');
      const m = text.match(/content-length: (\d+)/i);
      const head = text.indexOf('\r\n\r\n');
      if (m && head >= 0 && Buffer.byteLength(text, 'latin1') - head - 4 >= Number(m[1])) finish('answered');
    });
    sock.on('end', () => finish('server-closed'));
    sock.on('error', (e) => finish(`error:${e.code}`));
    sock.on('connect', async () => {
      try {
        if (typeof payload === 'function') await payload(sock);
        else sock.write(payload);
      } catch (e) {
        finish(`write-error:${e.code || e.message}`);
      }
    });
  });
}

/** Health latency in ms (or a failure string). */
async function health() {
  const r = await exchange(`GET /__emulator/health HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`, { timeoutMs: 5000 });
  return r.status === 200 ? r.ms : `failed(${r.how},${r.status})`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const results = [];
function record(name, outcome, clean, details = {}) {
  const line = { name, outcome, clean, ...details, server: serverStats() };
  results.push(line);
  const tag = clean === 'n/a' ? 'N/A    ' : clean ? 'CLEAN  ' : 'UNCLEAN';
  console.log(`${tag}  ${name}: ${outcome}  ${JSON.stringify({ ...details, server: line.server })}`);
}

/** Verdict for a body the server must refuse: a 4xx JSON error, or (for bodies the server stops
 * reading) the connection closed by the server quickly — the client then cannot read the answer
 * because the kernel resets a socket closed with unread data. 404 = the endpoint is not in this
 * build, reported as n/a. */
function refused(r, wantStatus) {
  if (r.status === 404) return 'n/a';
  if (wantStatus ? r.status === wantStatus : r.status >= 400 && r.status < 500) return isJsonError(r);
  return /^(server-closed|error:EPIPE|error:ECONNRESET)$/.test(r.how) && r.ms < 5000;
}

function initRequest(body, extraHeaders = '') {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([
    Buffer.from(
      `POST /video-server/init-liveness-session HTTP/1.1\r\nHost: ${HOST}\r\napikey: robustness\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${buf.length}\r\nConnection: close\r\n${extraHeaders}\r\n`,
    ),
    buf,
  ]);
}

const isJsonError = (r) => /^\s*\{.*"code".*"error"|^\s*\{.*"error".*"code"/s.test(r.body);

// ------------------------------------------------------------------ runs
async function slowloris() {
  const n = QUICK ? 50 : 200;
  const holdS = QUICK ? 20 : 60;
  const before = serverStats();
  const closed = [];
  const socks = [];
  const started = Date.now();
  for (let i = 0; i < n; i++) {
    const s = net.connect(PORT, HOST);
    s.on('error', () => {});
    s.on('close', () => closed.push(Date.now() - started));
    s.write(`GET /__emulator/health HTTP/1.1\r\nHost: ${HOST}\r\n`);
    socks.push(s);
  }
  // Trickle one header byte per connection every second, for holdS seconds.
  const healthDuring = [];
  for (let t = 0; t < holdS; t++) {
    for (const s of socks) if (!s.destroyed) s.write('X');
    if (t % 5 === 2) healthDuring.push(await health());
    await sleep(1000);
  }
  const stillOpen = socks.filter((s) => !s.destroyed).length;
  const closedByServer = closed.length;
  socks.forEach((s) => s.destroy());
  await sleep(200);
  const healthOk = healthDuring.every((h) => typeof h === 'number' && h < 1000);
  const firstClose = closed.length ? Math.min(...closed) : null;
  record(
    `slowloris: ${n} connections trickling header bytes for ${holdS} s`,
    stillOpen === 0
      ? `server closed all of them (first after ${firstClose} ms)`
      : `${stillOpen}/${n} still open after ${holdS} s (no header-read timeout closed them)`,
    // Held connections without a bound exhaust file descriptors; --quick holds too briefly to judge.
    healthOk && (QUICK || stillOpen === 0),
    { serverClosed: closedByServer, stillOpen, healthDuringMs: healthDuring, before },
  );
}

async function idleConnections() {
  const n = QUICK ? 200 : 1000;
  const holdS = QUICK ? 10 : 40;
  const before = serverStats();
  const socks = [];
  let closed = 0;
  for (let i = 0; i < n; i++) {
    const s = net.connect(PORT, HOST);
    s.on('error', () => {});
    s.on('close', () => closed++);
    s.resume(); // read what the server sends, or its close is never seen ('end' needs a reader)
    socks.push(s);
  }
  await sleep(holdS * 1000);
  const during = serverStats();
  const h = await health();
  const closedByServer = closed;
  socks.forEach((s) => s.destroy());
  await sleep(1000);
  const after = serverStats();
  const fdsReleased = before.fds === null || after.fds <= before.fds + 5;
  record(
    `half-open/idle: ${n} connections that never send a byte, held ${holdS} s`,
    `${closedByServer}/${n} closed by the server while held; health ${typeof h === 'number' ? h + ' ms' : h}; fds ${before.fds}→${during.fds}→${after.fds}`,
    typeof h === 'number' && fdsReleased,
    { before, during },
  );
}

async function halfSentBody() {
  const n = QUICK ? 50 : 200;
  const holdS = QUICK ? 10 : 40;
  const socks = [];
  let closed = 0;
  const before = serverStats();
  for (let i = 0; i < n; i++) {
    const s = net.connect(PORT, HOST);
    s.on('error', () => {});
    s.on('close', () => closed++);
    s.resume(); // read what the server sends, or its close is never seen ('end' needs a reader)
    s.write(
      `POST /video-server/init-liveness-session HTTP/1.1\r\nHost: ${HOST}\r\napikey: r\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"livenessMode":`,
    );
    socks.push(s);
  }
  await sleep(holdS * 1000);
  const h = await health();
  const closedByServer = closed;
  socks.forEach((s) => s.destroy());
  await sleep(1000);
  const after = serverStats();
  record(
    `half-sent body: ${n} requests announcing 1000 bytes, sending 17, held ${holdS} s`,
    `${closedByServer}/${n} closed by the server while held; health ${typeof h === 'number' ? h + ' ms' : h}; fds ${before.fds}→${after.fds}`,
    // Held without a bound (no body-read timeout) is unclean; --quick holds too briefly to judge.
    typeof h === 'number' && (before.fds === null || after.fds <= before.fds + 5) && (QUICK || closedByServer === n),
    { before },
  );
}

async function vanishMidResponse() {
  // 500 clients send a request and reset the connection immediately (no read, RST).
  const n = 500;
  const before = serverStats();
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise((resolve) => {
        const s = net.connect(PORT, HOST, () => {
          s.write(initRequest('{"livenessMode":"LIVENESS_PASSIVE"}'));
          s.resetAndDestroy ? s.resetAndDestroy() : s.destroy();
          resolve();
        });
        s.on('error', () => resolve());
      }),
    ),
  );
  await sleep(1000);
  const h = await health();
  const after = serverStats();
  record(
    `vanishing clients: ${n} send init-liveness-session and reset at once`,
    `health ${typeof h === 'number' ? h + ' ms' : h}; fds ${before.fds}→${after.fds}`,
    typeof h === 'number' && (before.fds === null || after.fds <= before.fds + 5),
    { before },
  );
}

async function oversized() {
  // Just above the default 8 MiB cap, announced honestly.
  const big = Buffer.alloc(9 * 1024 * 1024, 0x20);
  big[0] = 0x7b; // '{'
  const r = await exchange(initRequest(big), { timeoutMs: 20000 });
  record(
    'oversized JSON: 9 MiB init-liveness-session body (cap 8 MiB)',
    `${r.how} ${r.status} in ${r.ms} ms: ${r.body.slice(0, 120)}`,
    refused(r, 413),
  );
  // 200 MiB announced, streamed as fast as the server reads: the server must stop reading early.
  const announced = 200 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const r2 = await exchange(
    async (sock) => {
      sock.write(
        `POST /video-server/init-liveness-session HTTP/1.1\r\nHost: ${HOST}\r\napikey: r\r\nContent-Type: application/json\r\nContent-Length: ${announced}\r\n\r\n`,
      );
      for (let i = 0; i < 200 && !sock.destroyed; i++) {
        if (!sock.write(chunk)) await new Promise((res) => sock.once('drain', res).once('close', res));
      }
    },
    { timeoutMs: 30000 },
  );
  record(
    'oversized JSON: 200 MiB announced and streamed',
    `${r2.how} ${r2.status} in ${r2.ms} ms: ${r2.body.slice(0, 120)}`,
    refused(r2, 413),
  );
  // Chunked, no length: 50 MiB.
  const r3 = await exchange(
    async (sock) => {
      sock.write(
        `POST /video-server/init-liveness-session HTTP/1.1\r\nHost: ${HOST}\r\napikey: r\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      for (let i = 0; i < 50 && !sock.destroyed; i++) {
        // All three parts of the chunk, whatever the back-pressure (`a && b && c` skipped the
        // data after a full buffer, i.e. sent malformed chunked encoding, which the server
        // rightly answered 400).
        sock.write(`${chunk.length.toString(16)}\r\n`);
        sock.write(chunk);
        const ok = sock.write('\r\n');
        if (!ok) await new Promise((res) => sock.once('drain', res).once('close', res));
      }
      if (!sock.destroyed) sock.write('0\r\n\r\n');
    },
    { timeoutMs: 30000 },
  );
  record(
    'oversized JSON: 50 MiB chunked (no Content-Length)',
    `${r3.how} ${r3.status} in ${r3.ms} ms: ${r3.body.slice(0, 120)}`,
    refused(r3, 413),
  );
}

async function nested() {
  for (const [label, body] of [
    ['100k nested arrays', '['.repeat(100000) + ']'.repeat(100000)],
    ['100k nested objects', '{"a":'.repeat(100000) + '1' + '}'.repeat(100000)],
    ['100k nested arrays inside livenessMode', '{"livenessMode":' + '['.repeat(100000) + ']'.repeat(100000) + '}'],
    ['1M-element flat array', '[' + Array(1000000).fill('0').join(',') + ']'],
  ]) {
    const before = serverStats();
    const r = await exchange(initRequest(body), { timeoutMs: 20000 });
    const h = await health();
    record(
      `deeply nested/large JSON: ${label} (${(body.length / 1024).toFixed(0)} KiB) to init-liveness-session`,
      `${r.how} ${r.status} in ${r.ms} ms: ${r.body.slice(0, 120)}`,
      typeof h !== 'number' ? false : refused(r),
      { healthAfterMs: h, before },
    );
  }
}

async function headerFlood() {
  const many = Array.from({ length: 2000 }, (_, i) => `X-Flood-${i}: ${'v'.repeat(50)}\r\n`).join('');
  const r = await exchange(`GET /__emulator/health HTTP/1.1\r\nHost: ${HOST}\r\n${many}Connection: close\r\n\r\n`);
  record(
    'header flood: 2000 headers (~120 KiB) on one request',
    `${r.how} ${r.status} in ${r.ms} ms`,
    (r.status >= 400 && r.status < 500) || r.how === 'server-closed' || r.status === 200,
  );
}

const started = Date.now();
const healthBefore = await health();
if (typeof healthBefore !== 'number') {
  console.error(`server not answering on ${PORT}: ${healthBefore}`);
  process.exit(2);
}
await oversized();
await nested();
await headerFlood();
await vanishMidResponse();
await halfSentBody();
await idleConnections();
await slowloris();
const healthEnd = await health();
const summary = {
  seconds: Math.round((Date.now() - started) / 1000),
  clean: results.filter((r) => r.clean === true).length,
  unclean: results.filter((r) => r.clean === false).length,
  na: results.filter((r) => r.clean === 'n/a').length,
  healthEndMs: healthEnd,
  server: serverStats(),
  results,
};
console.log(`ROBUSTNESS ${JSON.stringify(summary)}`);
process.exit(summary.unclean === 0 && typeof healthEnd === 'number' ? 0 : 1);
