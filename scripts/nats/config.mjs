// The nats-server configuration TabTune's trial bus needs, written in one place for `npm run nats`,
// the tests and the README: JetStream on, a client listener for Node workers and a WebSocket
// listener for browser tabs. Loopback only unless a host is given; `auth` and `tls` for anything else.

/**
 * @param {{ host?: string, port?: number, wsPort?: number, storeDir: string,
 *           auth?: { user: string, password: string }, tls?: { cert: string, key: string }, monitorPort?: number }} options
 *   port/wsPort/monitorPort -1 lets the server pick free ports (it logs them). `monitorPort` opens the
 *   HTTP monitoring endpoints (/jsz, /connz) on the same host: the tests read consumer state from it.
 * @returns {string}
 */
export function natsConfig({ host = '127.0.0.1', port = 4222, wsPort = 8222, storeDir, auth, tls, monitorPort }) {
  const quote = (value) => JSON.stringify(value);
  const lines = [
    `listen: ${quote(`${host}:${port}`)}`,
    ...(monitorPort !== undefined ? [`http: ${quote(`${host}:${monitorPort}`)}`] : []),
    `jetstream { store_dir: ${quote(storeDir)} }`,
    'websocket {',
    `  host: ${quote(host)}`,
    `  port: ${wsPort}`,
    // Browsers refuse a plain ws:// socket from an https:// page: off loopback, use TLS.
    ...(tls ? [`  tls { cert_file: ${quote(tls.cert)}, key_file: ${quote(tls.key)} }`] : ['  no_tls: true']),
    '}',
  ];
  if (tls) lines.push(`tls { cert_file: ${quote(tls.cert)}, key_file: ${quote(tls.key)} }`);
  if (auth) lines.push(`authorization { users: [ { user: ${quote(auth.user)}, password: ${quote(auth.password)} } ] }`);
  return lines.join('\n') + '\n';
}

/** Reads the ports the server chose from its log ("Listening for client connections on …", "… websocket clients on …", "Starting http monitor on …"). */
export function listeningPorts(log) {
  const client = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
  const ws = /Listening for websocket clients on wss?:\/\/[^\s]*:(\d+)/.exec(log);
  const monitor = /Starting http monitor on [^\s]*:(\d+)/.exec(log);
  return { port: client ? Number(client[1]) : undefined, wsPort: ws ? Number(ws[1]) : undefined, monitorPort: monitor ? Number(monitor[1]) : undefined };
}
