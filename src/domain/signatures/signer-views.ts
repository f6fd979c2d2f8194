// What is shown of a signer: never a password or its hash.
import type { Signer, SignerPassword, ApiKey } from '../../generated/prisma/client.ts';

export type SignerStatus = 'awaiting_password' | 'active' | 'password_expired' | 'locked';

export function signerStatus(signer: Pick<Signer, 'lockedAt'>, password: Pick<SignerPassword, 'hash' | 'expiresAt'> | null, now: Date): SignerStatus {
  if (signer.lockedAt) return 'locked';
  if (!password?.hash) return 'awaiting_password';
  if (password.expiresAt && password.expiresAt <= now) return 'password_expired';
  return 'active';
}

export type SignerRow = Signer & { apiKey: Pick<ApiKey, 'holderName' | 'role'>; passwords: SignerPassword[] };

export const signerInclude = {
  apiKey: { select: { holderName: true, role: true } },
  passwords: { orderBy: [{ setAt: 'desc' as const }, { id: 'desc' as const }], take: 1 },
};

export function signerView(row: SignerRow, now = new Date()) {
  const password = row.passwords[0] ?? null;
  return {
    id: row.id,
    apiKeyId: row.apiKeyId,
    printedName: row.printedName,
    holderName: row.apiKey.holderName,
    role: row.apiKey.role,
    status: signerStatus(row, password, now),
    passwordSetAt: password?.hash ? password.setAt : null,
    passwordExpiresAt: password?.hash ? password.expiresAt : null,
    failedAttempts: row.failedAttempts,
    lockedAt: row.lockedAt,
    createdAt: row.createdAt,
  };
}
