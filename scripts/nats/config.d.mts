export function natsConfig(options: {
  host?: string;
  port?: number;
  wsPort?: number;
  storeDir: string;
  auth?: { user: string; password: string };
  tls?: { cert: string; key: string };
  monitorPort?: number;
}): string;
export function listeningPorts(log: string): { port?: number; wsPort?: number; monitorPort?: number };
