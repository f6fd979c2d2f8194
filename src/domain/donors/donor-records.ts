// Pieces every donor command shares: finding the donor, presenting her, and superseding her
// current eligibility determination (the one place that changes supersededAt).
import type { Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import type { Command, RunCommand, Tx } from '../shared/transaction.ts';
import { consentInForceWhere } from './donor-standing.ts';
import type { Signing } from '../signatures/signing.ts';
import { withSignatures } from '../signatures/signature-views.ts';
import type { SqlReader } from '../../db/sql.ts';

/** What a donor row must carry to be shown: her consents in force and her determination in force. */
export const donorInclude = {
  consents: { where: consentInForceWhere, select: { id: true } },
  eligibilityDeterminations: { where: { supersededAt: null }, select: { id: true, outcome: true } },
} satisfies Prisma.DonorInclude;

type DonorRow = Prisma.DonorGetPayload<{ include: typeof donorInclude }>;

export function donorView({ consents, eligibilityDeterminations, ...row }: DonorRow) {
  // Commands keep at most one determination in force (a new one supersedes the last).
  const current = eligibilityDeterminations[0] ?? null;
  return {
    ...row,
    eligibility: (current?.outcome ?? 'pending') as 'eligible' | 'ineligible' | 'pending',
    currentDeterminationId: current?.id ?? null,
    consentInForce: consents.length > 0,
  };
}

export async function requireDonor(tx: Tx, id: string) {
  const donor = await tx.donor.findUnique({ where: { id }, include: donorInclude });
  if (!donor) throw notFound('Donor', id);
  return donor;
}

export const determinationView = <T extends { supersededAt: Date | null }>(row: T) => ({ ...row, current: row.supersededAt === null });

/** Determinations as shown: with whether each is in force and its electronic signatures. */
export const determinationViews = async <T extends { id: string; supersededAt: Date | null }>(db: Tx | PrismaClient, rows: T[]) =>
  (await withSignatures(db, 'eligibility_determination', rows)).map(determinationView);

/**
 * Marks a determination as no longer in force, with why, and audits it. The update is
 * conditional, so two commands can never both supersede (or both leave) the same decision.
 */
export async function supersedeDetermination({ tx, audit, now }: Command, determinationId: string, reason: string) {
  const before = await tx.eligibilityDetermination.findUniqueOrThrow({ where: { id: determinationId } });
  const { count } = await tx.eligibilityDetermination.updateMany({
    where: { id: determinationId, supersededAt: null },
    data: { supersededAt: now, supersededReason: reason },
  });
  if (count !== 1) {
    throw new DomainError('conflict', `Eligibility determination ${determinationId} was superseded by another request.`, { id: determinationId });
  }
  const after = { ...before, supersededAt: now, supersededReason: reason };
  await audit({ action: 'eligibility_determination.superseded', entityType: 'eligibility_determination', entityId: determinationId, before, after, reason });
  return after;
}

export interface DonorDeps {
  prisma: PrismaClient;
  /** For the reads PostgreSQL answers in one statement (donor-sql.ts). */
  reader: SqlReader;
  runCommand: RunCommand;
  signing: Signing;
  settings: { screeningPanel: string[]; recoveryLimitHours: number };
  /** Integrates every audit event committed so far (the donor's history shows them all). */
  catchUpAudit?: () => Promise<void>;
}
