import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import as written in a source file, resolved to a file of the repository or to an npm package. */
export interface ImportEdge {
  from: string;
  specifier: string;
  /** Repository-relative path of the imported file, for relative specifiers. */
  file?: string;
  /** The npm package, for bare specifiers (node: built-ins are left out). */
  pkg?: string;
}

const SOURCE = /\.(ts|svelte|mjs)$/;
const RESOLVE_SUFFIXES = ['', '.ts', '.svelte.ts', '.svelte', '/index.ts'];
// Static imports and re-exports, side-effect imports, dynamic import(), and workers started by URL.
const SPECIFIERS = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, /new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/g];

export function sourceFiles(root: string, folder: string): string[] {
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => SOURCE.test(name) && statSync(join(dir, name)).isFile())
    .map((name) => relative(root, join(dir, name)))
    .sort();
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

export function importsOf(root: string, file: string): ImportEdge[] {
  const text = stripComments(readFileSync(join(root, file), 'utf8'));
  const edges: ImportEdge[] = [];
  for (const pattern of SPECIFIERS) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) {
        const base = resolve(root, dirname(file), specifier);
        const hit = RESOLVE_SUFFIXES.map((suffix) => base + suffix).find((path) => existsSync(path) && statSync(path).isFile());
        if (!hit) throw new Error(`${file}: cannot resolve ${specifier}`);
        edges.push({ from: file, specifier, file: relative(root, hit) });
      } else {
        const parts = specifier.split('/');
        edges.push({ from: file, specifier, pkg: specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0] });
      }
    }
  }
  return edges;
}

/**
 * The unit a file belongs to in ARCHITECTURE.md's module table: a folder of src/lib
 * (`src/lib/space`), a single file at its top (`src/lib/rng.ts`), or a top-level area
 * (`workers`, `src/ui`, `src/cli`, `bench`, `tests`, `scripts`).
 */
export function moduleOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src' && parts[1] === 'lib') return parts.length === 3 ? file : `src/lib/${parts[2]}`;
  if (parts[0] === 'src' && parts.length > 2) return `src/${parts[1]}`;
  return parts.length === 1 || (parts[0] === 'src' && parts.length === 2) ? file : parts[0];
}

export interface ModuleImports {
  modules: Set<string>;
  packages: Set<string>;
}

/** For each module, the other modules and the npm packages its files import. */
export function moduleGraph(root: string, folders: string[]): Map<string, ModuleImports> {
  const graph = new Map<string, ModuleImports>();
  for (const file of folders.flatMap((folder) => sourceFiles(root, folder))) {
    const from = moduleOf(file);
    const entry = graph.get(from) ?? { modules: new Set<string>(), packages: new Set<string>() };
    graph.set(from, entry);
    for (const edge of importsOf(root, file)) {
      if (edge.pkg) entry.packages.add(edge.pkg);
      else if (moduleOf(edge.file!) !== from) entry.modules.add(moduleOf(edge.file!));
    }
  }
  return graph;
}

/** One cycle as a path that ends where it starts, found by a depth-first search; undefined when the graph is acyclic. */
export function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The rows of the markdown table whose header starts `| module |`: module → its `imports` and `packages` cells. */
export function documentedModules(markdown: string): Map<string, { modules: string[]; packages: string[] }> {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*module\s*\|/.test(line));
  if (header < 0) throw new Error('ARCHITECTURE.md has no module table');
  const columns = cells(lines[header]);
  const importsAt = columns.indexOf('imports');
  const packagesAt = columns.indexOf('packages');
  if (importsAt < 0 || packagesAt < 0) throw new Error('the module table needs an `imports` and a `packages` column');
  const rows = new Map<string, { modules: string[]; packages: string[] }>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const row = cells(line);
    const list = (cell: string) => (cell === '—' ? [] : cell.split(',').map((name) => name.trim().replace(/`/g, '')).filter(Boolean));
    rows.set(row[0].replace(/`/g, '').replace(/\/$/, ''), { modules: list(row[importsAt]), packages: list(row[packagesAt]) });
  }
  return rows;
}

function cells(line: string): string[] {
  return line.split('|').slice(1, -1).map((cell) => cell.trim());
}
