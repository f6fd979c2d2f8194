// Signed tree heads: a C2SP checkpoint (origin, tree size, root hash, then a timestamp line)
// signed as a C2SP signed note with Ed25519 (node:crypto). The key is given by
// AUDIT_SIGNING_KEY or created on first start in DATA_DIR (mode 0600); its public half is
// served, and scripts/verify-log.mjs checks every head an auditor fetches against it.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface SigningKey {
  /** The key name in signature lines: the log's origin. */
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), in hex. */
  keyId: string;
  /** The note verifier key: `<name>+<key id hex>+<base64(0x01 || public key)>`. */
  verifierKey: string;
  /** The 32-byte raw public key, base64. */
  publicKeyBase64: string;
}

const ED25519_ALGORITHM = 0x01;
/** The DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function signingKeyFrom(privateKey: KeyObject, name: string): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be an Ed25519 key');
  if (!/^[^\s+]+$/.test(name)) throw new Error('the audit log origin may not contain spaces or "+"');
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  const keyHash = createHash('sha256').update(name).update('\n').update(Buffer.from([ED25519_ALGORITHM])).update(raw).digest();
  const keyId = keyHash.subarray(0, 4).toString('hex');
  return {
    name,
    privateKey,
    publicKey,
    keyId,
    verifierKey: `${name}+${keyId}+${Buffer.concat([Buffer.from([ED25519_ALGORITHM]), raw]).toString('base64')}`,
    publicKeyBase64: raw.toString('base64'),
  };
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

/** AUDIT_SIGNING_KEY: a PKCS#8 PEM, or the base64 of a 32-byte Ed25519 seed. */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return createPrivateKey(trimmed);
  const seed = Buffer.from(trimmed, 'base64');
  if (seed.length !== 32) throw new Error('AUDIT_SIGNING_KEY must be a PKCS#8 PEM or the base64 of a 32-byte Ed25519 seed');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The key from AUDIT_SIGNING_KEY, else the one in `file`, created (mode 0600) if there is none. */
export async function loadSigningKey(options: { key?: string; file: string; name: string }): Promise<SigningKey> {
  if (options.key) return signingKeyFrom(parsePrivateKey(options.key), options.name);
  try {
    return signingKeyFrom(parsePrivateKey(await readFile(options.file, 'utf8')), options.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  await mkdir(dirname(options.file), { recursive: true });
  // wx: never overwrite a key another process wrote meanwhile.
  await writeFile(options.file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' }).catch(async (error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  await chmod(options.file, 0o600);
  return signingKeyFrom(parsePrivateKey(await readFile(options.file, 'utf8')), options.name);
}

export interface TreeHead {
  treeSize: bigint;
  rootHash: Buffer;
  timestamp: Date;
}

/** The checkpoint body: origin, size, base64 root, timestamp (ms since the epoch), each on its line. */
export function checkpointBody(origin: string, head: TreeHead): string {
  return `${origin}\n${head.treeSize}\n${head.rootHash.toString('base64')}\ntimestamp ${head.timestamp.getTime()}\n`;
}

/** The signed note: body, an empty line, and `— <name> <base64(key id || signature)>`. */
export function signHead(key: SigningKey, head: TreeHead): string {
  const body = checkpointBody(key.name, head);
  const signature = sign(null, Buffer.from(body, 'utf8'), key.privateKey);
  return `${body}\n\u2014 ${key.name} ${Buffer.concat([Buffer.from(key.keyId, 'hex'), signature]).toString('base64')}\n`;
}

/** Does `note` carry a valid signature by `key` over exactly its body, and what does it say? */
export function openNote(key: Pick<SigningKey, 'name' | 'keyId' | 'publicKey'>, note: string): { valid: boolean; head: TreeHead | null } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { valid: false, head: null };
  const body = note.slice(0, split + 1);
  const lines = body.split('\n');
  const head: TreeHead | null =
    lines.length === 5 && /^\d+$/.test(lines[1]!) && /^timestamp \d+$/.test(lines[3]!)
      ? { treeSize: BigInt(lines[1]!), rootHash: Buffer.from(lines[2]!, 'base64'), timestamp: new Date(Number(lines[3]!.slice(10))) }
      : null;
  const valid = note
    .slice(split + 2)
    .split('\n')
    .filter(Boolean)
    .some((line) => {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!match || match[1] !== key.name) return false;
      const blob = Buffer.from(match[2]!, 'base64');
      if (blob.length !== 68 || blob.subarray(0, 4).toString('hex') !== key.keyId) return false;
      return verify(null, Buffer.from(body, 'utf8'), key.publicKey, blob.subarray(4));
    });
  return { valid: valid && head !== null && lines[0] === key.name, head };
}
