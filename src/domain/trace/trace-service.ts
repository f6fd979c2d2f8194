// Traceability both ways. Each answer is ONE SQL statement, kept prepared, that builds the whole
// document in PostgreSQL (trace-sql.ts) whatever the size of the chain, decides whether the actor
// may see it, and records the reading as an audit read event naming who asked, in the same
// transaction (tests/trace-queries.test.ts counts the statements). The document is checked
// against its zod schema's wire form (compiled once: shared/wire-schema.ts) and handed on as it
// is, dates as their strings; routes write it with a compiled serializer.
import type { z } from 'zod';
import { named, readRecorded, type Sql } from '../../db/sql.ts';
import type { Statements } from '../../db/statements.ts';
import { recordedReadSql } from '../audit/audit-log.ts';
import { notFound } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import { confinedFacility } from '../shared/facility-scope.ts';
import { wireCheck } from '../shared/wire-schema.ts';
import { unitCodeOf } from '../administrations/administration-service.ts';
import * as schemas from './trace-schemas.ts';
import { donorTraceAnswer, exposuresAnswer, lotTraceAnswer, unitTraceAnswer } from './trace-sql.ts';

/** A unit's backward trace in its wire form (as the API writes it). */
export type UnitTraceWire = z.input<typeof schemas.unitTrace>;

const checked = {
  unitTrace: wireCheck(schemas.unitTrace, 'UnitTrace'),
  lotTrace: wireCheck(schemas.lotTrace, 'LotTrace'),
  donorTrace: wireCheck(schemas.donorTrace, 'DonorTrace'),
  exposures: wireCheck(schemas.patientExposures, 'PatientExposures'),
};

export function createTraceService({ reader }: { reader: Statements }) {
  /** One statement: the answer, and its read event when the actor may see it (audit-log.ts recordedReadSql). */
  const read = (ctx: RequestContext, name: string, answer: (confined: string | null) => Sql, event: { action: string; entityType: string }) =>
    readRecorded(reader, named(name, recordedReadSql(answer(confinedFacility(ctx)), ctx, event)));

  async function unitTrace(ctx: RequestContext, codeInput: string): Promise<UnitTraceWire> {
    const code = unitCodeOf(codeInput);
    const found = await read(ctx, 'unit_trace', (confined) => unitTraceAnswer(code, confined), { action: 'unit.trace_read', entityType: 'unit' });
    if (found === null) throw notFound('Unit', code);
    return checked.unitTrace(found);
  }

  async function lotTrace(ctx: RequestContext, id: string) {
    const found = await read(ctx, 'lot_trace', (confined) => lotTraceAnswer(id, confined), { action: 'lot.trace_read', entityType: 'lot' });
    if (found === null) throw notFound('Lot', id);
    return checked.lotTrace(found);
  }

  async function donorTrace(ctx: RequestContext, id: string) {
    const found = await read(ctx, 'donor_trace', (confined) => donorTraceAnswer(id, confined), { action: 'donor.trace_read', entityType: 'donor' });
    if (found === null) throw notFound('Donor', id);
    return checked.donorTrace(found);
  }

  /** The read event names the patient by id only: identifiers stay out of the trail. */
  async function exposures(ctx: RequestContext, patientId: string) {
    const found = await read(ctx, 'patient_exposures', (confined) => exposuresAnswer(patientId, confined), { action: 'patient.exposures_read', entityType: 'patient' });
    if (found === null) throw notFound('Patient', patientId);
    return checked.exposures(found);
  }

  return { unitTrace, lotTrace, donorTrace, exposures };
}

export type TraceService = ReturnType<typeof createTraceService>;
