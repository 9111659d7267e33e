import { openLogFile } from '../util/log-file.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { InfraError, errorMessage } from '../errors.ts';
import { packageManifest } from './package-manifest.ts';
import { manifestKey } from '../results/package-manifests.ts';
import { imageId } from '../docker-cli.ts';
import { parentOf, type LoadedImage } from '../config/load-catalogues.ts';
import { prebuiltRef, resolvePrebuilt } from './prebuilt-image.ts';
import { LABEL_OWNER } from '../labels.ts';
import { Limiter } from '../util/limiter.ts';
import { withFileLock } from '../util/file-lock.ts';
import { baseImageTag, ensureBaseImage, type BaseImage } from './base-image.ts';
import { recipeHash } from './recipe-hash.ts';

export interface BuiltImage {
  readonly name: string;
  readonly tag: string;
  readonly id: string;
  readonly cached: boolean;
  readonly durationMs: number;
  readonly logFile: string | undefined;
}

export interface ImageEvents {
  onBase?(base: BaseImage): void;
  onImage?(image: BuiltImage): void;
  log?(line: string): void;
}

/**
 * Builds image recipes for one Debian suite, parents first, independent images in parallel (up to
 * `parallel`), each at most once per builder. Tags are content hashes: `gategrid/<name>:<suite>-<hash>`.
 * When builds wait for a slot, the image with the most recipes built on it goes first: on a cold
 * machine the longest chain (base → openstack-base → a service) sets the time, not the leaves.
 */
export class ImageBuilder {
  readonly #images: ReadonlyMap<string, LoadedImage>;
  readonly #logDir: string;
  readonly #limiter: Limiter;
  readonly #events: ImageEvents;
  readonly #memo = new Map<string, Promise<BuiltImage>>();
  readonly #bases = new Map<string, Promise<BaseImage>>();
  readonly #descendants: ReadonlyMap<string, number>;

  readonly #refresh: boolean;
  readonly #pullBase: boolean;
  /** Aborted by close(): builds still running are stopped, queued ones never start. */
  readonly #closing = new AbortController();
  readonly #running = new Set<Promise<unknown>>();

  /**
   * `refresh`: rebuild every image once in this builder's life, without the layer cache, so its packages are Debian's current ones.
   * `pullBase`: ask Docker's registry for a missing base image before debootstrap (off: no registry lookup).
   */
  constructor(images: ReadonlyMap<string, LoadedImage>, options: { logDir: string; parallel?: number; events?: ImageEvents; refresh?: boolean; pullBase?: boolean }) {
    this.#images = images;
    this.#refresh = options.refresh ?? false;
    this.#pullBase = options.pullBase ?? false;
    this.#logDir = options.logDir;
    this.#limiter = new Limiter(options.parallel ?? 2);
    this.#events = options.events ?? {};
    this.#descendants = descendantCounts(images);
  }

  /** Ensures every named image (and its parents) exists for `suite`; returns name → image. */
  async ensureAll(names: Iterable<string>, suite: string): Promise<Map<string, BuiltImage>> {
    const unique = [...new Set(names)];
    const built = await Promise.all(unique.map((n) => this.ensure(n, suite)));
    return new Map(unique.map((n, i) => [n, built[i]!]));
  }

  ensure(name: string, suite: string): Promise<BuiltImage> {
    const key = `${name}@${suite}`;
    let pending = this.#memo.get(key);
    if (!pending) {
      pending = this.#build(name, suite);
      this.#memo.set(key, pending);
    }
    return pending;
  }

  /**
   * Whether every named image (and its parents) already exists for `suite`, without building or
   * pulling anything: the runner starts such cells first, so warm cells do not wait behind builds.
   */
  async isCached(names: Iterable<string>, suite: string): Promise<boolean> {
    const found = await this.existing(names, suite);
    return [...found.values()].every((x) => x !== undefined);
  }

  /** The images that exist for `suite` now (tag and id), without building or pulling anything; undefined for one that does not. */
  async existing(names: Iterable<string>, suite: string): Promise<Map<string, { tag: string; id: string } | undefined>> {
    const known = new Map<string, Promise<{ tag: string; id: string } | undefined>>();
    const find = (name: string): Promise<{ tag: string; id: string } | undefined> => {
      let pending = known.get(name);
      if (!pending) {
        pending = (async () => {
          const recipe = this.#images.get(name);
          if (!recipe) return undefined;
          if (recipe.kind === 'prebuilt') {
            const ref = prebuiltRef(recipe, suite);
            const id = await imageId(ref);
            return id ? { tag: ref, id } : undefined;
          }
          const parentId = recipe.from === '@base' ? await imageId(baseImageTag(suite)) : (await find(recipe.from))?.id;
          if (!parentId) return undefined;
          const tag = imageTag(name, suite, await recipeHash(recipe.dir, recipe.buildArgs, parentId));
          const id = await imageId(tag);
          return id ? { tag, id } : undefined;
        })();
        known.set(name, pending);
      }
      return pending;
    };
    const unique = [...new Set(names)];
    const found = await Promise.all(unique.map(find));
    return new Map(unique.map((n, i) => [n, found[i]]));
  }

  #base(suite: string): Promise<BaseImage> {
    let pending = this.#bases.get(suite);
    if (!pending) {
      pending = ensureBaseImage(suite, this.#events.log, { pull: this.#pullBase }).then((b) => (this.#events.onBase?.(b), b));
      this.#bases.set(suite, pending);
    }
    return pending;
  }

