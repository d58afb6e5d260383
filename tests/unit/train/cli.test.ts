import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEngineLine } from '../../../src/lib/metrics';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the CLI as `npm run train` does (tsx), without npm's own output. */
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 50_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run train', () => {
  it('lists every flag with its default on --help', () => {
    const { status, stdout } = cli('--help');
    expect(status).toBe(0);
    for (const flag of ['--model', '--data DIR|synthetic', '--backend webgpu|cpu', '--epochs', '--batch_size', '--width', '--limit', '--seed', '--lr', '--momentum_cycle', '--weight_decay', '--warmup', '--label_smoothing', '--bn_bias_lr', '--ema ', '--ema_decay', '--tta', '--crop_pad', '--flip', '--cutout', '--optimizer', '--lookahead', '--whiten_bias_epochs']) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toMatch(/--lr X\s+peak learning rate of the one-cycle schedule at the model's default batch_size \(tiny-cnn 32, resnet9 512, airbench 1024, resnet18 512\); it scales linearly: lr × batch_size \/ that batch \(default 0\.05; resnet9 0\.4, airbench 1\.5, resnet18 0\.4\)/);
  });

  it('trains a tiny synthetic run on the cpu backend and prints the log lines', () => {
    const { status, stdout, stderr } = cli('--backend', 'cpu', '--model', 'tiny-cnn', '--data', 'synthetic', '--train-size', '48', '--val_size=16', '--batch', '16', '--width', '2', '--epochs', '1.5', '--seed', '3', '--tta', 'flip', '--ema', 'true', '--crop-pad', '2');
    expect(stderr).not.toMatch(/^train:/m);
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    // After the CLI's Model and Data lines, the engine's first line states what the flags resolved to.
    expect(lines[2]).toMatch(/^Hyperparameters \{"recipe":\d+,"model":"tiny-cnn",/);
    expect(parseEngineLine(lines[2])).toMatchObject({ kind: 'config', hyperparameters: { train_size: 48, val_size: 16, test_size: 16, batch_size: 16, width: 2, epochs: 1.5, tta: 'flip', ema: true, crop_pad: 2 } });
    expect(lines.filter((l) => l.startsWith('Epoch '))).toHaveLength(2);
    expect(stdout).toMatch(/^Epoch 2, Train loss=\d+\.\d{4}, Validation accuracy=[01]\.\d{4}, Images\/s=\d+\.\d$/m);
    expect(stdout).toMatch(/^Final, Test accuracy=[01]\.\d{4}, Seconds=\d+\.\d$/m);
    expect(stdout).toMatch(/^Images\/s=\d+\.\d/m);
  });

  it('rejects a bad flag or value with one line on stderr and a non-zero exit', () => {
    const unknown = cli('--backend', 'cpu', '--learning-rate', '0.1');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe('train: unknown option --learning-rate (see --help).');
    const bad = cli('--backend', 'cpu', '--lr', '-0.1');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('train: lr must be above 0; got -0.1.');
    const model = cli('--model', 'resnet9000');
    expect(model.status).toBe(2);
    expect(model.stderr.trim()).toBe('train: model must be one of tiny-cnn, resnet9, airbench, resnet18; got resnet9000.');
    expect(cli('--epochs').stderr.trim()).toBe('train: --epochs needs a value.');
  });
});
