import test from 'ava';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../harness/config/paths.ts';
import { parsePolicy, stalePackages } from '../../harness/images/stale-packages.ts';
import { parseManifest } from '../../harness/results/package-manifests.ts';

// Recorded: apt-cache policy in a bookworm keystone image after apt-get update (fixtures/manifests/).
test('stale: a package whose suite now offers another version than the image holds', async (t) => {
  const policy = parsePolicy(await readFile(path.join(repoRoot, 'fixtures/manifests/apt-cache-policy-bookworm.txt'), 'utf8'));
  t.is(policy.get('keystone'), '2:22.0.2-0+deb12u3');
  t.is(policy.get('libc6'), '2.36-9+deb12u14');
  t.false(policy.has('no-such-package-here'), 'apt-cache policy says nothing of a package it does not know');
  // An image built before the point release that brought keystone 22.0.2: its manifest (recorded) holds 22.0.0.
  const old = parseManifest(await readFile(path.join(repoRoot, 'fixtures/manifests/aaaaaaaaaaaa.txt'), 'utf8'));
  t.deepEqual(stalePackages(old, policy), [
    { name: 'keystone', installed: '2:22.0.0-1', candidate: '2:22.0.2-0+deb12u3' },
    { name: 'python3-keystone', installed: '2:22.0.0-1', candidate: '2:22.0.2-0+deb12u3' },
  ]);
  const current = parseManifest(await readFile(path.join(repoRoot, 'fixtures/manifests/bbbbbbbbbbbb.txt'), 'utf8'));
  t.deepEqual(stalePackages(current, policy), []);
});
