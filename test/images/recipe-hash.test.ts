import test from 'ava';
import { chmod, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { recipeHash } from '../../harness/images/recipe-hash.ts';
import { descendantCounts } from '../../harness/images/image-builder.ts';
import { tempDir } from '../temp-dir.ts';

async function recipe(): Promise<string> {
  const dir = await tempDir('gg-recipe-');
  await writeFile(path.join(dir, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nRUN true\n');
  await mkdir(path.join(dir, 'files'));
  await writeFile(path.join(dir, 'files', 'start.sh'), '#!/bin/sh\nexec true\n');
  return dir;
}

test('the same recipe, args and parent give the same hash', async (t) => {
  const a = await recipe();
  const b = await recipe();
  t.is(await recipeHash(a, { X: '1' }, 'sha256:p'), await recipeHash(b, { X: '1' }, 'sha256:p'));
});

test('a file, a mode, a build arg or the parent changes the hash', async (t) => {
  const dir = await recipe();
  const before = await recipeHash(dir, { X: '1' }, 'sha256:p');
  t.not(await recipeHash(dir, { X: '2' }, 'sha256:p'), before, 'build arg');
  t.not(await recipeHash(dir, { X: '1' }, 'sha256:q'), before, 'parent image id');
  await chmod(path.join(dir, 'files', 'start.sh'), 0o755);
  const afterMode = await recipeHash(dir, { X: '1' }, 'sha256:p');
  t.not(afterMode, before, 'mode');
  await writeFile(path.join(dir, 'files', 'start.sh'), '#!/bin/sh\nexec false\n');
  t.not(await recipeHash(dir, { X: '1' }, 'sha256:p'), afterMode, 'content of a nested file');
});

test('descendantCounts: how many recipes are built on each, directly or not (the build order on a cold machine)', (t) => {
  const built = (name: string, from: string) => [name, { kind: 'built' as const, name, from, dir: `/x/${name}`, buildArgs: {} }] as const;
  const images = new Map([
    built('base', '@base'), built('openstack-base', 'base'), built('keystone', 'openstack-base'),
    built('glance-api', 'openstack-base'), built('mariadb', 'base'), built('tempest', 'base'),
  ]);
  const counts = descendantCounts(images);
  t.deepEqual(Object.fromEntries(counts), { base: 5, 'openstack-base': 2, keystone: 0, 'glance-api': 0, mariadb: 0, tempest: 0 });
});
