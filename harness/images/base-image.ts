import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { InfraError } from '../errors.ts';
import { docker, imageId } from '../docker-cli.ts';
import { withFileLock } from '../util/file-lock.ts';
import { LABEL_OWNER } from '../labels.ts';

export type BaseImageSource = 'local' | 'pull' | 'debootstrap';

export interface BaseImage {
  readonly tag: string;
  readonly id: string;
  readonly source: BaseImageSource;
  readonly durationMs: number;
}

export const baseImageTag = (suite: string): string => `gategrid-base:${suite}`;

const DEBIAN_MIRROR = 'http://deb.debian.org/debian';

/**
 * The Debian root a release's images start from: an image already here, else (when `pull` is set:
 * a host with a registry) `docker pull debian:<suite>`, else `debootstrap --variant=minbase` +
 * `docker import`. Without `pull` no registry's name is ever looked up. The second call does nothing.
 */
export async function ensureBaseImage(suite: string, log: (line: string) => void = () => {}, options: { pull?: boolean } = {}): Promise<BaseImage> {
  const tag = baseImageTag(suite);
  const started = Date.now();
  const existing = await imageId(tag);
  if (existing) return { tag, id: existing, source: 'local', durationMs: Date.now() - started };

  return withFileLock(`base-${suite}`, 10 * 60_000, async () => {
    const again = await imageId(tag);
    if (again) return { tag, id: again, source: 'local' as const, durationMs: Date.now() - started };

    if (options.pull) {
      log(`base image ${tag}: trying docker pull debian:${suite}`);
      const pulled = await docker(['pull', `debian:${suite}`], { allowFailure: true, timeout: 60_000 });
      if (pulled.exitCode === 0) {
        await docker(['tag', `debian:${suite}`, tag]);
        return { tag, id: (await imageId(tag))!, source: 'pull' as const, durationMs: Date.now() - started };
      }
      log(`base image ${tag}: no registry (${pulled.stderr.trim().split('\n').at(-1) ?? 'pull failed'})`);
    }
    log(`base image ${tag}: debootstrap --variant=minbase ${suite} from ${DEBIAN_MIRROR}`);
    await debootstrapImport(suite, tag);
    return { tag, id: (await imageId(tag))!, source: 'debootstrap' as const, durationMs: Date.now() - started };
  });
}

async function debootstrapImport(suite: string, tag: string): Promise<void> {
  const which = await execa('sh', ['-c', 'command -v debootstrap'], { reject: false });
  if (which.exitCode !== 0) {
    throw new InfraError(`cannot make base image ${tag}: docker pull failed and debootstrap is not installed (run: npm run setup, or apt-get install debootstrap)`);
  }
  if (process.getuid?.() !== 0) {
    throw new InfraError(`cannot make base image ${tag}: debootstrap needs root (run gategrid as root once, or load a debian:${suite} image)`);
  }
  const root = await mkdtemp(path.join(os.tmpdir(), `gategrid-rootfs-${suite}-`));
  try {
    const boot = await execa('debootstrap', ['--variant=minbase', suite, root, DEBIAN_MIRROR], { reject: false, all: true, timeout: 15 * 60_000 });
    if (boot.exitCode !== 0) {
      throw new InfraError(`debootstrap ${suite} failed (exit ${boot.exitCode}): ${String(boot.all ?? '').trim().split('\n').slice(-5).join(' | ')}`);
    }
    await execa('sh', ['-c', 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*', 'sh', root]);
    const tar = execa('tar', ['-C', root, '--numeric-owner', '-c', '.'], { buffer: false });
    const imported = execa('docker', ['import', '-c', 'CMD ["/bin/bash"]', '-c', `LABEL ${LABEL_OWNER}=gategrid`, '-', tag], { reject: false, all: true });
    tar.stdout!.pipe(imported.stdin!);
    const [, result] = await Promise.all([tar, imported]);
    if (result.exitCode !== 0) throw new InfraError(`docker import of ${suite} root failed: ${String(result.all ?? '').trim()}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
