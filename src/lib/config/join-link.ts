/**
 * Addresses of a job on a NATS server. `<page>#join=<server>&job=<id>` turns a tab into a worker
 * for it; `<page>#coordinate=<server>&job=<id>` opens it as its coordinator, taking it over once
 * the tab that holds it goes silent. They name the server and the job, never credentials.
 */
export type JobLinkRole = 'join' | 'coordinate';

export function jobLink(role: JobLinkRole, server: string, job: string, page: string): string {
  const url = new URL(page);
  url.hash = `${role}=${encodeURIComponent(server)}&job=${encodeURIComponent(job)}`;
  return url.toString();
}

export function joinLink(server: string, job: string, page: string): string {
  return jobLink('join', server, job, page);
}

/** The server and job a link's `#…` names for `role`, or undefined when it is not such a link. */
export function readJobLink(role: JobLinkRole, hash: string): { server: string; job: string } | undefined {
  if (!hash.startsWith(`#${role}=`)) return undefined;
  const params = new URLSearchParams(hash.slice(1));
  const server = params.get(role);
  const job = params.get('job');
  return server && job ? { server, job } : undefined;
}

export function readJoinLink(hash: string): { server: string; job: string } | undefined {
  return readJobLink('join', hash);
}
