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
  const memcached = images.get('memcached')!;
  if (memcached.kind !== 'built') throw new Error('memcached is built from its recipe');
  await cp(memcached.dir, changedDir, { recursive: true });
  await writeFile(path.join(changedDir, 'extra.txt'), `changed ${Date.now()}\n`);
  const changed = new Map(images);
  changed.set('memcached', { ...memcached, dir: changedDir });
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
  recipes.set('gg-refresh-probe', { kind: 'built', name: 'gg-refresh-probe', dir, from: '@base', buildArgs: {} });
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

// Issue 24's images by reference, on the real engine: a prebuilt image found there under its
// reference ({suite} filled in), its digest checked, a recipe built on it; one that is not there and
// names no registry is refused with the fix, and nothing is pulled.
test.serial('integration: a prebuilt image by reference is used as it is, its digest checked, and built on; a missing one naming no registry is refused', async (t) => {
  const { images } = await loadCatalogues();
  const logDir = await tempDir('gategrid-it-prebuilt-');
  const base = await new ImageBuilder(images, { logDir }).ensure('base', 'bookworm');
  const ref = 'prebuilt.example.test/gategrid/probe:bookworm';
  await docker(['tag', base.tag, ref]);
  const dir = await tempDir('gategrid-it-prebuilt-recipe-');
  await writeFile(path.join(dir, 'Dockerfile'), 'ARG BASE\nFROM ${BASE}\nRUN echo built-on-prebuilt > /on-prebuilt\n');
  const recipes = new Map(images);
  recipes.set('gg-prebuilt', { kind: 'prebuilt', name: 'gg-prebuilt', ref: 'prebuilt.example.test/gategrid/probe:{suite}', digest: base.id });
  recipes.set('gg-on-prebuilt', { kind: 'built', name: 'gg-on-prebuilt', dir, from: 'gg-prebuilt', buildArgs: {} });
  const builder = new ImageBuilder(recipes, { logDir });
  const prebuilt = await builder.ensure('gg-prebuilt', 'bookworm');
  t.like(prebuilt, { tag: ref, id: base.id, cached: true });
  const on = await builder.ensure('gg-on-prebuilt', 'bookworm');
  t.teardown(async () => { await docker(['rmi', on.tag, ref], { allowFailure: true }); });
  t.false(on.cached);
  t.true(await builder.isCached(['gg-on-prebuilt'], 'bookworm'));
  t.is((await docker(['run', '--rm', '--network', 'none', on.tag, 'cat', '/on-prebuilt'])).stdout.trim(), 'built-on-prebuilt');
  // The tag moved: another digest is refused, naming both.
  recipes.set('gg-prebuilt', { kind: 'prebuilt', name: 'gg-prebuilt', ref, digest: `sha256:${'0'.repeat(64)}` });
  await t.throwsAsync(new ImageBuilder(recipes, { logDir }).ensure('gg-prebuilt', 'bookworm'), { message: new RegExp(`is ${base.id}.*not the recipe's digest sha256:0{64}: the tag moved`) });
  // Not on the engine and no registry named: refused before any pull.
  recipes.set('gg-missing', { kind: 'prebuilt', name: 'gg-missing', ref: 'gategrid-no-such-prebuilt:1' });
  await t.throwsAsync(new ImageBuilder(recipes, { logDir }).ensure('gg-missing', 'bookworm'), { message: /gategrid-no-such-prebuilt:1 is not on this engine, and its reference names no registry to pull it from/ });
  t.false(await new ImageBuilder(recipes, { logDir }).isCached(['gg-missing'], 'bookworm'));
});

// No build outlives its run: a cell's images failed while a sibling's build still ran and another
// waited for a slot (the phase reports the failure at once and the run goes on to its end). Closing
// the builder at the run's end stops the running build (the daemon drops it and its intermediate
// container) and the queued one never starts.
test.serial('integration: closing the builder stops a build still running and never starts a queued one', async (t) => {
  const { images } = await loadCatalogues();
  const logDir = await tempDir('gategrid-it-close-');
  const recipes = new Map(images);
  const marker = `gg-close-${Date.now()}`;
  for (const [name, run] of [['gg-close-slow', `sleep 300 # ${marker}`], ['gg-close-queued', 'true']] as const) {
    const dir = await tempDir(`gategrid-it-${name}-`);
    await writeFile(path.join(dir, 'Dockerfile'), `ARG BASE\nFROM \${BASE}\nRUN ${run}\n`);
    recipes.set(name, { kind: 'built', name, dir, from: '@base', buildArgs: {} });
  }
  const lines: string[] = [];
  let building!: () => void;
  const slowStarted = new Promise<void>((resolve) => { building = resolve; });
  const builder = new ImageBuilder(recipes, { logDir, parallel: 1, events: { log: (line) => { lines.push(line); if (line.includes('gg-close-slow')) building(); } } });
  const slow = builder.ensure('gg-close-slow', 'bookworm');
  const queued = builder.ensure('gg-close-queued', 'bookworm');
  slow.catch(() => undefined);
  queued.catch(() => undefined);
  await slowStarted;
  // Its RUN step is under way: a container runs the sleep (bounded wait).
  const running = async () => (await docker(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Command}}'])).stdout.split('\n').filter((l) => l.includes(marker)).join('\n');
  for (let i = 0; i < 60 && (await running()) === ''; i++) await new Promise((r) => setTimeout(r, 500));
  t.not(await running(), '', 'the slow build\'s step ran');
  const t0 = Date.now();
  await builder.close();
  t.true(Date.now() - t0 < 30_000, `closed in ${Date.now() - t0} ms`);
  await t.throwsAsync(slow, { message: /gg-close-slow \(bookworm\) not built: stopped as the run ended/ });
  await t.throwsAsync(queued, { message: /gg-close-queued \(bookworm\) not built: the run was ending/ });
  t.false(lines.some((l) => l.includes('building image gategrid/gg-close-queued')), 'the queued build never started');
  // The daemon dropped the cancelled build: no container runs its step (bounded wait for its cleanup).
  let left = await running();
  for (let i = 0; i < 20 && left !== ''; i++) {
    await new Promise((r) => setTimeout(r, 500));
    left = await running();
  }
  t.is(left, '', 'no build container left behind');
});
