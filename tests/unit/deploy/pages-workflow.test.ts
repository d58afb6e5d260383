import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const WORKFLOW = join(root, '.github/workflows/pages.yml');
const source = readFileSync(WORKFLOW, 'utf8');

/** action-validator (GitHub's workflow schema, compiled to WebAssembly; runs offline): exit status and report. */
function validate(text: string): { status: number | null; output: string } {
  // The CLI tells a workflow from an action by the file's name, so the copy keeps it.
  const file = join(mkdtempSync(join(tmpdir(), 'workflow-')), 'pages.yml');
  writeFileSync(file, text);
  const cli = join(root, 'node_modules/@action-validator/cli/cli.mjs');
  const result = spawnSync(process.execPath, [cli, file], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

describe('.github/workflows/pages.yml', () => {
  it('passes action-validator', () => {
    const { status, output } = validate(source);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  it('is rejected by the same validator when broken', () => {
    const broken = {
      'a misspelt key': source.replace(/^( +)runs-on:/m, '$1runs_on:'),
      'a job that needs a job that does not exist': source.replace('needs: build', 'needs: biuld'),
      'invalid YAML': source.replace('branches: [main]', 'branches: [main'),
    };
    for (const [what, text] of Object.entries(broken)) {
      expect(text, what).not.toBe(source);
      const { status, output } = validate(text);
      expect(status, what).toBe(1);
      expect(output, what).toContain('"errors"');
    }
  });

  it('builds with npm ci and npm run build on Node 20, uploads dist and deploys it on a push to main', () => {
    const workflow = parse(source);
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.permissions).toMatchObject({ pages: 'write', 'id-token': 'write' });
    expect(workflow.concurrency.group).toBeTruthy();

    const build: Step[] = workflow.jobs.build.steps;
    const index = (match: (step: Step) => boolean) => build.findIndex(match);
    const checkout = index((s) => s.uses?.startsWith('actions/checkout@') ?? false);
    const node = index((s) => s.uses?.startsWith('actions/setup-node@') ?? false);
    const install = index((s) => /^npm ci\b/.test(s.run ?? ''));
    const compile = index((s) => s.run?.trim() === 'npm run build');
    const configure = index((s) => s.uses?.startsWith('actions/configure-pages@') ?? false);
    const upload = index((s) => s.uses?.startsWith('actions/upload-pages-artifact@') ?? false);
    for (const [name, at] of Object.entries({ checkout, node, install, compile, configure, upload })) expect(at, name).toBeGreaterThanOrEqual(0);
    expect([checkout, node, install, compile, upload]).toEqual([...[checkout, node, install, compile, upload]].sort((a, b) => a - b));
    expect(String(build[node].with?.['node-version'])).toBe('20');
    expect(build[upload].with?.path).toBe('dist');
    // The build keeps the relative base: nothing in the workflow sets one.
    expect(source).not.toMatch(/^\s*TABTUNE_BASE\s*:/m);
    expect(build[compile].env?.TABTUNE_BASE).toBeUndefined();

    const deploy = workflow.jobs.deploy;
    expect(deploy.needs).toBe('build');
    expect(deploy.environment.name).toBe('github-pages');
    expect((deploy.steps as Step[]).some((s) => s.uses?.startsWith('actions/deploy-pages@'))).toBe(true);
  });

  it('builds with a relative base unless TABTUNE_BASE says otherwise', async () => {
    const saved = process.env.TABTUNE_BASE;
    delete process.env.TABTUNE_BASE;
    try {
      const config = (await import('../../../vite.config')).default as { base?: string };
      expect(config.base).toBe('./');
    } finally {
      if (saved !== undefined) process.env.TABTUNE_BASE = saved;
    }
  });
});
