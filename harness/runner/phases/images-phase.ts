import { cellImages, upgradeImages } from '../../matrix/cell.ts';
import type { CellPhase, CellRun } from './cell-run.ts';
import path from 'node:path';
import { manifestKey } from '../../results/package-manifests.ts';

/** The images the cell needs (and, for an upgrade, those of the release it moves to), built when missing. */
export function imagesPhase(run: CellRun): CellPhase {
  const { cell, options, result } = run;
  return {
    title: 'images',
    timeoutMs: options.timeouts.images,
    async setup(r) {
      const built = await options.images.ensureAll(cellImages(cell), cell.release.suite);
      for (const [name, image] of built) r.images.set(name, image.tag);
      result.images = Object.fromEntries(r.images);
      const all = [...built.values()];
      if (cell.upgradeTo) {
        const target = await options.images.ensureAll(upgradeImages(cell), cell.upgradeTo.release.suite);
        for (const [name, image] of target) r.targetImages.set(name, image.tag);
        result.images = { ...result.images, ...Object.fromEntries([...r.targetImages].map(([n, t]) => [`${n}@${cell.upgradeTo!.releaseName}`, t])) };
        all.push(...target.values());
      }
      result.imageIds = Object.fromEntries(all.map((i) => [i.tag, manifestKey(i.id)]));
      await options.images.recordManifests(all, path.join(options.outDir, 'packages'), (line) => r.log(line));
    },
  };
}
