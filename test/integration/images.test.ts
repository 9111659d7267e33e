import test from 'ava';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCatalogues } from '../../harness/config/load-catalogues.ts';
import { ImageBuilder } from '../../harness/images/image-builder.ts';
import { docker } from '../../harness/docker-cli.ts';
import { packageManifest } from '../../harness/images/package-manifest.ts';
import { parseManifest } from '../../harness/results/package-manifests.ts';
import { tempDir } from '../temp-dir.ts';

// The image builder against the real engine: what is cached is known without building anything.
test.serial('integration: isCached is true for built images and false for a changed recipe, building nothing', async (t) => {
  const { images } = await loadCatalogues();
  const logDir = await tempDir('gategrid-it-images-');
  const built: string[] = [];
  const builder = new ImageBuilder(images, { logDir, events: { onImage: (i) => void (i.cached || built.push(i.name)) } });
  await builder.ensureAll(['memcached'], 'bookworm');
  t.true(await builder.isCached(['memcached', 'base'], 'bookworm'));

  // The same recipe with one more file: another hash, so not cached, and asking built nothing.
  const changedDir = await tempDir('gategrid-it-recipe-');
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

// --refresh-images for real, on a throwaway recipe straight on the suite's base (so no shared image
// is rebuilt and every other test keeps its cache): a refreshing builder rebuilds without the layer
// cache, so the same tag points at a new image; a plain builder then takes it as it is.
test.serial('integration: a refreshing builder rebuilds an existing image without the layer cache; its manifest is read from it', async (t) => {
  const { images } = await loadCatalogues();
  const logDir = await tempDir('gategrid-it-refresh-');
  const dir = await tempDir('gategrid-it-refresh-recipe-');
  await writeFile(path.join(dir, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nRUN od -An -N8 -tx8 /dev/urandom > /built-at\n');
  const recipes = new Map(images);
  recipes.set('gg-refresh-probe', { name: 'gg-refresh-probe', dir, from: '@base', buildArgs: {} } as never);
  const first = await new ImageBuilder(recipes, { logDir }).ensure('gg-refresh-probe', 'bookworm');
  t.teardown(() => docker(['rmi', '-f', first.tag], { allowFailure: true }).then(() => undefined));
  const again = await new ImageBuilder(recipes, { logDir }).ensure('gg-refresh-probe', 'bookworm');
  t.true(again.cached);
  t.is(again.id, first.id);
  const refreshed = await new ImageBuilder(recipes, { logDir, refresh: true }).ensure('gg-refresh-probe', 'bookworm');
  t.false(refreshed.cached);
  t.is(refreshed.tag, first.tag);
  t.not(refreshed.id, first.id, 'rebuilt without the layer cache: a new image under the same tag');
  const manifest = parseManifest(await packageManifest(refreshed.tag, refreshed.id, await tempDir('gategrid-it-manifests-')));
  t.regex(manifest.get('dpkg') ?? '', /^1\.21\./, 'bookworm\'s dpkg, read from the image');
});
