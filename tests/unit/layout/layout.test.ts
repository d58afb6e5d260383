import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { documentedModules, findCycle, importsOf, moduleGraph, sourceFiles } from './imports';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const FORBIDDEN_FROM_LIB = ['src/ui/', 'workers/', 'src/cli/', 'bench/', 'tests/', 'scripts/'];
/** The areas ARCHITECTURE.md's module table describes besides the modules of src/lib. */
const AREAS = ['workers', 'src/ui', 'src/cli'];

/** Table cells name src/lib modules without the prefix (`space`, `rng.ts`) and other areas in full. */
function fullName(name: string): string {
  return AREAS.includes(name) ? name : `src/lib/${name}`;
}

describe('layout', () => {
  it('keeps src/lib free of the page, the workers, the CLIs, benchmarks and tests', () => {
    const offending = sourceFiles(root, 'src/lib')
      .flatMap((file) => importsOf(root, file))
      .filter((edge) => edge.file && FORBIDDEN_FROM_LIB.some((area) => edge.file!.startsWith(area)))
      .map((edge) => `${edge.from} imports ${edge.file}`);
    expect(offending).toEqual([]);
  });

  it('has no import cycle between the modules of src/lib', () => {
    const graph = moduleGraph(root, ['src/lib']);
    const modules = new Map([...graph].map(([name, imports]) => [name, imports.modules]));
    expect(findCycle(modules)).toBeUndefined();
    // The check itself: a cycle added by hand is found.
    modules.get('src/lib/space')!.add('src/lib/tuner');
    expect(findCycle(modules)).toEqual(expect.arrayContaining(['src/lib/space', 'src/lib/tuner']));
  });

  it("matches ARCHITECTURE.md's module table", () => {
    const documented = documentedModules(readFileSync(`${root}/docs/ARCHITECTURE.md`, 'utf8'));
    const computed = moduleGraph(root, ['src/lib', ...AREAS]);
    const table = (rows: Iterable<[string, { modules: Iterable<string>; packages: Iterable<string> }]>) =>
      Object.fromEntries([...rows].map(([name, row]) => [name, { imports: [...row.modules].sort(), packages: [...row.packages].sort() }]));
    const fromDoc = table([...documented].map(([name, row]) => [name, { modules: row.modules.map(fullName), packages: row.packages }]));
    const fromCode = table([...computed].filter(([name]) => name.startsWith('src/lib/') || AREAS.includes(name)));
    expect(fromDoc).toEqual(fromCode);
  });
});
