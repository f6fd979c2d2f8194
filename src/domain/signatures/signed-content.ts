// What a signature covers of each signed record: the fields that say what was decided, never the
// current-state projections that later facts change (a determination's supersession, an
// administration's supersession by a correction). Read the same way when signing and verifying.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Tx } from '../shared/transaction.ts';
import type { SignedRecordType } from './signing-rules.ts';
import { canonicalJson, sha256 } from './canonical.ts';

type Db = Tx | PrismaClient;

const readers: Record<SignedRecordType, (db: Db, id: string) => Promise<unknown>> = {
  release_decision: (db, id) =>
    db.releaseDecision.findUnique({
      where: { id },
      select: { id: true, lotId: true, decision: true, decidedBy: true, decidedAt: true, reason: true, lot: { select: { din: true } } },
    }),
  eligibility_determination: (db, id) =>
    db.eligibilityDetermination.findUnique({ where: { id }, select: { id: true, donorId: true, outcome: true, determinedBy: true, determinedAt: true, basis: true } }),
  recall: (db, id) =>
    db.recall.findUnique({
      where: { id },
      select: {
        id: true, scope: true, lotId: true, donorId: true, reason: true, initiatedBy: true, initiatedAt: true,
        items: { select: { unitId: true, unitCode: true, statusAtRecall: true, outcome: true, facilityId: true, patientId: true }, orderBy: { unitCode: 'asc' } },
      },
    }),
  adverse_reaction: (db, id) =>
    db.adverseReaction.findUnique({
      where: { id },
      select: {
        id: true, administrationId: true, onsetAt: true, description: true, severity: true, suspectedCommunicableDisease: true,
        reportedBy: true, reportedAt: true, reportDueOn: true, investigationClosedAt: true, investigationOutcome: true,
      },
    }),
  deviation_report: (db, id) =>
    db.deviationReport.findUnique({
      where: { id },
      select: {
        id: true, lotId: true, coreRequirement: true, description: true, discoveredAt: true, reportDueOn: true, recordedBy: true,
        closedAt: true, closedBy: true, outcome: true, fdaReportReference: true,
      },
    }),
  administration: (db, id) =>
    db.administration.findUnique({
      where: { id },
      select: {
        id: true, unitId: true, patientId: true, facilityId: true, administeredAt: true, clinician: true, anatomicalSite: true,
        indication: true, notes: true, correctsId: true, correctionReasonCode: true, correctionReason: true,
      },
    }),
};

/** The record's content as signed, or null when the record no longer exists. */
export const signedContent = (db: Db, recordType: SignedRecordType, recordId: string) => readers[recordType](db, recordId);

export interface SignatureFields {
  signerId: string;
  printedName: string;
  signedAt: Date;
  meaning: string;
  decisionKind: string;
  recordType: string;
  recordId: string;
}

/**
 * The hash a signature holds: its own fields (who, when, meaning, decision, which record) with
 * the record's content. Moving it to another record, or changing either, changes the hash.
 */
export function contentHash(signature: SignatureFields, content: unknown): string {
  const { signerId, printedName, signedAt, meaning, decisionKind, recordType, recordId } = signature;
  return sha256(canonicalJson({ signature: { signerId, printedName, signedAt, meaning, decisionKind }, record: { type: recordType, id: recordId, content } }));
}
