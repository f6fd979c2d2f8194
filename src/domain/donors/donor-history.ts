// The donor's full record for auditors, in one read: every consent (with its withdrawal),
// result, review, determination (superseded ones marked) and correction, and the audit
// events of all of them, in sequence order.
import { eventView } from '../audit/audit-service.ts';
import { notFound } from '../shared/errors.ts';
import { pageOf, pageWindow, type PageQuery } from '../shared/pagination.ts';
import { determinationViews, donorInclude, donorView, type DonorDeps } from './donor-records.ts';

export function createDonorHistory({ prisma, catchUpAudit }: DonorDeps) {
  async function history(donorId: string) {
    const donor = await prisma.donor.findUnique({ where: { id: donorId }, include: donorInclude });
    if (!donor) throw notFound('Donor', donorId);
    const byDonor = { where: { donorId } };
    const [consents, screeningTests, medicalHistoryReviews, determinations, corrections] = await Promise.all([
      prisma.consent.findMany({ ...byDonor, include: { withdrawal: true }, orderBy: [{ obtainedAt: 'asc' }, { createdAt: 'asc' }] }),
      prisma.screeningTest.findMany({ ...byDonor, orderBy: [{ specimenCollectedAt: 'asc' }, { createdAt: 'asc' }] }),
      prisma.medicalHistoryReview.findMany({ ...byDonor, orderBy: [{ reviewedAt: 'asc' }, { createdAt: 'asc' }] }),
      prisma.eligibilityDetermination.findMany({ ...byDonor, orderBy: [{ determinedAt: 'asc' }, { createdAt: 'asc' }] }),
      prisma.correction.findMany({ where: { entityType: 'donor', entityId: donorId }, orderBy: { correctedAt: 'asc' } }),
    ]);
    const entities: Array<[string, string[]]> = [
      ['donor', [donorId]],
      ['consent', consents.map((c) => c.id)],
      ['consent_withdrawal', consents.flatMap((c) => (c.withdrawal ? [c.withdrawal.id] : []))],
      ['screening_test', screeningTests.map((t) => t.id)],
      ['medical_history_review', medicalHistoryReviews.map((r) => r.id)],
      ['eligibility_determination', determinations.map((d) => d.id)],
      ['correction', corrections.map((c) => c.id)],
    ];
    await catchUpAudit?.();
    const auditEvents = await prisma.auditEvent.findMany({
      where: { OR: entities.filter(([, ids]) => ids.length).map(([entityType, ids]) => ({ entityType, entityId: { in: ids } })) },
      orderBy: { seq: 'asc' },
    });
    return {
      donor: donorView(donor),
      consents,
      screeningTests,
      medicalHistoryReviews,
      determinations: await determinationViews(prisma, determinations),
      corrections,
      auditEvents: auditEvents.map(eventView),
    };
  }

  /** The donor's consents, withdrawn ones too (with their withdrawal), in the order they were recorded. */
  async function consents(donorId: string, page: PageQuery) {
    if (!(await prisma.donor.findUnique({ where: { id: donorId }, select: { id: true } }))) throw notFound('Donor', donorId);
    const rows = await prisma.consent.findMany({
      where: { donorId },
      include: { withdrawal: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      ...pageWindow(page),
    });
    return pageOf(rows, page.limit);
  }

  return { history, consents };
}
