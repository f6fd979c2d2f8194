// Traceability both ways. Each answer is ONE SQL statement that builds the whole document in
// PostgreSQL (trace-sql.ts), kept prepared, whatever the size of the chain
// (tests/trace-queries.test.ts counts the statements). The document is checked against its zod
// schema's wire form (compiled once: shared/wire-schema.ts) and handed on as it is, dates as
// their strings; routes write it with a compiled serializer. Every answer is then recorded as an
// audit read event naming who asked.
import type { z } from 'zod';
import { wireCheck } from '../shared/wire-schema.ts';
import { readJson, type SqlReader } from '../../db/sql.ts';
import { notFound } from '../shared/errors.ts';
import type { RequestContext } from '../shared/context.ts';
import type { RecordRead } from '../shared/transaction.ts';
import { canSee } from '../shared/facility-scope.ts';
import { unitCodeOf } from '../administrations/administration-service.ts';
import * as schemas from './trace-schemas.ts';
import { donorTraceQuery, exposuresQuery, lotTraceQuery, unitTraceQuery } from './trace-sql.ts';

/** A unit's backward trace in its wire form (as the API writes it). */
export type UnitTraceWire = z.input<typeof schemas.unitTrace>;

/** A clinician traces units that are, or were administered, at the clinician's facility. */
export const mayTraceUnit = (ctx: RequestContext, trace: Pick<UnitTraceWire, 'unit' | 'administrations'>) =>
  canSee(ctx, trace.unit.place.facilityId, ...trace.administrations.map((a) => a.facilityId));

const checked = {
  unitTrace: wireCheck(schemas.unitTrace, 'UnitTrace'),
  lotTrace: wireCheck(schemas.lotTrace, 'LotTrace'),
  donorTrace: wireCheck(schemas.donorTrace, 'DonorTrace'),
  exposures: wireCheck(schemas.patientExposures, 'PatientExposures'),
};

export function createTraceService({ reader, recordRead }: { reader: SqlReader; recordRead: RecordRead }) {
  async function unitTrace(ctx: RequestContext, codeInput: string) {
    const code = unitCodeOf(codeInput);
    const found = await readJson(reader, unitTraceQuery(code));
    const trace = found === null ? null : checked.unitTrace(found);
    if (!trace || !mayTraceUnit(ctx, trace)) throw notFound('Unit', code);
    await recordRead(ctx, { action: 'unit.trace_read', entityType: 'unit', entityId: trace.unit.id, after: { code } });
    return trace;
  }

  async function lotTrace(ctx: RequestContext, id: string) {
    const found = await readJson(reader, lotTraceQuery(id));
    if (found === null) throw notFound('Lot', id);
    const trace = checked.lotTrace(found);
    await recordRead(ctx, { action: 'lot.trace_read', entityType: 'lot', entityId: id, after: { units: trace.lot.units.length } });
    return trace;
  }

  async function donorTrace(ctx: RequestContext, id: string) {
    const found = await readJson(reader, donorTraceQuery(id));
    if (found === null) throw notFound('Donor', id);
    const trace = checked.donorTrace(found);
    await recordRead(ctx, { action: 'donor.trace_read', entityType: 'donor', entityId: id, after: { lots: trace.lots.length } });
    return trace;
  }

  async function exposures(ctx: RequestContext, patientId: string) {
    const found = await readJson(reader, exposuresQuery(patientId));
    const answer = found === null ? null : checked.exposures(found);
    if (!answer || !canSee(ctx, answer.patient.facilityId)) throw notFound('Patient', patientId);
    // The read event names the patient by id only: identifiers stay out of the trail.
    await recordRead(ctx, { action: 'patient.exposures_read', entityType: 'patient', entityId: answer.patient.id, after: { exposures: answer.exposures.length } });
    return answer;
  }

  return { unitTrace, lotTrace, donorTrace, exposures };
}

export type TraceService = ReturnType<typeof createTraceService>;
