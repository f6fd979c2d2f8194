// Recall notices as commands and reads: a facility's notice endpoint and shared secret, a
// consignee's acknowledgement of a recall, and a notice with every delivery attempt.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError, fieldErrors, notFound, ruleViolation } from '../shared/errors.ts';
import { confinedFacility } from '../shared/facility-scope.ts';
import type { RunCommand } from '../shared/transaction.ts';
import { secretFingerprint } from './notice-signature.ts';
import { recallNoticeStatus, type NoticeStatus } from './notice-status.ts';
import type { NoticeKind } from './notice-outbox.ts';
import type { NoticeListQuery } from './notice-schemas.ts';
import { pageOf, pageWindow } from '../shared/pagination.ts';

export interface NewEndpoint {
  url: string;
  secret: string;
}

export interface Acknowledgement {
  facilityId?: string;
  unitsQuarantined: boolean;
  patientsNotified: boolean;
  note?: string;
}

const endpointView = (hook: { facilityId: string; url: string; secret: string; registeredAt: Date; registeredBy: string | null }) => ({
  facilityId: hook.facilityId,
  url: hook.url,
  secretFingerprint: secretFingerprint(hook.secret),
  registeredAt: hook.registeredAt,
  registeredBy: hook.registeredBy,
});

/** https anywhere; plain http only to this machine (a receiver under test, a local relay). */
function assertDeliverable(url: string) {
  const { protocol, hostname } = new URL(url);
  const loopback = hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
  if (protocol !== 'https:' && !(protocol === 'http:' && loopback)) {
    throw ruleViolation('Recall notices carry patients’ medical record numbers: the endpoint must use https (plain http only to a loopback address).', { field: 'url' });
  }
}

export function createNoticeService({ prisma, runCommand }: { prisma: PrismaClient; runCommand: RunCommand }) {
  /**
   * Registers (or replaces) where a facility receives notices; the previous endpoint is superseded,
   * never deleted. The facility's notices that failed for good go out again to the new endpoint.
   */
  async function registerEndpoint(ctx: RequestContext, facilityId: string, input: NewEndpoint) {
    assertDeliverable(input.url);
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const facility = await tx.facility.findUnique({ where: { id: facilityId }, select: { id: true } });
      if (!facility) throw notFound('Facility', facilityId);
      const previous = await tx.facilityWebhook.findFirst({ where: { facilityId, supersededAt: null } });
      if (previous) await tx.facilityWebhook.update({ where: { id: previous.id }, data: { supersededAt: now } });
      const hook = await tx.facilityWebhook.create({ data: { facilityId, url: input.url, secret: input.secret, registeredAt: now, registeredBy: ctx.actor.keyId } });
      // Notices that failed for good at the old endpoint get a new round of attempts at this one.
      const requeued = await tx.recallNotice.updateMany({ where: { facilityId, status: 'failed' }, data: { status: 'pending', nextAttemptAt: now, leaseUntil: null } });
      // The trail keeps the secret's fingerprint, never the secret.
      await audit({
        action: 'facility.recall_notice_endpoint_registered',
        entityType: 'facility',
        entityId: facilityId,
        before: previous ? { url: previous.url, secretFingerprint: secretFingerprint(previous.secret) } : null,
        after: { url: hook.url, secretFingerprint: secretFingerprint(hook.secret), failedNoticesRequeued: requeued.count },
      });
      return endpointView(hook);
    });
  }

  async function endpoint(facilityId: string) {
    const hook = await prisma.facilityWebhook.findFirst({ where: { facilityId, supersededAt: null } });
    if (!hook) throw notFound('Recall notice endpoint of facility', facilityId);
    return endpointView(hook);
  }

  /**
   * A consignee acknowledges a recall: it has quarantined the units it holds and notified the
   * patients who received the others. A clinician acknowledges for her own facility, an admin
   * names it. Delivery of the notice stops if it is still being retried.
   */
  async function acknowledge(ctx: RequestContext, recallId: string, input: Acknowledgement) {
    const facilityId = confinedFacility(ctx) ?? input.facilityId;
    if (!facilityId) throw fieldErrors([{ field: 'body.facilityId', message: 'name the consignee that acknowledges' }]);
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const recall = await tx.recall.findUnique({ where: { id: recallId }, select: { id: true } });
      if (!recall) throw notFound('Recall', recallId);
      const notice = await tx.recallNotice.findFirst({ where: { recallId, facilityId } });
      if (!notice) throw ruleViolation(`Facility ${facilityId} is not a consignee of recall ${recallId}: it was sent no notice.`, { field: 'facilityId' });
      const existing = await tx.recallAcknowledgement.findUnique({ where: { recallId_facilityId: { recallId, facilityId } } });
      if (existing) {
        throw new DomainError('conflict', `Facility ${facilityId} acknowledged recall ${recallId} at ${existing.acknowledgedAt.toISOString()}.`, { existingId: existing.id });
      }
      const ack = await tx.recallAcknowledgement.create({
        data: { recallId, facilityId, acknowledgedAt: now, acknowledgedBy: ctx.actor.name, unitsQuarantined: input.unitsQuarantined, patientsNotified: input.patientsNotified, note: input.note ?? null, createdBy: ctx.actor.keyId },
      });
      const stopped = await tx.recallNotice.updateMany({ where: { id: notice.id, status: { in: ['pending', 'failed'] } }, data: { status: 'acknowledged', leaseUntil: null } });
      await audit({ action: 'recall.acknowledged', entityType: 'recall', entityId: recallId, after: { ...ack, deliveryStopped: stopped.count === 1 } });
      return (await recallNoticeStatus(tx, recallId)).find((n) => n.facilityId === facilityId)!;
    });
  }

  /** A notice, what it said, and every attempt to deliver it. */
  async function notice(id: string) {
    const row = await prisma.recallNotice.findUnique({ where: { id }, include: { deliveryAttempts: { orderBy: { attempt: 'asc' } } } });
    if (!row) throw notFound('Recall notice', id);
    const { leaseUntil: _lease, deliveryAttempts, ...rest } = row;
    return { ...rest, payload: rest.payload as Record<string, unknown>, kind: rest.kind as NoticeKind, status: rest.status as NoticeStatus, deliveryAttempts: deliveryAttempts.map(({ noticeId: _n, ...a }) => a) };
  }

  /** Notices in the order they were created, by consignee, recall, kind and status, a page at a time. */
  async function list(query: NoticeListQuery) {
    const { facilityId, recallId, kind, status } = query;
    const rows = await prisma.recallNotice.findMany({
      where: { facilityId, recallId, kind, status },
      omit: { payload: true, leaseUntil: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      ...pageWindow(query),
    });
    return pageOf(rows.map((row) => ({ ...row, kind: row.kind as NoticeKind, status: row.status as NoticeStatus })), query.limit);
  }

  return { registerEndpoint, endpoint, acknowledge, notice, list, recallNoticeStatus: (recallId: string) => recallNoticeStatus(prisma, recallId) };
}

export type NoticeService = ReturnType<typeof createNoticeService>;
