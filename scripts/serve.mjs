#!/usr/bin/env node
// Serves the production build on 127.0.0.1. WebGPU needs a secure context, and localhost counts as one.
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = 'Usage: node scripts/serve.mjs [--dir DIR] [--port N]   (or PORT=N; HOST=ADDRESS)';
let flags;
try {
  ({ values: flags } = parseArgs({ options: { dir: { type: 'string', default: 'dist' }, port: { type: 'string' } } }));
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
const root = resolve(flags.dir);
const portText = flags.port ?? process.env.PORT;
const requestedPort = Number(portText ?? 0) || undefined;
if (portText !== undefined && !(Number.isInteger(Number(portText)) && Number(portText) >= 0 && Number(portText) < 65536)) {
  console.error(`The port must be a whole number from 0 to 65535; got ${portText}.\n${USAGE}`);
  process.exit(2);
}
const host = process.env.HOST ?? '127.0.0.1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

if (!existsSync(join(root, 'index.html'))) {
  console.error(`No build found in ${root}. Run "npm run build" first (npm start does both).`);
  process.exit(1);
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(root, path);
  if (!file.startsWith(root)) {
    response.writeHead(403).end('Forbidden');
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  response.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file).pipe(response);
});

function listen(port, attemptsLeft) {
  server.once('error', (error) => {
    if (error.code === 'EADDRINUSE' && !requestedPort && attemptsLeft > 0) return listen(port + 1, attemptsLeft - 1);
    console.error(`Cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    console.log(`TabTune is running at http://${host}:${server.address().port}/ (Ctrl+C to stop)`);
  });
}

listen(requestedPort ?? 5173, 20);
