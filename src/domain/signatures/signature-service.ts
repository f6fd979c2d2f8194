// Reading a signature and checking it (21 CFR 11.70): the content hash is recomputed from the
// record as it stands now; a record changed after signing, or a signature moved to another
// record, no longer matches.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { notFound } from '../shared/errors.ts';
import { contentHash, signedContent } from './signed-content.ts';
import { manifestation } from './signature-views.ts';
import type { SignedRecordType } from './signing-rules.ts';

export function createSignatureService({ prisma }: { prisma: PrismaClient }) {
  async function find(id: string) {
    const row = await prisma.signature.findUnique({ where: { id } });
    if (!row) throw notFound('Signature', id);
    return row;
  }

  async function get(id: string) {
    const row = await find(id);
    return { ...manifestation(row), recordType: row.recordType, recordId: row.recordId, contentHash: row.contentHash };
  }

  async function verify(id: string) {
    const row = await find(id);
    const content = await signedContent(prisma, row.recordType as SignedRecordType, row.recordId);
    const recomputed = content === null ? null : contentHash(row, content);
    const valid = recomputed === row.contentHash;
    const checkedAt = new Date();
    return {
      signature: { ...manifestation(row), recordType: row.recordType, recordId: row.recordId },
      valid,
      recordFound: content !== null,
      storedHash: row.contentHash,
      recomputedHash: recomputed,
      checkedAt,
      detail: valid
        ? 'The record still says what was signed.'
        : content === null
          ? 'The signed record no longer exists.'
          : 'The record no longer says what was signed: its content, or the signature, changed after signing.',
    };
  }

  return { get, verify };
}

export type SignatureService = ReturnType<typeof createSignatureService>;
