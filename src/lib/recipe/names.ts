/**
 * Names users bring from SageMaker estimators, PyTorch and Keras scripts and Optuna examples,
 * written lower-case with underscores, and the engine hyperparameter each one means.
 */
const ALIASES: Record<string, string> = {
  learning_rate: 'lr',
  learningrate: 'lr',
  eta: 'lr',
  max_lr: 'lr',
  peak_lr: 'lr',
  mom: 'momentum',
  beta: 'momentum',
  opt: 'optimizer',
  optim: 'optimizer',
  wd: 'weight_decay',
  weightdecay: 'weight_decay',
  l2: 'weight_decay',
  bs: 'batch_size',
  batch: 'batch_size',
  batchsize: 'batch_size',
  mini_batch_size: 'batch_size',
  minibatch_size: 'batch_size',
  num_epochs: 'epochs',
  n_epochs: 'epochs',
  epoch: 'epochs',
  max_epochs: 'epochs',
  smoothing: 'label_smoothing',
  ls: 'label_smoothing',
  arch: 'model',
  architecture: 'model',
  network: 'model',
  dataset: 'data',
  warmup_fraction: 'warmup',
  pct_start: 'warmup',
  augment_flip: 'flip',
  crop: 'crop_pad',
  padding: 'crop_pad',
};

/** The form a name is compared in: lower case, `-` and spaces as `_`. */
function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** Damerau–Levenshtein distance (adjacent transpositions count as one edit): typos like `widht`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name an unknown one most likely means, or undefined when none is close: the alias
 * table first, then the same name in another spelling (`Batch-Size`), then the nearest name by
 * edit distance, allowing about one edit per three letters. The one place that answers "did you
 * mean", for the form, links and imports alike.
 */
export function suggestName(name: string, known: readonly string[]): string | undefined {
  const wanted = normalize(name);
  if (!wanted) return undefined;
  const alias = ALIASES[wanted];
  if (alias && known.includes(alias)) return alias;
  const sameSpelling = known.find((candidate) => normalize(candidate) === wanted);
  if (sameSpelling) return sameSpelling;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(wanted.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(wanted, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
