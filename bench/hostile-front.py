#!/usr/bin/env python3
"""The front-door attacks of issue 13 (sections 1, 2, 3, 5 flags and 6), re-tried against the
release binary: who can reach the control plane (Origin, Host, content type), CORS on core/GIPS,
callback forgery, numeric flags and the HTTP layer's own errors (413, 431, 408).

    python3 bench/hostile-front.py --bin PATH [--out DIR] [--only NAME]

Python 3 standard library only, loopback only, bounded in time (~20-30 s). Starts its own
emulators with --port 0 (reading the `listening on http://HOST:PORT` line): one with default
flags, one with --allowed-host evil.example, one with --body-timeout 2 --body-deadline 3. Prints
one line per attack in bench/hostile.mjs's format (PASS/FAIL, the answers seen, the server's RSS
growth — under 50 MB to pass — and the issue's "before" observation), then checks the emulators'
logs for panics. Exit status 1 when anything failed. Driven by bench/hostile.sh.
"""
import http.client
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HOST = "127.0.0.1"
EVIL = "http://evil.example"
RSS_LIMIT_MB = 50


def arg(name, default=None):
    a = sys.argv[1:]
    return a[a.index(name) + 1] if name in a and a.index(name) + 1 < len(a) else default


BIN = arg("--bin")
OUT = arg("--out") or tempfile.mkdtemp(prefix="hostile-front-")
ONLY = arg("--only")
if not BIN:
    print("usage: hostile-front.py --bin PATH [--out DIR] [--only NAME]", file=sys.stderr)
    sys.exit(2)
os.makedirs(OUT, exist_ok=True)

procs = []  # (Popen, log path)


def start(*extra, tag="front"):
    """Starts an emulator on a free port; returns (Popen, port)."""
    log = os.path.join(OUT, f"emulator-{tag}.log")
    out = open(log, "w")
    p = subprocess.Popen([BIN, "--host", HOST, "--port", "0", *extra], stdout=out, stderr=subprocess.STDOUT)
    procs.append((p, log))
    deadline = time.time() + 10
    while time.time() < deadline:
        m = re.search(r"listening on https?://[^\s:]+:(\d+)", open(log).read())
        if m:
            return p, int(m.group(1))
        if p.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"emulator {tag} did not start: {open(log).read()[:300]}")


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            m = re.search(r"VmRSS:\s+(\d+)", f.read())
        return int(m.group(1)) / 1024 if m else float("nan")
    except OSError:
        return float("nan")


