/** A prebuilt image by reference (issue 24): found on the engine, or pulled from the registry it names, and its digest checked. */
import { docker, imageId } from '../docker-cli.ts';
import { InfraError } from '../errors.ts';
import type { PrebuiltRecipe } from '../config/load-catalogues.ts';

/** The reference for one release: `{suite}` in it is the release's suite. */
export function prebuiltRef(recipe: PrebuiltRecipe, suite: string): string {
  return recipe.ref.replaceAll('{suite}', suite);
}

/** Whether a reference names its registry (`registry.example.org/…`, `127.0.0.1:5000/…`): only those are ever pulled. */
export function namesRegistry(ref: string): boolean {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/**
 * The image's id on this engine: as it is, or pulled once from the registry its reference names.
 * With a digest, the image's id or one of its repo digests must be it (a tag moved elsewhere is refused).
 */
export async function resolvePrebuilt(recipe: PrebuiltRecipe, suite: string, log: (line: string) => void = () => {}): Promise<{ ref: string; id: string }> {
  const ref = prebuiltRef(recipe, suite);
  let id = await imageId(ref);
  if (!id) {
    if (!namesRegistry(ref)) {
      throw new InfraError(`image ${recipe.name}: ${ref} is not on this engine, and its reference names no registry to pull it from (none is asked unless named): docker load or build it here, or name it with its registry (registry.example.org/…)`);
    }
    log(`image ${recipe.name}: pulling ${ref}`);
    await docker(['pull', ref], { timeout: 20 * 60_000 });
    id = await imageId(ref);
    if (!id) throw new InfraError(`image ${recipe.name}: ${ref} pulled but cannot be inspected`);
  }
  if (recipe.digest !== undefined) {
    const digests = (await docker(['image', 'inspect', '--format', '{{range .RepoDigests}}{{println .}}{{end}}', ref])).stdout.split('\n').map((d) => d.split('@')[1]).filter(Boolean);
    if (id !== recipe.digest && !digests.includes(recipe.digest)) {
      throw new InfraError(`image ${recipe.name}: ${ref} is ${id}${digests.length > 0 ? ` (repo digests ${digests.join(', ')})` : ''}, not the recipe's digest ${recipe.digest}: the tag moved; update the digest or pin the image`);
    }
  }
  return { ref, id };
}
