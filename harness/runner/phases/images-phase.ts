import { cellImages, lateImage, upgradeImages } from '../../matrix/cell.ts';
import type { BuiltImage } from '../../images/image-builder.ts';
import type { CellPhase, CellRun } from './cell-run.ts';
import path from 'node:path';
import { manifestKey } from '../../results/package-manifests.ts';

/**
 * The images the cell needs (and, for an upgrade, those of the release it moves to), built when
 * missing; Tempest's, needed last, is built while the cell deploys (`r.lateImage`, awaited by the
 * Tempest phase, and by this phase's teardown so no build outlives the cell).
 */
export function imagesPhase(run: CellRun, { tempest }: { readonly tempest: boolean }): CellPhase {
  const { cell, options, result } = run;
  const late = lateImage(cell);
  // Without the Tempest phase (a run that stops before it), Tempest's image is not built at all.
  const build = tempest ? late : undefined;
  const early = (names: string[], suite: string) => names.filter((n) => !(late && n === late.name && suite === late.suite));
  let lateSettled = true;
  return {
    title: 'images',
    timeoutMs: options.timeouts.images,
    async setup(r) {
      const built = await options.images.ensureAll(early(cellImages(cell), cell.release.suite), cell.release.suite);
      for (const [name, image] of built) r.images.set(name, image.tag);
      result.images = Object.fromEntries(r.images);
      const all = [...built.values()];
      if (cell.upgradeTo) {
        const target = await options.images.ensureAll(early(upgradeImages(cell), cell.upgradeTo.release.suite), cell.upgradeTo.release.suite);
        for (const [name, image] of target) r.targetImages.set(name, image.tag);
        result.images = { ...result.images, ...Object.fromEntries([...r.targetImages].map(([n, t]) => [`${n}@${cell.upgradeTo!.releaseName}`, t])) };
        all.push(...target.values());
      }
      result.imageIds = Object.fromEntries(all.map((i) => [i.tag, manifestKey(i.id)]));
      await options.images.recordManifests(all, path.join(options.outDir, 'packages'), (line) => r.log(line));
      if (build) {
        const pending = options.images.ensure(build.name, build.suite).then((image) => recordLate(r, image));
        lateSettled = false;
        pending.then(() => { lateSettled = true; }, () => { lateSettled = true; }); // the Tempest phase reports the error
        r.lateImage = pending;
      }
    },
    ...(build ? {
      // Only a build still running has a teardown (waited for, so no build outlives the cell).
      teardownNeeded: () => !lateSettled,
      async teardown(r: CellRun) {
        await r.lateImage?.catch(() => undefined);
      },
    } : {}),
  };

  /** The late image joins the cell's images, ids and package manifests as if built up front. */
  async function recordLate(r: CellRun, image: BuiltImage): Promise<void> {
    const own = !cell.upgradeTo;
    (own ? r.images : r.targetImages).set(image.name, image.tag);
    result.images = { ...result.images, [own ? image.name : `${image.name}@${cell.upgradeTo!.releaseName}`]: image.tag };
    result.imageIds = { ...result.imageIds, [image.tag]: manifestKey(image.id) };
    await options.images.recordManifests([image], path.join(options.outDir, 'packages'), (line) => r.log(line));
  }
}
