/**
 * Why a NATS server address cannot be a job's, or null. Browsers reach NATS through its WebSocket
 * listener, so the address is `ws://` or `wss://`. A job travels in share links, exports and the
 * store, so a user name, password or token in the address is refused: they are typed where the
 * page asks for them and kept in memory only.
 */
export function natsServerError(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return `"${address}" is not a URL: a NATS server is given as ws://host:port or wss://host:port (its WebSocket listener).`;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return `The page reaches NATS through its WebSocket listener: use ws:// or wss:// (got ${url.protocol}//). Node workers use nats://.`;
  }
  if (url.username || url.password) return 'Credentials never go into a job (it travels in links and exports): remove them from the address and type them in the NATS user and password fields.';
  if (url.search || url.hash) return 'A NATS server address has no query or fragment.';
  return null;
}