  async #build(name: string, suite: string): Promise<BuiltImage> {
    const recipe = this.#images.get(name);
    if (!recipe) throw new InfraError(`unknown image recipe "${name}"`);
    if (recipe.kind === 'prebuilt') {
      const started = Date.now();
      const { ref, id } = await resolvePrebuilt(recipe, suite, (line) => this.#events.log?.(line));
      return this.#report({ name, tag: ref, id, cached: true, durationMs: Date.now() - started, logFile: undefined });
    }
    const parent = recipe.from === '@base' ? await this.#base(suite) : await this.ensure(recipe.from, suite);
    const started = Date.now();
    const hash = await recipeHash(recipe.dir, recipe.buildArgs, parent.id);
    const tag = imageTag(name, suite, hash);
    const found = this.#refresh ? undefined : await imageId(tag);
    if (found) return this.#report({ name, tag, id: found, cached: true, durationMs: Date.now() - started, logFile: undefined });

    // Checked when its turn comes and again once it holds the lock (another run's build of the same tag may hold it long).
    const notClosing = () => {
      if (this.#closing.signal.aborted) throw new InfraError(`image ${name} (${suite}) not built: the run was ending when its turn came`);
    };
    const build = () => withFileLock(`image-${tag}`, 30 * 60_000, async () => {
      notClosing();
      const raced = this.#refresh ? undefined : await imageId(tag);
      if (raced) return this.#report({ name, tag, id: raced, cached: true, durationMs: Date.now() - started, logFile: undefined });
      this.#events.log?.(`building image ${tag}`);
      const logFile = path.join(this.#logDir, `${name}-${suite}.log`);
      await mkdir(this.#logDir, { recursive: true });
      const args = ['build', '--force-rm', ...(this.#refresh ? ['--no-cache'] : []), '-t', tag, '--label', `${LABEL_OWNER}=gategrid`, '--label', `io.gategrid.image=${name}`,
        '--build-arg', `BASE=${parent.tag}`];
      for (const [k, v] of Object.entries(recipe.buildArgs)) args.push('--build-arg', `${k}=${v}`);
      args.push(recipe.dir);
      const out = openLogFile(logFile);
      const child = execa('docker', args, { reject: false, env: { DOCKER_BUILDKIT: '0' }, timeout: 30 * 60_000, all: true, buffer: false, cancelSignal: this.#closing.signal });
      child.all!.pipe(out);
      const result = await child;
      await new Promise<void>((resolve) => out.end(resolve));
      if (result.isCanceled) throw new InfraError(`image ${name} (${suite}) not built: stopped as the run ended; log: ${logFile}`, { details: { logFile } });
      if (result.exitCode !== 0) {
        const tail = (await readFile(logFile, 'utf8')).trim().split('\n').slice(-15).join('\n');
        throw new InfraError(`image ${name} (${suite}) did not build (exit ${result.exitCode}); log: ${logFile}\n${tail}`, { details: { logFile } });
      }
      const id = await imageId(tag);
      if (!id) throw new InfraError(`image ${tag} built but cannot be inspected`);
      return this.#report({ name, tag, id, cached: false, durationMs: Date.now() - started, logFile });
    });
    return this.#limiter.run(async () => {
      notClosing();
      return this.#track(build());
    }, this.#descendants.get(name) ?? 0);
  }

  /**
   * Ends the builder with its run: a build still running (one a failed cell asked for, which no
   * other cell awaited) is stopped, its docker client cancelled so the daemon drops the build and
   * its intermediate container (--force-rm), and waited for; a queued one never starts. No build
   * outlives the run that started it.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.allSettled([...this.#running, ...this.#bases.values()]);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const done = () => this.#running.delete(work);
    work.then(done, done);
    return work;
  }

  /**
   * The images' package manifests, copied into a run's folder (`<dir>/<id>.txt`): a results.json
   * merged elsewhere (a CI shard's artifacts) brings them along. A manifest that cannot be read is
   * said in the log and never fails the cell: it is what the report shows, not what is tested.
   */
  async recordManifests(images: readonly BuiltImage[], dir: string, log: (line: string) => void): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const image of images) {
      try {
        await writeFile(path.join(dir, `${manifestKey(image.id)}.txt`), await packageManifest(image.tag, image.id));
      } catch (error) {
        log(`packages of ${image.tag} not recorded: ${errorMessage(error)}`);
      }
    }
  }

  #report(image: BuiltImage): BuiltImage {
    this.#events.onImage?.(image);
    return image;
  }
}

/** How many recipes are built on each recipe, directly or not. */
export function descendantCounts(images: ReadonlyMap<string, LoadedImage>): Map<string, number> {
  const counts = new Map<string, number>([...images.keys()].map((n) => [n, 0]));
  for (const name of images.keys()) {
    const seen = new Set<string>();
    for (let parent = parentOf(images.get(name)); parent !== undefined && images.has(parent) && !seen.has(parent); parent = parentOf(images.get(parent))) {
      seen.add(parent);
      counts.set(parent, (counts.get(parent) ?? 0) + 1);
    }
  }
  return counts;
}

const imageTag = (name: string, suite: string, hash: string): string => `gategrid/${name}:${suite}-${hash.slice(0, 16)}`;
