// Adverse reactions: each opens an investigation that links to the unit's full backward trace
// and shows when the report to the regulator is due.
import type { AdverseReaction, PrismaClient } from '../../generated/prisma/client.ts';
import { invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import type { RecordRead, RunCommand } from '../shared/transaction.ts';
import { z } from 'zod';
import { canSee, listedFacility } from '../shared/facility-scope.ts';
import { pageOf, type PageQuery } from '../shared/pagination.ts';
import { assertNotBefore, assertNotFuture, instant } from '../shared/chronology.ts';
import { readJson, type SqlReader } from '../../db/sql.ts';
import { isOverdue, reportDueOn } from './adverse-reaction-rules.ts';
import { queueNotices } from '../notices/notice-outbox.ts';
import { investigationRecord } from './adverse-reaction-schemas.ts';
import { investigationQuery, reactionListQuery } from './adverse-reaction-sql.ts';
import { sign, type SignatureBlock, type Signing } from '../signatures/signing.ts';

export interface NewAdverseReaction {
  onsetAt: Date;
  description: string;
  severity: string;
  suspectedCommunicableDisease: boolean;
  reportedAt?: Date;
}

type Row = AdverseReaction & { administration: { facilityId: string; unitId: string; unit: { code: string } } };

const withAdministration = { administration: { select: { facilityId: true, unitId: true, unit: { select: { code: true } } } } } as const;

const view = ({ administration, ...row }: Row, today: Date) => ({
  ...row,
  unitCode: administration.unit.code,
  facilityId: administration.facilityId,
  overdue: isOverdue(row.reportDueOn, row.investigationClosedAt, today),
});

export function createAdverseReactionService(deps: { prisma: PrismaClient; reader: SqlReader; runCommand: RunCommand; recordRead: RecordRead; signing: Signing }) {
  const { prisma, reader, runCommand, recordRead, signing } = deps;

  async function report(ctx: RequestContext, administrationId: string, input: NewAdverseReaction) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const administration = await tx.administration.findUnique({ where: { id: administrationId }, include: { correctedBy: { select: { id: true } } } });
      if (!administration || !canSee(ctx, administration.facilityId)) throw notFound('Administration', administrationId);
      if (administration.supersededAt) {
        throw invalidState(`Administration ${administrationId} was corrected; report against the current version ${administration.correctedBy?.id}.`, 'superseded', {
          correctedById: administration.correctedBy?.id ?? null,
        });
      }
      const reportedAt = input.reportedAt ?? now;
      const onset = instant('the onset of the reaction', input.onsetAt);
      const reported = instant('the report of the reaction', reportedAt);
      assertNotFuture('onsetAt', onset, now);
      assertNotFuture('reportedAt', reported, now);
      assertNotBefore('onsetAt', onset, instant('the administration', administration.administeredAt));
      assertNotBefore('reportedAt', reported, onset);
      const row = await tx.adverseReaction.create({
        data: {
          administrationId,
          ...input,
          reportedAt,
          reportedBy: ctx.actor.name,
          reportDueOn: reportDueOn(reportedAt, input.suspectedCommunicableDisease),
          createdBy: ctx.actor.keyId,
        },
        include: withAdministration,
      });
      const { administration: _a, ...after } = row;
      await audit({ action: 'adverse_reaction.reported', entityType: 'adverse_reaction', entityId: row.id, after });
      return { ...view(row, now), signatures: [] };
    });
  }

  /** Reactions by report due date (those without one last), then as received; one statement. */
  async function list(ctx: RequestContext, query: PageQuery & { open?: 'true' | 'false'; overdue?: 'true' | 'false'; facilityId?: string }) {
    const flag = (value?: 'true' | 'false') => (value === undefined ? undefined : value === 'true');
    const found = await readJson(
      reader,
      reactionListQuery({ open: flag(query.open), overdue: flag(query.overdue), facilityId: listedFacility(ctx, query.facilityId), cursor: query.cursor, limit: query.limit }),
    );
    const today = new Date();
    const rows = z.array(investigationRecord.shape.reaction).parse(found);
    return pageOf(rows.map((reaction) => ({ ...reaction, overdue: isOverdue(reaction.reportDueOn, reaction.investigationClosedAt, today) })), query.limit);
  }

  /** The investigation with the unit's full backward trace, in one statement (adverse-reaction-sql.ts). */
  async function get(ctx: RequestContext, id: string) {
    const found = await readJson(reader, investigationQuery(id));
    const investigation = found === null ? null : investigationRecord.parse(found);
    if (!investigation || !canSee(ctx, investigation.reaction.facilityId)) throw notFound('Adverse reaction', id);
    const { reaction, trace } = investigation;
    await recordRead(ctx, { action: 'unit.trace_read', entityType: 'unit', entityId: trace.unit.id, after: { code: trace.unit.code, adverseReactionId: id } });
    return { ...reaction, overdue: isOverdue(reaction.reportDueOn, reaction.investigationClosedAt, new Date()), trace };
  }

  /** Closing the investigation is signed (Part 11): the signature covers the reaction with its outcome. */
  async function close(ctx: RequestContext, id: string, input: { outcome: string; implicatesDonor?: boolean; signature: SignatureBlock }) {
    const grant = await signing.authorise(ctx, 'adverse_reaction_closure', input.signature);
    return runCommand(ctx, async (command) => {
      const { tx, audit, now } = command;
      const row = await tx.adverseReaction.findUnique({ where: { id }, include: withAdministration });
      if (!row) throw notFound('Adverse reaction', id);
      const closed = await tx.adverseReaction.updateMany({ where: { id, investigationClosedAt: null }, data: { investigationClosedAt: now, investigationOutcome: input.outcome } });
      if (closed.count !== 1) throw invalidState(`The investigation of adverse reaction ${id} is already closed.`, 'closed');
      await audit({
        action: 'adverse_reaction.investigation_closed',
        entityType: 'adverse_reaction',
        entityId: id,
        before: { investigationClosedAt: null },
        after: { investigationClosedAt: now, investigationOutcome: input.outcome, implicatesDonor: input.implicatesDonor ?? false },
      });
      if (input.implicatesDonor) {
        // Every lot of the donor: her other units may carry what this reaction revealed.
        const unit = await tx.unit.findUniqueOrThrow({ where: { id: row.administration.unitId }, select: { lot: { select: { donorId: true } } } });
        const lots = await tx.lot.findMany({ where: { donorId: unit.lot.donorId }, select: { id: true } });
        await queueNotices(command, { kind: 'adverse_reaction', sourceId: id, recallId: null, lotIds: lots.map((l) => l.id), reason: `adverse reaction investigation implicates the donor: ${input.outcome}` });
      }
      const signature = await sign(command, grant, id);
      return { ...view({ ...row, investigationClosedAt: now, investigationOutcome: input.outcome }, now), signatures: [signature] };
    });
  }

  return { report, list, get, close };
}

export type AdverseReactionService = ReturnType<typeof createAdverseReactionService>;