def req(port, method, path, headers=None, body=None, host=None, timeout=10):
    """One request with full control of the headers (Host included); returns
    (status, lower-cased headers, body text, parsed JSON or None)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host or f"{HOST}:{port}")
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            body = body.encode() if isinstance(body, str) else body
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        return r.status, hdrs, text, try_json(text)
    finally:
        conn.close()


def try_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def is_err_json(j, code):
    return isinstance(j, dict) and j.get("code") == code and isinstance(j.get("error"), str)


def raw_http(port, head, trickle=None, wait=5.0):
    """Sends raw request bytes (optionally in a thread, as a client that writes everything before
    reading would) and reads the answer until the server closes or `wait` passes; returns
    (status or 0, body text, seconds until the status line arrived)."""
    s = socket.create_connection((HOST, port), timeout=wait)
    t0 = time.time()
    err = []

    def send():
        try:
            s.sendall(head)
        except OSError as e:
            err.append(e)

    th = threading.Thread(target=send, daemon=True)
    th.start()
    data, first = b"", None
    try:
        while time.time() - t0 < wait:
            r, _, _ = select.select([s], [], [], 0.2)
            if not r:
                continue
            chunk = s.recv(65536)
            if not chunk:
                break
            if first is None:
                first = time.time() - t0
            data += chunk
            if complete(data):
                break
    except OSError as e:
        if not data:
            return 0, f"{type(e).__name__}: {e}", time.time() - t0
    finally:
        s.close()
    return parse_raw(data) + (first if first is not None else time.time() - t0,)


def complete(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return m is not None and len(body) >= int(m.group(1))


def parse_raw(data):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    body = data.partition(b"\r\n\r\n")[2].decode("utf-8", "replace")
    return (int(m.group(1)) if m else 0), body


results = []


def attack(name, before, fn, pid):
    """Runs one attack: RSS before/after, its answers; PASS when ok and RSS grew < 50 MB."""
    if ONLY and ONLY != name:
        return
    rss0 = rss_mb(pid)
    started = time.time()
    try:
        ok, seen = fn()
    except Exception as e:  # noqa: BLE001 - any error is a failed attack
        ok, seen = False, f"error: {type(e).__name__}: {e}"
    peak = rss_mb(pid)
    time.sleep(0.5)
    rss1 = rss_mb(pid)
    peak = max(peak, rss1)
    growth = peak - rss0
    passed = bool(ok) and growth < RSS_LIMIT_MB
    print(f"{'PASS' if passed else 'FAIL'}  {name:<22} {seen} | RSS {rss0:.0f} → peak {peak:.0f} → {rss1:.0f} MB "
          f"(growth {growth:.1f} MB) | {time.time() - started:.1f} s | before: {before}", flush=True)
    results.append((name, passed))


def acao(h):
    return h.get("access-control-allow-origin")


def grant(h):
    return {k: v for k, v in h.items() if k.startswith("access-control-allow")}


try:
    main, PORT = start(tag="front")
    PID = main.pid

    # 1. A foreign page reads the control plane.
    def control_read():
        seen, ok = [], True
        for path in ("/__emulator/sessions", "/__emulator/journal"):
            st, h, _, j = req(PORT, "GET", path, {"Origin": EVIL})
            ok &= st == 403 and is_err_json(j, 403) and acao(h) is None
            seen.append(f"{path.rsplit('/', 1)[1]} {st}{' JSON' if is_err_json(j, 403) else ''} ACAO {acao(h) or 'none'}")
        return ok, "; ".join(seen)

    attack("control-read-origin", "ACAO *; a Chromium page on another origin read the sessions and the journal",
           control_read, PID)

    # 2. Cross-origin-capable writes: text/plain without Origin, JSON with a foreign Origin.
    def control_write():
        body = '{"scenarios":["spoof"]}'
        st1, _, _, j1 = req(PORT, "POST", "/__emulator/queue", {"Content-Type": "text/plain"}, body)
        st2, h2, _, j2 = req(PORT, "POST", "/__emulator/queue",
                             {"Content-Type": "application/json", "Origin": EVIL}, body)
        st3, _, _, j3 = req(PORT, "POST", "/__emulator/queue",
                            {"Content-Type": "application/x-www-form-urlencoded"}, body)
        _, _, _, q = req(PORT, "GET", "/__emulator/queue")
        empty = isinstance(q, dict) and q.get("scenarios") == []
        ok = (400 <= st1 < 500 and is_err_json(j1, st1) and st2 == 403 and is_err_json(j2, 403)
              and acao(h2) is None and 400 <= st3 < 500 and is_err_json(j3, st3) and empty)
        return ok, (f"text/plain {st1}{' JSON' if is_err_json(j1, st1) else ''}; foreign Origin+JSON {st2}"
                    f"{' JSON' if is_err_json(j2, 403) else ''}; form {st3}; queue after {json.dumps(q)}")

    attack("control-write-cors", "a text/plain POST (no preflight) changed the queue", control_write, PID)

    # 3. Preflight to reset from a foreign page.
    def preflight_reset():
        st, h, _, j = req(PORT, "OPTIONS", "/__emulator/reset", {
            "Origin": EVIL, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        g = grant(h)
        return (not g and 400 <= st < 500), f"OPTIONS {st}{' JSON' if j else ''}; grant {g or 'none'}"

    attack("preflight-reset", "preflights allowed everything; the page reset the emulator", preflight_reset, PID)

    # 4. DNS rebinding: a foreign Host name; allowed only with --allowed-host.
    def rebinding():
        seen, ok = [], True
        for method, path, hdr, body in (("GET", "/__emulator/sessions", {}, None),
                                        ("GET", "/video-server/bioserver-video-api.js", {}, None),
                                        ("POST", "/video-server/init-liveness-session",
                                         {"apikey": "k", "Content-Type": "application/json"},
                                         '{"livenessMode":"LIVENESS_PASSIVE"}')):
            st, _, _, j = req(PORT, method, path, hdr, body, host=f"evil.example:{PORT}")
            good = st == 403 and is_err_json(j, 403) and "--allowed-host" in j["error"]
            ok &= good
            seen.append(f"{path.rsplit('/', 1)[1]} {st}{' JSON naming --allowed-host' if good else ''}")
        allowed, aport = start("--allowed-host", "evil.example", tag="allowed-host")
        try:
            st, _, _, j = req(aport, "GET", "/__emulator/sessions", host=f"evil.example:{aport}")
            st2, _, _, _ = req(aport, "GET", "/__emulator/sessions", host=f"other.example:{aport}")
        finally:
            allowed.terminate()
            allowed.wait(5)
        ok &= st == 200 and st2 == 403
        seen.append(f"with --allowed-host evil.example: {st} (other.example {st2})")
        return ok, "; ".join(seen)

    attack("dns-rebinding-host", "any Host header accepted", rebinding, PID)

    # 5. Core and GIPS answers readable by a page.
    def core_cors():
        st0, _, _, j0 = req(PORT, "POST", "/video-server/init-liveness-session",
                            {"apikey": "k", "Content-Type": "application/json"}, '{"livenessMode":"LIVENESS_PASSIVE"}')
        sid = (j0 or {}).get("id")
        st1, h1, _, _ = req(PORT, "GET", f"/bioserver-app/v2/bio-sessions/{sid}/liveness-challenge-result",
                            {"apikey": "any-key", "Origin": EVIL})
        st2, h2, _, _ = req(PORT, "GET", "/gips/v1/identities/x/status", {"apikey": "any-key", "Origin": EVIL})
        st3, h3, _, j3 = req(PORT, "OPTIONS", "/bioserver-app/v2/bio-sessions/x/faces/y/image", {
            "Origin": EVIL, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "apikey"})
        ok = bool(sid) and acao(h1) is None and acao(h2) is None and not grant(h3) and st3 == 403 and is_err_json(j3, 403)
        return ok, (f"session {st0}; core result {st1} ACAO {acao(h1) or 'none'}; GIPS {st2} ACAO {acao(h2) or 'none'}; "
                    f"image preflight {st3}{' JSON' if is_err_json(j3, 403) else ''} grant {grant(h3) or 'none'}")

    attack("core-cross-origin", "ACAO * on core answers: the page fetched the uploaded camera frame", core_cors, PID)

    # 6. Callback forgery: a foreign page asks for a callback to another local service.
    def callback_forgery():
        lst = socket.socket()
        lst.bind((HOST, 0))
        lst.listen(8)
        lst.settimeout(0.2)
        hits = []
        stop = threading.Event()

        def accept():
            while not stop.is_set():
                try:
                    c, _ = lst.accept()
                    hits.append(c.recv(200))
                    c.close()
                except OSError:
                    pass

        th = threading.Thread(target=accept, daemon=True)
        th.start()
        lport = lst.getsockname()[1]
        body = json.dumps({"livenessMode": "LIVENESS_PASSIVE", "callbackURL": f"http://127.0.0.1:{lport}/steal"})
        st, h, _, j = req(PORT, "POST", "/video-server/init-liveness-session",
                          {"apikey": "k", "Content-Type": "application/json", "Origin": EVIL}, body)
        st2, _, _, j2 = req(PORT, "POST", "/video-server/init-liveness-session",
                            {"apikey": "k", "Content-Type": "text/plain", "Origin": EVIL}, body)
        time.sleep(1.5)
        stop.set()
        th.join(2)
        lst.close()
        ok = st == 403 and is_err_json(j, 403) and st2 == 403 and acao(h) is None and not hits
        return ok, (f"init JSON {st}{' JSON' if is_err_json(j, 403) else ''}, text/plain {st2}; "
                    f"listener on :{lport} got {len(hits)} connection(s)")

    attack("callback-forgery", "the emulator POSTed to a local service of the page's choosing (a port scanner)",
           callback_forgery, PID)

    # 7. Numeric flags (section 5): refused at start with a message naming the flag, no panic.
    def flag(args, flagname, env=None):
        def run():
            e = dict(os.environ, **(env or {}))
            try:
                p = subprocess.run([BIN, "--host", HOST, "--port", "0", *args], capture_output=True, text=True,
                                   timeout=5, env=e)
                rc, out = p.returncode, p.stderr + p.stdout
            except subprocess.TimeoutExpired as t:
                rc, out = "still running after 5 s", (t.stderr or b"").decode() if isinstance(t.stderr, bytes) else (t.stderr or "")
            msg = next((l for l in out.splitlines() if l.strip()), "")
            ok = rc == 2 and flagname in out and "panicked" not in out
            return ok, f"exit {rc}: {msg[:110]}{' (PANIC)' if 'panicked' in out else ''}"
        return run

    flag_before = {
        "1e21": "accepted; a worker panicked on the first capture, session CAPTURING forever",
        "NaN": "accepted silently", "-1": "accepted silently",
    }
    for args, before in ((["--time-scale", "1e21"], flag_before["1e21"]),
                         (["--time-scale", "NaN"], flag_before["NaN"]),
                         (["--time-scale", "-1"], flag_before["-1"]),
                         (["--time-scale=-1"], flag_before["-1"]),
                         (["--session-ttl", "18446744073709551615"], "accepted (a panicking time conversion)")):
        attack(f"flag {' '.join(args)}"[:40], before, flag(args, args[0].split("=")[0]), PID)
    attack("flag env TIME_SCALE=-1", flag_before["-1"],
           flag([], "time-scale", {"WEBCAPTURE_EMULATOR_TIME_SCALE": "-1"}), PID)

    # 8. A client that writes its whole (too large) body before reading: urllib.
    def urllib_413():
        data = b'{"livenessMode":"LIVENESS_PASSIVE","pad":"' + b"a" * (9 * 1024 * 1024) + b'"}'
        r = urllib.request.Request(f"http://{HOST}:{PORT}/video-server/init-liveness-session", data=data,
                                   headers={"apikey": "k", "Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(r, timeout=15) as resp:
                return False, f"{resp.status} (accepted a 9 MiB body)"
        except urllib.error.HTTPError as e:
            j = try_json(e.read().decode("utf-8", "replace"))
            return e.code == 413 and is_err_json(j, 413), f"urllib got {e.code}{' JSON: ' + j['error'][:70] if is_err_json(j, 413) else ''}"
        except (urllib.error.URLError, OSError) as e:
            return False, f"urllib error {type(getattr(e, 'reason', e)).__name__}: {getattr(e, 'reason', e)}"

    attack("urllib-9MiB-body", "broken pipe instead of the 413 (connection closed with unread data)", urllib_413, PID)

    # 9. A Content-Length above --max-body, no body sent: answered at once.
    def early_413():
        head = (f"POST /video-server/init-liveness-session HTTP/1.1\r\nHost: {HOST}:{PORT}\r\napikey: k\r\n"
                "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n").encode()
        st, body, secs = raw_http(PORT, head, wait=3)
        j = try_json(body)
        return st == 413 and is_err_json(j, 413) and secs < 1.0, f"{st}{' JSON' if is_err_json(j, 413) else ''} after {secs:.2f} s"

    attack("content-length-100MB", "not refused until the body had been read", early_413, PID)

    # 10. Oversized headers: 2,000 headers, and 1 MB in one header. hyper's header buffer is ~400 KB and
    # its bound is soft (a request that arrives whole in one read is parsed up to ~450-500 KB), so a
    # 500 KB header is tried 5 times and its answers shown, but only the 2,000 headers and the 1 MB
    # header (always over the bound) decide PASS.
    def big_headers():
        seen, ok = [], True
        many = "".join(f"x-h{i}: v\r\n" for i in range(2000))
        for label, extra in (("2,000 headers", many), ("1 MB header", "x-big: " + "a" * 1_000_000 + "\r\n")):
            head = f"GET /__emulator/health HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n{extra}\r\n".encode()
            st, body, secs = raw_http(PORT, head, wait=5)
            j = try_json(body)
            good = st == 431 and is_err_json(j, 431)
            ok &= good
            seen.append(f"{label}: {st}{' JSON' if is_err_json(j, 431) else (' body ' + repr(body[:40]) if st else ' ' + body[:60])}")
        soft = []
        for _ in range(5):
            head = f"GET /__emulator/health HTTP/1.1\r\nHost: {HOST}:{PORT}\r\nx-big: {'a' * 500_000}\r\n\r\n".encode()
            st, body, _ = raw_http(PORT, head, wait=5)
            soft.append(f"{st}{'J' if is_err_json(try_json(body), st) else ''}")
        seen.append(f"500 KB header ×5 (soft bound, informative): {' '.join(soft)}")
        return ok, "; ".join(seen)

    attack("oversized-headers", "431 with an empty body", big_headers, PID)

    # 11. A body trickled one byte a second: the total deadline answers 408.
    slow, SPORT = start("--body-timeout", "2", "--body-deadline", "3", tag="body-deadline")

    def trickle():
        s = socket.create_connection((HOST, SPORT), timeout=10)
        s.sendall((f"POST /video-server/init-liveness-session HTTP/1.1\r\nHost: {HOST}:{SPORT}\r\napikey: k\r\n"
                   "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n").encode())
        t0 = time.time()
        data, sent, closed = b"", 0, False
        try:
            while time.time() - t0 < 8 and not complete(data) and not closed:
                try:
                    s.sendall(b" ")
                    sent += 1
                except OSError:
                    pass
                end = time.time() + 1.0
                while time.time() < end and not complete(data) and not closed:
                    r, _, _ = select.select([s], [], [], max(0.0, end - time.time()))
                    if r:
                        chunk = s.recv(65536)
                        closed = not chunk
                        data += chunk
        finally:
            s.close()
        secs = time.time() - t0
        st, body = parse_raw(data)
        j = try_json(body)
        return st == 408 and is_err_json(j, 408) and secs < 4.5, f"{st}{' JSON' if is_err_json(j, 408) else ''} after {secs:.1f} s ({sent} bytes trickled)"

    attack("trickled-body", "no total deadline: one byte per gap held the handler forever", trickle, slow.pid)

    for p, _ in procs:
        if p.poll() is not None and p is main:
            print(f"FAIL  the emulator (pid {p.pid}) died during the runs (exit {p.returncode})")
            results.append(("alive", False))
finally:
    for p, _ in procs:
        if p.poll() is None:
            p.terminate()
    for p, _ in procs:
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()

panics = sum(open(log, errors="replace").read().lower().count("panicked") for _, log in procs)
print(f"panics in the front-door emulators' logs: {panics}")
failed = [n for n, ok in results if not ok]
print(f"{len(results) - len(failed)}/{len(results)} front-door attacks PASS")
sys.exit(1 if failed or panics else 0)
