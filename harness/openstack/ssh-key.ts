import { generateKeyPairSync } from 'node:crypto';

/**
 * The run's SSH key for its guests: ECDSA P-256 (dropbear and OpenSSH both take it), the public half
 * in OpenSSH's authorized_keys form for nova's key pair, the private half as PKCS#8 PEM, which
 * OpenSSH's client reads. The private key is a secret: it travels only in an exec's environment.
 */
export interface SshKey {
  readonly publicKey: string;
  readonly privateKeyPem: string;
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** What the redaction point is told of a private key: its base64 body, not the armour lines every PEM key shares. */
export function privateKeyBody(key: SshKey): string {
  return key.privateKeyPem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
}

export function makeSshKey(comment: string): SshKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const blob = Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(point)]);
  return {
    publicKey: `ecdsa-sha2-nistp256 ${blob.toString('base64')} ${comment}`,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
