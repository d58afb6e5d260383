#!/usr/bin/env node
// `npm run gpu:pack`: everything the GPU machine needs to run the benchmark and the train CLI, in the
// ignored folder .gpu/ that the device call carries: one esbuild bundle of bench/gpu/run.ts, this
// machine's Node binary and Dawn's dawn.node (both gzipped: the carry limit is 64 MiB), and
// gpu-run.sh, which unpacks them there. See docs/PERFORMANCE.md, "On a GPU".
//   node scripts/gpu-pack.mjs [--out DIR] [--bundle-only] [--node PATH]
// --bundle-only writes run.mjs alone (the unit test's smoke check of the bundle).
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const OUT = resolve(flag('--out') ?? join(ROOT, '.gpu'));
const BUNDLE_ONLY = process.argv.includes('--bundle-only');
const LIMIT = 50 * 1024 * 1024;
const DAWN = join(ROOT, 'node_modules/webgpu/dist/linux-x64/dawn.node');
const nodeBinary = resolve(flag('--node') ?? process.execPath);


// esbuild is a devDependency (the same version tsx and vite bring).
let esbuild;
try {
  esbuild = createRequire(join(ROOT, 'package.json'))('esbuild');
} catch {
  fail('esbuild is not in node_modules: run npm install');
}

mkdirSync(OUT, { recursive: true });

/**
 * In a bundle every module's import.meta.url is the bundle's. Two uses in this project's sources
 * would then go wrong: the train CLI imports its folder loader by URL (so that it builds without
 * it), which would point at nothing, and a script's "am I the main module?" check (cifar-folder.ts)
 * would answer yes. So, in the project's own sources, URL imports become plain ones and
 * import.meta.url becomes the source file's own URL.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /[\\/](src|bench)[\\/].+\.ts$/ }, (args) => {
      const own = relative(ROOT, args.path);
      if (own.startsWith('..') || own.split(/[\\/]/).includes('node_modules')) return undefined;
      const contents = readFileSync(args.path, 'utf8')
        .replace(/import\(new URL\((['"])(\.\/[\w./-]+\.ts)\1, import\.meta\.url\)\.href\)/g, "import('$2')")
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: 'ts' };
    });
  },
};

/** bench:train's Chromium path needs Playwright and Vite, which the GPU machine has no use for. */
const noChromium = {
  name: 'no-chromium',
  setup(build) {
    build.onResolve({ filter: /\/chromium-page(\.ts)?$/ }, () => ({ path: 'chromium-page', namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "export async function openBenchBrowser() { throw new Error('--where chromium is not in the GPU bundle: it needs Chromium and Playwright'); }",
      loader: 'js',
    }));
  },
};

const started = performance.now();
const result = await esbuild.build({
  entryPoints: [join(ROOT, 'bench/gpu/run.ts')],
  outfile: join(OUT, 'run.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  legalComments: 'eof',
  // tfjs's CommonJS files require Node's built-ins; an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __tabtuneCreateRequire } from 'node:module'; const require = __tabtuneCreateRequire(import.meta.url);" },
  // tfjs-core falls back to node-fetch only where there is no global fetch; Node 20 has one.
  external: ['node-fetch'],
  plugins: [ownImportMetaUrl, noChromium],
  logLevel: 'warning',
  metafile: true,
});
if (result.errors.length) fail('esbuild failed');
const bundled = readFileSync(join(OUT, 'run.mjs'), 'utf8');
if (!bundled.includes('loadCifarFolder')) fail("the train CLI's folder loader did not make it into the bundle: has the URL import in src/cli/train.ts changed?");
console.log(`gpu:pack: bundled bench/gpu/run.ts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (BUNDLE_ONLY) process.exit(0);
if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the GPU machine is linux-x64; this Node is ${process.platform}-${process.arch}, so its binary and Dawn would not run there`);
if (!existsSync(DAWN)) fail(`no ${relative(ROOT, DAWN)}: run npm install`);

/** Gzips `from` to `to` unless `to` was made from the same bytes already (gzip -9 of Node takes a while). */
function gzipOnce(from, to) {
  const data = readFileSync(from);
  const hash = createHash('sha256').update(data).digest('hex');
  const stamp = `${to}.sha256`;
  if (existsSync(to) && existsSync(stamp) && readFileSync(stamp, 'utf8').startsWith(hash)) return 'unchanged';
  writeFileSync(to, gzipSync(data, { level: 9 }));
  writeFileSync(stamp, `${hash}  ${from}\n`);
  return 'compressed';
}
console.log(`gpu:pack: ${gzipOnce(nodeBinary, join(OUT, 'node.gz'))} ${nodeBinary} (${process.version})`);
console.log(`gpu:pack: ${gzipOnce(DAWN, join(OUT, 'dawn.node.gz'))} ${relative(ROOT, DAWN)}`);
copyFileSync(join(ROOT, 'bench/gpu/gpu-run.sh'), join(OUT, 'gpu-run.sh'));
chmodSync(join(OUT, 'gpu-run.sh'), 0o755);

const files = ['run.mjs', 'node.gz', 'dawn.node.gz', 'gpu-run.sh'];
let total = 0;
for (const name of files) {
  const bytes = statSync(join(OUT, name)).size;
  total += bytes;
  console.log(`  .gpu/${name.padEnd(14)} ${mib(bytes).padStart(9)}`);
}
console.log(`  ${'total'.padEnd(19)} ${mib(total).padStart(9)}  (limit ${mib(LIMIT)}; the device call carries at most 64 MiB with .gl and the tree)`);
if (total > LIMIT) fail(`.gpu is ${mib(total)}, over ${mib(LIMIT)}`);
if (!existsSync(join(ROOT, '.gl'))) console.log('gpu:pack: no .gl/ yet: the GPU machine needs the Vulkan loader debs; see docs/PERFORMANCE.md, "On a GPU"');

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function fail(message) {
  console.error(`gpu:pack: ${message}`);
  process.exit(1);
}
