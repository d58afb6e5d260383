/**
 * How long the Quick demo preset takes in headless Chromium on this machine, as a user runs it:
 * open the page, keep the preset, click Tune, wait for the job to complete.
 *   npm run build && npm run bench:quick-demo -- [--runs 3]
 */
import { scriptOptions, wholeNumberFlag } from '../../src/cli/args';
import { openBuiltPage } from './browser';

const runs = scriptOptions('bench:quick-demo', 'Usage: npm run bench:quick-demo -- [--runs N]', process.argv.slice(2), { runs: { type: 'string' } }, { runs: '3' }, (values) =>
  wholeNumberFlag('runs', values.runs as string, 1),
);

const page = await openBuiltPage();
const seconds: number[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const tab = await page.browser.newPage();
    await tab.goto(page.url);
    await tab.getByTestId('gpu-status').filter({ hasText: 'WebGPU' }).waitFor();
    const preset = await tab.getByLabel('Preset').inputValue();
    if (preset !== 'quick-demo') throw new Error(`the page opened on preset ${preset}, not quick-demo`);
    const started = performance.now();
    await tab.getByRole('button', { name: 'Tune' }).click();
    await tab.getByTestId('job-status').filter({ hasText: /^completed$/ }).waitFor({ timeout: 600_000 });
    seconds.push((performance.now() - started) / 1000);
    const trials = await tab.locator('section.trials tbody tr[data-status=completed]').count();
    console.log(`run ${run + 1}: ${trials} trials completed in ${seconds.at(-1)!.toFixed(1)} s`);
    await tab.close();
  }
} finally {
  await page.close();
}
const sorted = [...seconds].sort((a, b) => a - b);
console.log(`Quick demo (8 trials, 2 in parallel): median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} s, min ${sorted[0].toFixed(1)} s, max ${sorted.at(-1)!.toFixed(1)} s over ${runs} runs`);
