// The manifestation of a signature (21 CFR 11.50): printed name, date and time, meaning, shown
// with the record wherever it is shown; and the signatures of records, read in one query.
import type { PrismaClient, Signature } from '../../generated/prisma/client.ts';
import type { Tx } from '../shared/transaction.ts';
import { raw, type Sql } from '../../db/sql.ts';
import type { SignedRecordType } from './signing-rules.ts';

export const manifestation = (row: Signature) => ({
  id: row.id,
  signerId: row.signerId,
  printedName: row.printedName,
  signedAt: row.signedAt,
  meaning: row.meaning,
  decisionKind: row.decisionKind,
});

export type Manifestation = ReturnType<typeof manifestation>;

/** The signatures of these records, oldest first, by record id. */
export async function signaturesOf(db: Tx | PrismaClient, recordType: SignedRecordType, recordIds: string[]): Promise<Map<string, Manifestation[]>> {
  const byRecord = new Map<string, Manifestation[]>();
  if (recordIds.length === 0) return byRecord;
  const rows = await db.signature.findMany({ where: { recordType, recordId: { in: recordIds } }, orderBy: [{ signedAt: 'asc' }, { id: 'asc' }] });
  for (const row of rows) byRecord.set(row.recordId, [...(byRecord.get(row.recordId) ?? []), manifestation(row)]);
  return byRecord;
}

/** Each record with its `signatures` (an empty list for a record signed before signatures existed). */
export async function withSignatures<T extends { id: string }>(db: Tx | PrismaClient, recordType: SignedRecordType, rows: T[]) {
  const signatures = await signaturesOf(db, recordType, rows.map((r) => r.id));
  return rows.map((row) => ({ ...row, signatures: signatures.get(row.id) ?? [] }));
}

/** A SQL expression: the JSON array of the signatures of the record whose id is `idColumn` (for the one-statement views). */
export const signaturesJsonSql = (recordType: SignedRecordType, idColumn: string): Sql => raw(`(
  SELECT COALESCE(json_agg(json_build_object(
    'id', s.id, 'signerId', s.signer_id, 'printedName', s.printed_name,
    'signedAt', to_char(s.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'meaning', s.meaning, 'decisionKind', s.decision_kind)
    ORDER BY s.signed_at, s.id), '[]')
  FROM signature s WHERE s.record_type = '${recordType}' AND s.record_id = ${idColumn})`);
