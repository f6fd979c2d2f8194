// The report of a recall, rebuilt from its RecallItem rows only: what the recall reached as it
// stood when it was made. Later events (a held unit discarded, a correction) do not change it.
// One statement builds it (facility names and medical record numbers never change, so reading
// them now keeps the report true); recall-schemas.ts parses it.
import { instant, named, readJson, sql, type Sql, type SqlReader } from '../../db/sql.ts';
import { notFound } from '../shared/errors.ts';
import { recallReport as reportSchema } from './recall-schemas.ts';
import { signaturesJsonSql } from '../signatures/signature-views.ts';

/** The items of recall `r` with this outcome, grouped by facility: groups in the order of their first unit code. */
const byFacility = (outcome: string, unit: Sql, joins: Sql = sql``) => sql`(
  SELECT coalesce(json_agg(json_build_object('facilityId', g.facility_id, 'facilityName', g.facility_name, 'units', g.units)
    ORDER BY g.first_code), '[]')
  FROM (
    SELECT i.facility_id, f.name AS facility_name, min(i.unit_code) AS first_code,
           json_agg(${unit} ORDER BY i.unit_code) AS units
    FROM recall_item i
    LEFT JOIN facility f ON f.id = i.facility_id
    ${joins}
    WHERE i.recall_id = r.id AND i.outcome = ${outcome}
    GROUP BY i.facility_id, f.name) g)`;

/** The items of recall `r` with this outcome, by unit code. */
const listed = (outcome: string) => sql`(
  SELECT coalesce(json_agg(json_build_object(
    'unitId', i.unit_id, 'code', i.unit_code, 'statusAtRecall', i.status_at_recall, 'facilityId', i.facility_id)
    ORDER BY i.unit_code), '[]')
  FROM recall_item i WHERE i.recall_id = r.id AND i.outcome = ${outcome})`;

const unitRef = sql`'unitId', i.unit_id, 'code', i.unit_code, 'statusAtRecall', i.status_at_recall`;

const totals = sql`(
      SELECT json_build_object(
        'held', count(*) FILTER (WHERE i.outcome = 'held'),
        'administered', count(*) FILTER (WHERE i.outcome = 'administered'),
        'discarded', count(*) FILTER (WHERE i.outcome = 'discarded'),
        'other', count(*) FILTER (WHERE i.outcome = 'other'))
      FROM recall_item i WHERE i.recall_id = r.id)`;

export const recallReportQuery = (recallId: string) => named('recall_report', sql`
  SELECT json_build_object(
    'id', r.id, 'scope', r.scope, 'lotId', r.lot_id, 'donorId', r.donor_id, 'reason', r.reason,
    'initiatedBy', r.initiated_by, 'initiatedAt', ${instant('r.initiated_at')},
    'held', ${byFacility('held', sql`json_build_object(${unitRef})`)},
    'administered', ${byFacility(
      'administered',
      sql`json_build_object(${unitRef}, 'patientId', i.patient_id, 'medicalRecordNumber', p.medical_record_number)`,
      sql`LEFT JOIN patient p ON p.id = i.patient_id`,
    )},
    'discarded', ${listed('discarded')},
    'other', ${listed('other')},
    'totals', ${totals},
    'signatures', ${signaturesJsonSql('recall', 'r.id')},
    'awaitingCountersignature', NOT EXISTS (
      SELECT 1 FROM signature s WHERE s.record_type = 'recall' AND s.record_id = r.id AND s.decision_kind = 'recall_countersignature'))::text
  FROM recall r
  WHERE r.id = ${recallId}::uuid`);

/** The report; `reader` is a transaction when the recall is being made in it. */
export async function recallReport(reader: SqlReader, recallId: string) {
  const found = await readJson(reader, recallReportQuery(recallId));
  if (found === null) throw notFound('Recall', recallId);
  return reportSchema.parse(found);
}

/**
 * A page of recalls (one row more than the limit, to tell whether another page follows), in the
 * order they were made, each with the totals of its reach: one statement.
 */
export const recallListQuery = (query: { scope?: string; lotId?: string; donorId?: string; cursor?: string; limit: number }) => sql`
  SELECT coalesce(json_agg(json_build_object(
    'id', r.id, 'scope', r.scope, 'lotId', r.lot_id, 'donorId', r.donor_id, 'reason', r.reason,
    'initiatedBy', r.initiated_by, 'initiatedAt', ${instant('r.initiated_at')}, 'totals', ${totals})
    ORDER BY r.initiated_at, r.id), '[]')::text
  FROM (
    SELECT * FROM recall
    WHERE (${query.scope ?? null}::text IS NULL OR scope = ${query.scope ?? null})
      AND (${query.lotId ?? null}::uuid IS NULL OR lot_id = ${query.lotId ?? null}::uuid)
      AND (${query.donorId ?? null}::uuid IS NULL OR donor_id = ${query.donorId ?? null}::uuid)
      AND (${query.cursor ?? null}::uuid IS NULL OR (initiated_at, id) > (SELECT initiated_at, id FROM recall WHERE id = ${query.cursor ?? null}::uuid))
    ORDER BY initiated_at, id
    LIMIT ${query.limit + 1}) r`;
