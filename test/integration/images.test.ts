import test from 'ava';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCatalogues } from '../../harness/config/load-scenario.ts';
import { ImageBuilder } from '../../harness/images/image-builder.ts';

// The image builder against the real engine: what is cached is known without building anything.
test.serial('integration: isCached is true for built images and false for a changed recipe, building nothing', async (t) => {
  const { images } = await loadCatalogues();
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'gategrid-it-images-'));
  const built: string[] = [];
  const builder = new ImageBuilder(images, { logDir, events: { onImage: (i) => void (i.cached || built.push(i.name)) } });
  await builder.ensureAll(['memcached'], 'bookworm');
  t.true(await builder.isCached(['memcached', 'base'], 'bookworm'));

  // The same recipe with one more file: another hash, so not cached, and asking built nothing.
  const changedDir = await mkdtemp(path.join(os.tmpdir(), 'gategrid-it-recipe-'));
  await cp(images.get('memcached')!.dir, changedDir, { recursive: true });
  await writeFile(path.join(changedDir, 'extra.txt'), `changed ${Date.now()}\n`);
  const changed = new Map(images);
  changed.set('memcached', { ...images.get('memcached')!, dir: changedDir });
  const before = built.length;
  const probe = new ImageBuilder(changed, { logDir, events: { onImage: (i) => void built.push(i.name) } });
  t.false(await probe.isCached(['memcached'], 'bookworm'));
  t.true(await probe.isCached(['base'], 'bookworm'));
  t.false(await probe.isCached(['no-such-image'], 'bookworm'));
  t.is(built.length, before, 'isCached builds nothing');
});
