// Expiry: a unit past its expiry date can never be administered, shipped or listed as
// available, whatever its recorded status (every rule compares the date itself). The sweep
// records the fact in the status too, so that lists and traces say "expired", with an audit
// event per unit. Run it daily (cron, or a scheduler calling the endpoint).
import type { PrismaClient, ProductStatus } from '../../generated/prisma/client.ts';
import { canTransition } from '../products/product-status.ts';
import type { RequestContext } from '../shared/context.ts';
import type { RunCommand } from '../shared/transaction.ts';
import { calendarDay, startOfDay } from '../shared/dates.ts';

const EXPIRABLE = (['quarantine', 'released', 'distributed', 'on_hold'] as const).filter((s) => canTransition(s, 'expired')) as ProductStatus[];

export function createExpiryService({ runCommand }: { prisma: PrismaClient; runCommand: RunCommand }) {
  /** Marks every unit whose expiry date has passed and that is still in inventory as expired. */
  async function sweep(ctx: RequestContext) {
    return runCommand(ctx, async ({ tx, auditMany, now }) => {
      const today = startOfDay(now);
      const due = await tx.unit.findMany({
        where: { expiresOn: { lt: today }, status: { in: EXPIRABLE } },
        select: { id: true, code: true, status: true, expiresOn: true },
        orderBy: { code: 'asc' },
      });
      if (due.length === 0) return { asOf: today, expired: [] };
      const { count } = await tx.unit.updateMany({ where: { id: { in: due.map((u) => u.id) }, status: { in: EXPIRABLE } }, data: { status: 'expired' } });
      if (count !== due.length) throw new Error('units changed during the expiry sweep'); // cannot happen under the write lock
      await auditMany(
        due.map((u) => ({ action: 'unit.expired', entityType: 'unit', entityId: u.id, before: { status: u.status }, after: { status: 'expired' }, reason: `expired on ${calendarDay(u.expiresOn)}` })),
      );
      return { asOf: today, expired: due.map((u) => ({ code: u.code, statusBefore: u.status, expiresOn: u.expiresOn })) };
    });
  }

  return { sweep };
}

export type ExpiryService = ReturnType<typeof createExpiryService>;
