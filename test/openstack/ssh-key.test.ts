import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeSshKey } from '../../harness/openstack/ssh-key.ts';

test('the run\'s key: OpenSSH reads the private half and derives exactly the public half nova gets', (t) => {
  const key = makeSshKey('gategrid-key-test');
  t.regex(key.publicKey, /^ecdsa-sha2-nistp256 [A-Za-z0-9+/=]+ gategrid-key-test$/);
  const dir = mkdtempSync(path.join(tmpdir(), 'gategrid-ssh-key-'));
  try {
    const file = path.join(dir, 'key');
    writeFileSync(file, key.privateKeyPem, { mode: 0o600 });
    // ssh-keygen -y: the public key of a private key file, as the client that logs in reads it.
    const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
    t.is(derived.split(' ').slice(0, 2).join(' '), key.publicKey.split(' ').slice(0, 2).join(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two keys differ', (t) => {
  t.not(makeSshKey('a').publicKey.split(' ')[1], makeSshKey('a').publicKey.split(' ')[1]);
});
