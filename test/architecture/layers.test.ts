// The layer rule (scripts/layers.ts): the tree passes it, and each kind of breach fails it on a throwaway tree.
import test from 'ava';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../harness/config/paths.ts';
import { checkLayers, cycles, declaredPackages, flowSentence, layerOf, projectSources } from '../../scripts/layers.ts';
import { tempDir } from '../temp-dir.ts';

test('every import of the tree follows the layer rule, and the README states that rule', async (t) => {
  const violations = checkLayers(await projectSources(repoRoot), await declaredPackages(repoRoot));
  t.deepEqual(violations.map((v) => v.message), []);
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  t.true(readme.includes(flowSentence()), `README.md should state the flow as scripts/layers.ts has it:\n${flowSentence()}`);
});

/** The rule's verdict on a throwaway tree: files written to a temporary folder and read back as the tree is. */
async function onTree(files: Record<string, string>, declared = ['execa']): Promise<string[]> {
  const root = await tempDir('gategrid-layers-');
  try {
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    }
    await writeFile(path.join(root, 'package.json'), JSON.stringify({ dependencies: Object.fromEntries(declared.map((d) => [d, '1.0.0'])) }));
    for (const dir of ['harness', 'reports', 'tempest-bridge', 'scripts']) await mkdir(path.join(root, dir), { recursive: true });
    return checkLayers(await projectSources(root), await declaredPackages(root)).map((v) => v.message);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a clean throwaway tree passes (the breaches below are each alone in theirs)', async (t) => {
  t.deepEqual(await onTree({
    'harness/config/a.ts': "import { x } from '../results/model.ts';\nimport { y } from './b.ts';\n",
    'harness/config/b.ts': "import { readFile } from 'node:fs/promises';\n",
    'harness/results/model.ts': '',
    'harness/util/shell.ts': "import { execa } from 'execa';\n",
  }), []);
});

test('an import cycle fails, inside one unit too, type-only imports included', async (t) => {
  const messages = await onTree({
    'harness/openstack/a.ts': "import type { B } from './b.ts';\n",
    'harness/openstack/b.ts': "import { c } from \"./c.ts\";\n",
    'harness/openstack/c.ts': "export * from './a.ts';\n",
  });
  t.is(messages.length, 1, messages.join('\n'));
  t.regex(messages[0]!, /^import cycle: harness\/openstack\/a\.ts → harness\/openstack\/b\.ts → harness\/openstack\/c\.ts → harness\/openstack\/a\.ts/);
});

test('an import of another unit on the same layer fails', async (t) => {
  const messages = await onTree({ 'reports/r.ts': "import { loadConfig } from '../harness/config/load-config.ts';\n", 'harness/config/load-config.ts': '' });
  t.is(messages.length, 1, messages.join('\n'));
  t.regex(messages[0]!, /reports\/r\.ts imports harness\/config\/load-config\.ts, of another unit on its layer \(3\)/);
});

test('an upward import fails, whatever its form (double quotes, side effect, dynamic)', async (t) => {
  const messages = await onTree({
    'harness/config/x.ts': 'import { runCell } from "../runner/run-cell.ts";\nimport \'../runner/side.ts\';\nexport const later = () => import(\'../runner/run-cell.ts\');\n',
    'harness/runner/run-cell.ts': '',
    'harness/runner/side.ts': '',
  });
  t.is(messages.length, 3, messages.join('\n'));
  for (const m of messages) t.regex(m, /^harness\/config\/x\.ts \(layer 3\) imports harness\/runner\/(run-cell|side)\.ts \(layer 13\)/);
});

test('an import of a package the unit may not use, or package.json does not declare, fails', async (t) => {
  const messages = await onTree({
    'harness/results/a.ts': "import ExcelJS from 'exceljs';\n",
    'harness/util/b.ts': "import axios from 'axios';\n",
    'harness/util/c.ts': "import { readFile } from 'node:fs/promises';\nimport { execa } from 'execa';\n",
  });
  t.is(messages.length, 2, messages.join('\n'));
  t.regex(messages[0]!, /harness\/results\/a\.ts imports package exceljs, which harness\/results\/ may not/);
  t.regex(messages[1]!, /harness\/util\/b\.ts imports package axios, which package\.json does not declare/);
});

test('a file in no layer fails, and so does an import of one', async (t) => {
  const messages = await onTree({ 'harness/new-thing.ts': '', 'harness/util/u.ts': "import '../stray/s.ts';\n" });
  t.is(messages.length, 2, messages.join('\n'));
  t.regex(messages[0]!, /harness\/new-thing\.ts belongs to no layer/);
  t.regex(messages[1]!, /harness\/util\/u\.ts imports harness\/stray\/s\.ts, which belongs to no layer/);
});

test('cycles: a self-import is one; a diamond is none', (t) => {
  t.deepEqual(cycles(new Map([['a', ['a']]])), [['a']]);
  t.deepEqual(cycles(new Map([['a', ['b', 'c']], ['b', ['d']], ['c', ['d']], ['d', []]])), []);
  t.is(layerOf('tempest-bridge/selection.ts'), 4);
  t.is(layerOf('tempest-bridge/run-tempest.ts'), 11);
});
