import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { docker } from '../docker-cli.ts';
import { InfraError } from '../errors.ts';

/**
 * Files read out of a built image (a guest's kernel and initramfs, for glance) through a container
 * that is created, copied from and removed, never started. It carries the run's labels, so a crash
 * between create and remove leaves nothing `gategrid prune` cannot find.
 */
export async function readImageFiles(tag: string, files: readonly string[], labels: Readonly<Record<string, string>>): Promise<Map<string, Buffer>> {
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  const created = await docker(['create', ...labelArgs, tag, 'true']);
  const id = created.stdout.trim();
  const dir = await mkdtemp(path.join(tmpdir(), 'gategrid-image-files-'));
  try {
    const out = new Map<string, Buffer>();
    for (const [i, file] of files.entries()) {
      const to = path.join(dir, String(i));
      const copied = await docker(['cp', `${id}:${file}`, to], { allowFailure: true });
      if (copied.exitCode !== 0) throw new InfraError(`image ${tag} has no file ${file}: ${copied.stderr.trim()}`, { details: { tag, file } });
      out.set(file, await readFile(to));
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await docker(['rm', '-f', id], { allowFailure: true });
  }
}
