// Dispositions other than administration: discard (at any facility holding the unit), and
// return from a consignee to the bank. A returned unit goes to quarantine at the bank pending
// QA review: it must never go straight back to available inventory.
import type { PrismaClient, ProductStatus } from '../../generated/prisma/client.ts';
import { invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import type { Command, RunCommand } from '../shared/transaction.ts';
import { assertTransition } from '../products/product-status.ts';
import { canSee } from '../shared/facility-scope.ts';
import { unitCodeOf } from '../administrations/administration-service.ts';
import { assertNotBefore, assertNotFuture, instant } from '../shared/chronology.ts';
import { lastEventOf } from '../units/unit-timeline.ts';

interface DispositionInput {
  kind: 'discarded' | 'returned';
  reasonCode: string;
  reasonText?: string;
  occurredAt: Date;
}

export function createDispositionService({ runCommand }: { prisma: PrismaClient; runCommand: RunCommand }) {
  /** The unit, if the actor may dispose of it: clinicians only at their own facility. */
  async function unitFor({ tx, ctx }: Command, code: string) {
    const unit = await tx.unit.findUnique({ where: { code }, include: { lot: { select: { bankFacilityId: true } } } });
    if (!unit || !canSee(ctx, unit.locationFacilityId)) throw notFound('Unit', code);
    return unit;
  }

  type DisposableUnit = Awaited<ReturnType<typeof unitFor>>;

  /** Moves the unit (already read and checked by the caller) to `to` at `locationFacilityId`, with its record and audit event. */
  async function dispose(command: Command, unit: DisposableUnit, input: DispositionInput, to: ProductStatus, locationFacilityId: string) {
    const { tx, ctx, audit } = command;
    const { code } = unit;
    const facilityId = unit.locationFacilityId!;
    const moved = await tx.unit.updateMany({ where: { id: unit.id, status: unit.status }, data: { status: to, locationFacilityId } });
    if (moved.count !== 1) throw invalidState(`The unit ${code} changed while this request ran.`, unit.status);
    const row = await tx.disposition.create({
      data: { unitId: unit.id, ...input, reasonText: input.reasonText ?? null, facilityId, recordedBy: ctx.actor.name, createdBy: ctx.actor.keyId },
    });
    await audit({
      action: `unit.${input.kind}`,
      entityType: 'unit',
      entityId: unit.id,
      before: { status: unit.status, locationFacilityId: facilityId },
      after: { status: to, locationFacilityId, dispositionId: row.id },
      reason: `${input.reasonCode}${input.reasonText ? `: ${input.reasonText}` : ''}`,
    });
    return { ...row, unitCode: code, unitStatus: to, unitLocationFacilityId: locationFacilityId };
  }

  /** Refuses a disposition the unit's status forbids, one of a unit in transit, one in the future or before the unit's last event. */
  async function assertDisposable({ now, tx }: Command, unit: DisposableUnit, occurredAt: Date, to: ProductStatus) {
    assertTransition('unit', unit.code, unit.status, to);
    if (unit.inTransitShipmentId || !unit.locationFacilityId) {
      throw ruleViolation(`The unit ${unit.code} is in transit; record its receipt before disposing of it.`, { unitCode: unit.code, field: 'params.code' });
    }
    const event = instant(to === 'discarded' ? 'the discard' : 'the return', occurredAt);
    assertNotFuture('occurredAt', event, now);
    assertNotBefore('occurredAt', event, await lastEventOf(tx, unit.id));
  }

  async function discard(ctx: RequestContext, codeInput: string, input: { reasonCode: string; reasonText?: string; occurredAt: Date }) {
    const code = unitCodeOf(codeInput);
    return runCommand(ctx, async (command) => {
      const unit = await unitFor(command, code);
      await assertDisposable(command, unit, input.occurredAt, 'discarded');
      return dispose(command, unit, { kind: 'discarded', ...input }, 'discarded', unit.locationFacilityId!);
    });
  }

  async function returnToBank(ctx: RequestContext, codeInput: string, input: { reasonText: string; occurredAt: Date }) {
    const code = unitCodeOf(codeInput);
    return runCommand(ctx, async (command) => {
      const unit = await unitFor(command, code);
      if (unit.status !== 'distributed') {
        throw invalidState(`Only a unit distributed to a consignee can be returned; the unit ${code} is ${unit.status}.`, unit.status, { unitCode: code });
      }
      if (unit.locationFacilityId === unit.lot.bankFacilityId) throw ruleViolation(`The unit ${code} is already at the tissue bank.`, { unitCode: code, field: 'params.code' });
      await assertDisposable(command, unit, input.occurredAt, 'quarantine');
      return dispose(command, unit, { kind: 'returned', reasonCode: 'returned', ...input }, 'quarantine', unit.lot.bankFacilityId);
    });
  }

  return { discard, returnToBank };
}

export type DispositionService = ReturnType<typeof createDispositionService>;
