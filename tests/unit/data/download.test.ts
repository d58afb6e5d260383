import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadFile, type DownloadProgress } from '../../../src/lib/data/download';

const body = new Uint8Array(200_000).map((_, i) => i % 251);
let server: Server;
let base: string;
let flakyRequests = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/data.bin') {
      response.writeHead(200, { 'Content-Length': body.length });
      response.end(body);
    } else if (request.url === '/truncated.bin') {
      response.writeHead(200, { 'Content-Length': body.length });
      response.write(body.subarray(0, 50_000), () => response.destroy());
    } else if (request.url === '/flaky.bin') {
      // Cut short once, complete the second time: the retry must start over, not append.
      if (flakyRequests++ === 0) {
        response.writeHead(200, { 'Content-Length': body.length });
        response.write(body.subarray(0, 10_000), () => response.destroy());
      } else {
        response.writeHead(200, { 'Content-Length': body.length });
        response.end(body);
      }
    } else {
      response.writeHead(404, 'Not Found').end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('downloadFile', () => {
  it('downloads the whole file and reports byte progress up to the total', async () => {
    const progress: DownloadProgress[] = [];
    const bytes = await downloadFile(`${base}/data.bin`, { onProgress: (p) => progress.push(p) });
    expect(bytes).toEqual(body);
    expect(progress[0]).toMatchObject({ received: 0, total: body.length });
    expect(progress.at(-1)).toMatchObject({ received: body.length, total: body.length });
  });

  it('names the status of a failed request', async () => {
    await expect(downloadFile(`${base}/missing.parquet`)).rejects.toThrow(`Could not download ${base}/missing.parquet: the server answered 404 Not Found.`);
  });

  it('never returns a truncated download: it restarts, then gives up with a clear message', async () => {
    await expect(downloadFile(`${base}/truncated.bin`, { attempts: 2 })).rejects.toThrow(/^The download of .*truncated\.bin (was cut short at|broke off after) .* Gave up after 2 attempts\.$/);
    const progress: DownloadProgress[] = [];
    expect(await downloadFile(`${base}/flaky.bin`, { onProgress: (p) => progress.push(p) })).toEqual(body);
    expect(flakyRequests).toBe(2);
    expect(progress.filter((p) => p.received === 0)).toHaveLength(2);
  });

  it('explains an unreachable server', async () => {
    await expect(downloadFile('http://127.0.0.1:9/x.bin', { attempts: 1 })).rejects.toThrow(/could not be reached, or it does not allow downloads from this page \(CORS\)/);
  });
});
