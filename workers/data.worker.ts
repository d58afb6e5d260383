/// <reference lib="webworker" />
import { DatasetCache } from '../src/lib/data/cache';
import { downloadFile } from '../src/lib/data/download';
import { readCifarFiles, type CifarFile } from '../src/lib/data/formats';
import { exposeToPage } from './expose';
import { CIFAR10_CACHE_KEY, type DataApi, type DataProgress } from '../src/lib/data/loader-api';

const cache = new DatasetCache();

/** Decodes the files completely before anything is cached: a failed decode leaves the old cache as it was. */
async function decodeAndSave(files: CifarFile[], source: string, onProgress: (p: DataProgress) => void) {
  const label = files.length === 1 ? files[0].name : `${files.length} files`;
  onProgress({ phase: 'decoding', file: label, done: 0, unit: 'images' });
  const dataset = await readCifarFiles(files, (p) => onProgress({ phase: 'decoding', file: p.file, done: p.images, total: p.totalImages, unit: 'images' }));
  onProgress({ phase: 'saving', file: label, done: dataset.train.count + dataset.test.count, unit: 'images' });
  return cache.save(CIFAR10_CACHE_KEY, source, dataset);
}

function fileName(url: string): string {
  const path = new URL(url, self.location.href).pathname;
  return decodeURIComponent(path.split('/').pop() || url);
}

const api: DataApi = {
  cached: () => cache.info(CIFAR10_CACHE_KEY),

  async loadUrls(urls, onProgress) {
    const files: CifarFile[] = [];
    for (const url of urls) {
      const name = fileName(url);
      const data = await downloadFile(url, {
        onProgress: ({ received, total }) => onProgress({ phase: 'downloading', file: name, done: received, total, unit: 'bytes' }),
      });
      files.push({ name, data });
    }
    const hosts = [...new Set(urls.map((url) => new URL(url, self.location.href).host))];
    return decodeAndSave(files, hosts.join(', '), onProgress);
  },

  loadFiles: (files, onProgress) => decodeAndSave(files.map((file) => ({ name: file.name, data: file })), 'local files', onProgress),

  clear: () => cache.clear(CIFAR10_CACHE_KEY),
};

exposeToPage(api);
