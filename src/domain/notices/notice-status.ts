// Where a recall's notices stand, per consignee: notified when (the receiver answered 2xx),
// acknowledged when and by whom, and what is still outstanding. The "verifiable" of a recall.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Tx } from '../shared/transaction.ts';

export type NoticeStatus = 'pending' | 'delivered' | 'acknowledged' | 'failed';
export type Outstanding = 'delivery' | 'acknowledgement' | 'units_quarantined' | 'patients_notified';

type Db = Pick<PrismaClient, 'recallNotice' | 'recallAcknowledgement' | 'facility'> | Tx;

interface NoticeUnits {
  held: unknown[];
  administered: unknown[];
}

export async function recallNoticeStatus(db: Db, recallId: string) {
  const [notices, acks] = await Promise.all([
    db.recallNotice.findMany({
      where: { recallId },
      orderBy: { createdAt: 'asc' },
      include: { deliveryAttempts: { orderBy: { attempt: 'desc' }, take: 1 } },
    }),
    db.recallAcknowledgement.findMany({ where: { recallId } }),
  ]);
  const names = new Map(
    (await db.facility.findMany({ where: { id: { in: notices.map((n) => n.facilityId) } }, select: { id: true, name: true } })).map((f) => [f.id, f.name]),
  );
  return notices
    .map((notice) => {
      const ack = acks.find((a) => a.facilityId === notice.facilityId) ?? null;
      const { units } = notice.payload as unknown as { units: NoticeUnits };
      const last = notice.deliveryAttempts[0] ?? null;
      const outstanding: Outstanding[] = [
        // A consignee that acknowledged has the notice, however it reached it.
        ...(notice.deliveredAt || ack ? [] : ['delivery' as const]),
        ...(ack ? [] : ['acknowledgement' as const]),
        ...(ack && !ack.unitsQuarantined && units.held.length ? ['units_quarantined' as const] : []),
        ...(ack && !ack.patientsNotified && units.administered.length ? ['patients_notified' as const] : []),
      ];
      return {
        noticeId: notice.id,
        facilityId: notice.facilityId,
        facilityName: names.get(notice.facilityId) ?? null,
        status: notice.status as NoticeStatus,
        unitsHeld: units.held.length,
        unitsAdministered: units.administered.length,
        notifiedAt: notice.deliveredAt,
        attempts: notice.attempts,
        lastAttemptAt: last?.attemptedAt ?? null,
        lastAttemptError: last && !last.delivered ? (last.error ?? `HTTP ${last.statusCode}`) : null,
        nextAttemptAt: notice.status === 'pending' ? notice.nextAttemptAt : null,
        acknowledgedAt: ack?.acknowledgedAt ?? null,
        acknowledgedBy: ack?.acknowledgedBy ?? null,
        unitsQuarantined: ack?.unitsQuarantined ?? null,
        patientsNotified: ack?.patientsNotified ?? null,
        outstanding,
      };
    })
    .sort((a, b) => (a.facilityName ?? '').localeCompare(b.facilityName ?? ''));
}
