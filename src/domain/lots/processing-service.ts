// What is done to a lot in quarantine: minimal processing steps with their parameters and
// deviations, the end of processing, and preservation with its expiry.
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError, invalidState, notFound, ruleViolation } from '../shared/errors.ts';
import type { RunCommand, Tx } from '../shared/transaction.ts';
import type { NewPreservation, NewProcessingStep } from './lot-schemas.ts';
import { findLot } from './lot-service.ts';
import { lotView, preservationView } from './lot-views.ts';
import { assertMinimalManipulation } from './processing-rules.ts';
import { assertNotAfter, assertNotBefore, assertNotFuture, instant, lastOf } from '../shared/chronology.ts';

async function lotInQuarantine(tx: Tx, lotId: string, doing: string) {
  const lot = await findLot(tx, lotId);
  if (lot.status !== 'quarantine') throw invalidState(`The lot ${lot.id} is ${lot.status}; ${doing} is only possible in quarantine.`, lot.status);
  return lot;
}

export function createProcessingService({ runCommand }: { prisma: PrismaClient; runCommand: RunCommand }) {
  async function addStep(ctx: RequestContext, lotId: string, input: NewProcessingStep) {
    assertMinimalManipulation(input.kind);
    return runCommand(ctx, async ({ tx, audit, auditMany, now }) => {
      const lot = await lotInQuarantine(tx, lotId, 'processing');
      if (lot.processingCompletedAt) throw new DomainError('conflict', `Processing of lot ${lot.id} was marked complete; no step can be added.`);
      const started = instant('the start of the step', input.startedAt);
      const finished = instant('the end of the step', input.finishedAt);
      assertNotBefore('startedAt', started, instant('the recovery', lot.recoveredAt));
      assertNotBefore('finishedAt', finished, started);
      assertNotFuture('finishedAt', finished, now);
      const preserved = await tx.preservation.aggregate({ where: { lotId }, _min: { preservedAt: true } });
      assertNotAfter('finishedAt', finished, preserved._min.preservedAt && instant('the first preservation', preserved._min.preservedAt));
      if (!(await tx.facility.findUnique({ where: { id: input.facilityId } }))) throw ruleViolation(`The facility ${input.facilityId} does not exist.`, { field: 'facilityId' });
      const { deviations, ...fields } = input;
      const step = await tx.processingStep.create({ data: { ...fields, parameters: fields.parameters as object, lotId, createdBy: ctx.actor.keyId } });
      await audit({ action: 'lot.processing_step_recorded', entityType: 'processing_step', entityId: step.id, after: step });
      const opened = await tx.processingDeviation.createManyAndReturn({ data: deviations.map((description) => ({ lotId, stepId: step.id, description, openedAt: now })) });
      await auditMany(opened.map((deviation) => ({ action: 'lot.deviation_opened', entityType: 'processing_deviation', entityId: deviation.id, after: deviation })));
      return { ...step, deviations: opened };
    });
  }

  async function closeDeviation(ctx: RequestContext, lotId: string, deviationId: string, input: { resolution: string }) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      await lotInQuarantine(tx, lotId, 'closing a deviation');
      const deviation = await tx.processingDeviation.findFirst({ where: { id: deviationId, lotId } });
      if (!deviation) throw notFound('Deviation', deviationId);
      const data = { closedAt: now, closedBy: ctx.actor.keyId, resolution: input.resolution };
      const { count } = await tx.processingDeviation.updateMany({ where: { id: deviationId, closedAt: null }, data });
      if (count !== 1) throw new DomainError('conflict', `The deviation ${deviationId} is already closed.`, { closedAt: deviation.closedAt });
      const closed = { ...deviation, ...data };
      await audit({ action: 'lot.deviation_closed', entityType: 'processing_deviation', entityId: deviationId, before: deviation, after: closed, reason: input.resolution });
      return closed;
    });
  }

  async function completeProcessing(ctx: RequestContext, lotId: string, input: { completedAt?: Date }) {
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const lot = await lotInQuarantine(tx, lotId, 'completing processing');
      if ((await tx.processingStep.count({ where: { lotId } })) === 0) throw ruleViolation(`No processing step is recorded for lot ${lotId}.`, { field: 'params.id' });
      const data = { processingCompletedAt: input.completedAt ?? now, processingCompletedBy: ctx.actor.keyId };
      const completion = instant('the processing completion', data.processingCompletedAt);
      assertNotFuture('completedAt', completion, now);
      const [steps, preserved] = await Promise.all([
        tx.processingStep.aggregate({ where: { lotId }, _max: { finishedAt: true } }),
        tx.preservation.aggregate({ where: { lotId }, _min: { preservedAt: true } }),
      ]);
      assertNotBefore('completedAt', completion, lastOf(instant('the recovery', lot.recoveredAt), steps._max.finishedAt && instant('the last processing step', steps._max.finishedAt)));
      assertNotAfter('completedAt', completion, preserved._min.preservedAt && instant('the first preservation', preserved._min.preservedAt));
      const { count } = await tx.lot.updateMany({ where: { id: lotId, processingCompletedAt: null }, data });
      if (count !== 1) throw new DomainError('conflict', `Processing of lot ${lotId} is already marked complete.`);
      await audit({ action: 'lot.processing_completed', entityType: 'lot', entityId: lotId, before: { processingCompletedAt: null }, after: data });
      return lotView({ ...lot, ...data });
    });
  }

  async function addPreservation(ctx: RequestContext, lotId: string, input: NewPreservation) {
    if (input.storageTempMinC > input.storageTempMaxC) {
      throw ruleViolation('storageTempMinC must not be above storageTempMaxC.', { fields: ['storageTempMinC', 'storageTempMaxC'] });
    }
    if (input.expiresOn <= input.preservedAt) throw ruleViolation('expiresOn must be after preservedAt.', { field: 'expiresOn' });
    return runCommand(ctx, async ({ tx, audit, now }) => {
      const lot = await lotInQuarantine(tx, lotId, 'recording preservation');
      const preserved = instant('the preservation', input.preservedAt);
      assertNotFuture('preservedAt', preserved, now);
      const steps = await tx.processingStep.aggregate({ where: { lotId }, _max: { finishedAt: true } });
      assertNotBefore(
        'preservedAt',
        preserved,
        lastOf(
          instant('the recovery', lot.recoveredAt),
          steps._max.finishedAt && instant('the last processing step', steps._max.finishedAt),
          lot.processingCompletedAt && instant('the processing completion', lot.processingCompletedAt),
        ),
      );
      const record = await tx.preservation.create({ data: { ...input, lotId, createdBy: ctx.actor.keyId } });
      await audit({ action: 'lot.preservation_recorded', entityType: 'preservation', entityId: record.id, after: record });
      return preservationView(record);
    });
  }

  return { addStep, closeDeviation, completeProcessing, addPreservation };
}

export type ProcessingService = ReturnType<typeof createProcessingService>;
