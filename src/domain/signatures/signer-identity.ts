// Who a key belongs to as a signer. A key's successors by rotation are the same holder's keys,
// so a signing identity follows its key through rotations; it never moves to anyone else.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Tx } from '../shared/transaction.ts';

type Db = Tx | PrismaClient;

const MAX_ROTATIONS = 1_000;

/** The key and every key it succeeded by rotation, newest first. */
export async function keyLineage(db: Db, keyId: string): Promise<string[]> {
  const lineage: string[] = [];
  let current: string | null = keyId;
  while (current && lineage.length < MAX_ROTATIONS && !lineage.includes(current)) {
    lineage.push(current);
    const key: { rotatedFromId: string | null } | null = await db.apiKey.findUnique({ where: { id: current }, select: { rotatedFromId: true } });
    current = key?.rotatedFromId ?? null;
  }
  return lineage;
}

/** The signer enrolled for this key or for a key it succeeded. */
export async function signerOfKey(db: Db, keyId: string) {
  return db.signer.findFirst({ where: { apiKeyId: { in: await keyLineage(db, keyId) } } });
}

/** Whether two keys belong to one holder: one succeeded the other by rotation (or they are the same). */
export async function sameHolder(db: Db, keyA: string, keyB: string): Promise<boolean> {
  if (keyA === keyB) return true;
  const [a, b] = await Promise.all([keyLineage(db, keyA), keyLineage(db, keyB)]);
  return a.includes(keyB) || b.includes(keyA);
}

/** The signing password in force: the latest set or reset. */
export function currentPassword(db: Db, signerId: string) {
  return db.signerPassword.findFirst({ where: { signerId }, orderBy: [{ setAt: 'desc' }, { id: 'desc' }] });
}
