// Security alerts: what an admin must look at (21 CFR 11.300(d): attempts at unauthorised use
// detected and reported). Raised with an audit event in the command that detects them; an admin
// acknowledges each with a note; nothing is deleted.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { invalidState, notFound } from '../shared/errors.ts';
import { pageOf, type PageQuery } from '../shared/pagination.ts';
import type { Command, RunCommand } from '../shared/transaction.ts';

export type SecurityAlertKind = 'authentication_failures' | 'signer_locked';

export interface NewSecurityAlert {
  kind: SecurityAlertKind;
  subject: string;
  detail: string;
}

/** Raises an alert inside the command that detected it, with its audit event. */
export async function raiseSecurityAlert({ tx, audit, now }: Command, alert: NewSecurityAlert) {
  const row = await tx.securityAlert.create({ data: { ...alert, raisedAt: now } });
  await audit({ action: 'security_alert.raised', entityType: 'security_alert', entityId: row.id, after: row });
  return row;
}

/** The actor of what the service detects by itself (no key authenticated the request). */
export const guardActor = { keyId: null, name: 'authentication guard', role: 'admin' as const, facilityId: null };

export function createSecurityAlertService({ prisma, runCommand }: { prisma: PrismaClient; runCommand: RunCommand }) {
  /**
   * Repeated failed authentication reached the limit: one audit event and one alert for the
   * subject (a client address or a key prefix) per window.
   */
  async function authenticationFailures(requestId: string, subject: string, failures: number, windowSeconds: number) {
    const ctx: RequestContext = { actor: guardActor, requestId };
    return runCommand(ctx, async (command) => {
      const detail = `${failures} failed authentications within ${windowSeconds} s for ${subject}; further requests are answered 429 until the window ends.`;
      await command.audit({ action: 'authentication.failures_exceeded', entityType: 'client', entityId: subject, after: { subject, failures, windowSeconds } });
      return raiseSecurityAlert(command, { kind: 'authentication_failures', subject, detail });
    });
  }

  async function list(query: PageQuery & { open?: 'true' | 'false' }) {
    const rows = await prisma.securityAlert.findMany({
      where: query.open === undefined ? {} : { acknowledgedAt: query.open === 'true' ? null : { not: null } },
      orderBy: [{ raisedAt: 'desc' }, { id: 'desc' }],
      cursor: query.cursor ? { id: query.cursor } : undefined,
      skip: query.cursor ? 1 : 0,
      take: query.limit + 1,
    });
    return pageOf(rows, query.limit);
  }

  async function acknowledge(ctx: RequestContext, id: string, note: string) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const alert = await tx.securityAlert.findUnique({ where: { id } });
      if (!alert) throw notFound('Security alert', id);
      const data = { acknowledgedAt: now, acknowledgedBy: ctx.actor.keyId, acknowledgementNote: note };
      const { count } = await tx.securityAlert.updateMany({ where: { id, acknowledgedAt: null }, data });
      if (count !== 1) throw invalidState(`Security alert ${id} was already acknowledged.`, 'acknowledged');
      const acknowledged = { ...alert, ...data };
      await audit({ action: 'security_alert.acknowledged', entityType: 'security_alert', entityId: id, before: alert, after: acknowledged, reason: note });
      return acknowledged;
    });
  }

  return { authenticationFailures, list, acknowledge };
}

export type SecurityAlertService = ReturnType<typeof createSecurityAlertService>;
