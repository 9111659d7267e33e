import test from 'ava';
import { repoRoot } from '../../harness/config/paths.ts';
import { checkLayers, layerOf, projectSources } from '../../scripts/layers.ts';

test('every import follows the one-way flow (CLI → config → matrix → runner → … → reporters)', async (t) => {
  const violations = checkLayers(await projectSources(repoRoot));
  t.deepEqual(violations.map((v) => v.message), []);
});

test('the checker catches an upward import, a type-only or dynamic one included, and a file of no layer', (t) => {
  const files = new Map([
    ['harness/config/x.ts', "import type { CellResult } from '../results/model.ts';\nimport { runCell } from '../runner/run-cell.ts';\n"],
    ['reports/y.ts', "import type { PlannedCell } from '../harness/matrix/cell.ts';\n"],
    ['harness/config/z.ts', "export async function later() {\n  return (await import('../runner/run-cell.ts')).runCell;\n}\n"],
    ['harness/new-thing.ts', ''],
  ]);
  const messages = checkLayers(files).map((v) => v.message);
  t.is(messages.length, 4, messages.join('\n'));
  t.regex(messages[0]!, /harness\/config\/x\.ts \(layer 1\) imports harness\/runner\/run-cell\.ts \(layer 8\)/);
  t.regex(messages[1]!, /reports\/y\.ts \(layer 1\) imports harness\/matrix\/cell\.ts \(layer 2\)/);
  t.regex(messages[2]!, /harness\/config\/z\.ts \(layer 1\) imports harness\/runner\/run-cell\.ts \(layer 8\)/);
  t.regex(messages[3]!, /belongs to no layer/);
  t.is(layerOf('tempest-bridge/selection.ts'), 2);
  t.is(layerOf('tempest-bridge/run-tempest.ts'), 6);
});
