#!/usr/bin/env node
// `npm test`: installs what the tests need that npm cannot (Debian's Chromium, the Vulkan loader and nats-server),
// then runs every test: the type check, Vitest, then Playwright on the production build.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
const VULKAN_LOADER_PATHS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'];

const phases = [];

/** Runs one phase of the suite and records how long it took, for the summary. */
function phase(name, command, args, extraEnv = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (result.error) throw result.error;
  const status = result.status ?? 1;
  phases.push({ name, seconds: (performance.now() - started) / 1000, status });
  return status;
}

function printTimes() {
  const total = phases.reduce((sum, p) => sum + p.seconds, 0);
  console.log('\nTime per phase:');
  for (const p of phases) console.log(`  ${p.name.padEnd(24)} ${formatSeconds(p.seconds).padStart(11)}  ${p.status === 0 ? 'passed' : 'FAILED'}`);
  console.log(`  ${'total'.padEnd(24)} ${formatSeconds(total).padStart(11)}`);
}

function formatSeconds(seconds) {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function ensureSystemPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (!VULKAN_LOADER_PATHS.some(existsSync)) missing.push('libvulkan1');
  if (spawnSync('nats-server', ['--version']).status !== 0) missing.push('nats-server');
  if (missing.length === 0) return;

  const isDebian = existsSync('/etc/debian_version') || /ID(_LIKE)?=.*debian/.test(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '');
  const isRoot = process.getuid?.() === 0;
  if (!isDebian || !isRoot) {
    console.error(
      `The tests need ${missing.join(' and ')} (Debian packages: Chromium with its SwiftShader WebGPU driver, the Vulkan loader, and the NATS server for the trial bus).\n` +
        `Install them as root on Debian with:\n  apt-get update && apt-get install -y ${missing.join(' ')}\n` +
        (isDebian ? 'This process is not root, so it cannot do that itself.' : 'This machine is not Debian; install the equivalent packages and make Chromium available at /usr/bin/chromium.'),
    );
    process.exit(1);
  }
  console.log(`Installing ${missing.join(', ')} with apt-get…`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (phase('apt-get update', 'apt-get', ['update', '-qq'], env) !== 0 || phase('apt-get install', 'apt-get', ['install', '-y', '-qq', ...missing], env) !== 0) {
    console.error(`apt-get could not install ${missing.join(' ')}. Install them by hand and run npm test again.`);
    process.exit(1);
  }
}

ensureSystemPackages();
if (phase('type check', 'npm', ['run', '--silent', 'check']) !== 0) {
  printTimes();
  console.error('Type check failed.');
  process.exit(1);
}
// The real CIFAR-10 files sit beside the checkout on project machines and in CI: check the readers on them too.
const sharedCifar = resolve('..', 'shared', 'data', 'cifar-10');
const realData = !process.env.CIFAR10_DIR && existsSync(join(sharedCifar, 'test_batch.bin')) ? { CIFAR10_DIR: sharedCifar } : {};
const unit = phase('unit (Vitest)', 'npx', ['vitest', 'run'], realData);
const e2e = phase('end-to-end (Playwright)', 'npx', ['playwright', 'test'], { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' });
printTimes();
if (unit !== 0 || e2e !== 0) {
  console.error(`Tests failed: unit ${unit === 0 ? 'passed' : 'FAILED'}, end-to-end ${e2e === 0 ? 'passed' : 'FAILED'}.`);
  process.exit(1);
}
console.log('All tests passed: unit and end-to-end.');
