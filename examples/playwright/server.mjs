// A tiny integrator back end, the part that holds the API key: it serves the page and creates the
// liveness session (init-liveness-session with the apikey header, never from the browser), then
// reads the result from the Bioserver core API.
//
//   VIDEO_SERVER_URL=http://127.0.0.1:8080 API_KEY=my-key PORT=3000 node server.mjs
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const page = fileURLToPath(new URL('./public/index.html', import.meta.url));

/**
 * Starts the back end. `videoServerUrl` is the only setting the emulator needs (core = video +
 * /bioserver-app/v2, as on the vendor's platform).
 * @param {{videoServerUrl: string, apiKey: string, port?: number}} config
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function startBackend({ videoServerUrl, apiKey, port = 0 }) {
  const coreUrl = `${videoServerUrl}/bioserver-app/v2`;
  const send = (res, status, body, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(type === 'application/json' ? JSON.stringify(body) : body);
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      if (req.method === 'GET' && url.pathname === '/') {
        const html = (await readFile(page, 'utf8')).replaceAll('{{VIDEO_SERVER_URL}}', videoServerUrl);
        return send(res, 200, html, 'text/html; charset=utf-8');
      }
      if (req.method === 'POST' && url.pathname === '/api/liveness-session') {
        const init = await fetch(`${videoServerUrl}/video-server/init-liveness-session`, {
          method: 'POST',
          headers: { apikey: apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ livenessMode: 'LIVENESS_PASSIVE', securityLevel: 'HIGH', correlationId: 'example-app' }),
        });
        if (!init.ok) return send(res, 502, { error: `init-liveness-session answered ${init.status}` });
        const sessionId = (init.headers.get('location') ?? '').split('/bio-sessions/')[1];
        return send(res, 200, { sessionId });
      }
      const result = /^\/api\/liveness-session\/([\w-]+)\/result$/.exec(url.pathname);
      if (req.method === 'GET' && result) {
        const r = await fetch(`${coreUrl}/bio-sessions/${result[1]}/liveness-challenge-result`, { headers: { apikey: apiKey } });
        const body = await r.json();
        return send(res, r.status, { livenessStatus: body.livenessStatus });
      }
      send(res, 404, { error: 'not found' });
    } catch (e) {
      send(res, 500, { error: String(e) });
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const backend = await startBackend({
    videoServerUrl: process.env.VIDEO_SERVER_URL ?? 'http://127.0.0.1:8080',
    apiKey: process.env.API_KEY ?? 'example-key',
    port: Number(process.env.PORT ?? 3000),
  });
  console.log(`integrator back end on ${backend.url}`);
}
