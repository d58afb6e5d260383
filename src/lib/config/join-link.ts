/**
 * The address that turns a tab into a worker for a job on a NATS server:
 * `<page>#join=<server>&job=<id>`. It names the server and the job, never credentials.
 */
export function joinLink(server: string, job: string, page: string): string {
  const url = new URL(page);
  url.hash = `join=${encodeURIComponent(server)}&job=${encodeURIComponent(job)}`;
  return url.toString();
}

/** The server and job a join link's `#…` names, or undefined when it is not one. */
export function readJoinLink(hash: string): { server: string; job: string } | undefined {
  if (!hash.startsWith('#join=')) return undefined;
  const params = new URLSearchParams(hash.slice(1));
  const server = params.get('join');
  const job = params.get('job');
  return server && job ? { server, job } : undefined;
}
