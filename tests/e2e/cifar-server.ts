import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeSyntheticSet } from '../../src/lib/data/synthetic';
import { PIXELS_PER_IMAGE } from '../../src/lib/data/image-set';
import { encodePng } from '../fixtures/png-writer';
import { writeHfParquet } from '../fixtures/parquet-writer';

/** CIFAR-10 in Hugging Face's parquet layout, made from the learnable synthetic set. */
async function parquetOf(count: number, seed: number): Promise<Uint8Array> {
  const set = makeSyntheticSet(count, seed);
  const pngs = [];
  for (let i = 0; i < count; i++) pngs.push(await encodePng(set.images.subarray(i * PIXELS_PER_IMAGE, (i + 1) * PIXELS_PER_IMAGE)));
  return writeHfParquet(pngs, [...set.labels], { codec: 'snappy' });
}

export interface CifarServer {
  origin: string;
  files: { train: Uint8Array; test: Uint8Array };
  close(): Promise<void>;
}

/**
 * A stand-in for the data host, on another origin than the page (so CORS applies), with routes that fail
 * the way real hosts do. Files are sent in slow chunks so the page's progress bar has time to show.
 */
export async function startCifarServer(): Promise<CifarServer> {
  const files: Record<string, Uint8Array> = {
    'train-00000-of-00001.parquet': await parquetOf(160, 11),
    'test-00000-of-00001.parquet': await parquetOf(40, 12),
  };
  const notCifar = new TextEncoder().encode('<html>Not a parquet file</html>'.repeat(40));
  const server: Server = createServer((request, response) => {
    const [, route, name] = (request.url ?? '').split('/');
    const cors = { 'Access-Control-Allow-Origin': '*' };
    if (route === 'missing') return void response.writeHead(404, 'Not Found', cors).end();
    const body = route === 'html' ? notCifar : files[name];
    if (!body) return void response.writeHead(404, 'Not Found', cors).end();
    const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) };
    if (route === 'nocors') return void response.writeHead(200, headers).end(body);
    response.writeHead(200, { ...headers, ...cors });
    if (route === 'truncated') {
      response.write(body.subarray(0, body.length >> 1), () => response.destroy());
      return;
    }
    const chunks = 8;
    const size = Math.ceil(body.length / chunks);
    let sent = 0;
    const timer = setInterval(() => {
      response.write(body.subarray(sent, sent + size));
      sent += size;
      if (sent >= body.length) {
        clearInterval(timer);
        response.end();
      }
    }, 150);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    files: { train: files['train-00000-of-00001.parquet'], test: files['test-00000-of-00001.parquet'] },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
