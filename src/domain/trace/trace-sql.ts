// The traces as SQL: each answer is one statement that builds the whole JSON document in
// PostgreSQL, whatever the size of the chain. Every list is a json_agg over an index lookup,
// wrapped in coalesce(…, '[]') so that an empty list is [] and never [null]. Keys are the API's
// own names; trace-schemas.ts parses the result. Ties in an ORDER BY go in the order the records
// were written (created_at), then by id.
import { instant, sql, type Sql } from '../../db/sql.ts';
import { signaturesJsonSql } from '../signatures/signature-views.ts';

/** The unit `u` with its place; needs `lf` (its facility) and `ts` (the shipment carrying it) joined. */
const unitSummary = sql`
  'id', u.id, 'code', u.code, 'productCode', u.product_code, 'division', u.division,
  'description', u.description, 'size', u.size, 'volumeMl', u.volume_ml, 'form', u.form,
  'expiresOn', u.expires_on, 'status', u.status,
  'place', json_build_object(
    'facilityId', u.location_facility_id, 'facilityName', lf.name,
    'inTransitShipmentId', u.in_transit_shipment_id, 'inTransitTo', ts.to_facility_id)`;

const placeJoins = sql`
  LEFT JOIN facility lf ON lf.id = u.location_facility_id
  LEFT JOIN shipment ts ON ts.id = u.in_transit_shipment_id`;

/** The lot `l`. */
const lotSummary = sql`
  'id', l.id, 'din', l.din, 'checkCharacter', l.check_character, 'euDonationSequence', l.eu_donation_sequence,
  'tissueType', l.tissue_type, 'status', l.status, 'bankFacilityId', l.bank_facility_id,
  'recoveryFacilityId', l.recovery_facility_id, 'recoveredAt', ${instant('l.recovered_at')}, 'recoveredBy', l.recovered_by,
  'processingCompletedAt', ${instant('l.processing_completed_at')}, 'reviewFlaggedAt', ${instant('l.review_flagged_at')},
  'reviewFlagReason', l.review_flag_reason`;

/** The donor `d`, by code only. */
const donorSummary = sql`json_build_object(
  'id', d.id, 'donorCode', d.donor_code, 'deliveryFacilityId', d.delivery_facility_id, 'deliveryDate', d.delivery_date,
  'gestationalAgeWeeks', d.gestational_age_weeks, 'deliveryMode', d.delivery_mode)`;

/** Dispositions of the unit `u`, oldest first. */
const dispositions = sql`(
  SELECT coalesce(json_agg(json_build_object(
    'id', x.id, 'kind', x.kind, 'reasonCode', x.reason_code, 'reasonText', x.reason_text,
    'occurredAt', ${instant('x.occurred_at')}, 'facilityId', x.facility_id, 'recordedBy', x.recorded_by)
    ORDER BY x.occurred_at, x.created_at, x.id), '[]')
  FROM disposition x WHERE x.unit_id = u.id)`;

/**
 * Deviation reports of the lot `l` (21 CFR 1271.350(b)), by due date; overdue: open with its due
 * date passed (the session runs in UTC, as the API's calendar days do).
 */
const deviationReports = sql`(
  SELECT coalesce(json_agg(json_build_object(
    'id', dr.id, 'lotId', dr.lot_id, 'coreRequirement', dr.core_requirement, 'description', dr.description,
    'discoveredAt', ${instant('dr.discovered_at')}, 'reportDueOn', dr.report_due_on, 'recordedBy', dr.recorded_by,
    'closedAt', ${instant('dr.closed_at')}, 'closedBy', dr.closed_by, 'outcome', dr.outcome,
    'fdaReportReference', dr.fda_report_reference, 'overdue', dr.closed_at IS NULL AND dr.report_due_on < current_date,
    'createdAt', ${instant('dr.created_at')}, 'signatures', ${signaturesJsonSql('deviation_report', 'dr.id')})
    ORDER BY dr.report_due_on, dr.discovered_at, dr.id), '[]')
  FROM deviation_report dr WHERE dr.lot_id = l.id)`;

/** The backward trace of the unit `u` as one JSON document; needs backwardTraceJoins. */
const backwardTraceDocument = sql`json_build_object(
    'unit', json_build_object(${unitSummary}),
    'lot', json_build_object(${lotSummary}),
    'donor', ${donorSummary},
    'consents', (
      SELECT coalesce(json_agg(json_build_object(
        'id', c.id, 'formVersion', c.form_version, 'obtainedBy', c.obtained_by, 'obtainedAt', ${instant('c.obtained_at')},
        'scope', c.scope, 'documentRef', c.document_ref,
        'withdrawal', CASE WHEN w.id IS NULL THEN NULL
                           ELSE json_build_object('withdrawnAt', ${instant('w.withdrawn_at')}, 'reason', w.reason) END)
        ORDER BY c.obtained_at, c.created_at, c.id), '[]')
      FROM consent c LEFT JOIN consent_withdrawal w ON w.consent_id = c.id
      WHERE c.donor_id = d.id),
    'screeningTests', (
      SELECT coalesce(json_agg(json_build_object(
        'id', t.id, 'testCode', t.test_code, 'method', t.method, 'laboratoryName', t.laboratory_name,
        'laboratoryId', t.laboratory_id, 'specimenCollectedAt', ${instant('t.specimen_collected_at')},
        'result', t.result, 'interpretation', t.interpretation)
        ORDER BY t.specimen_collected_at, t.created_at, t.id), '[]')
      FROM screening_test t WHERE t.donor_id = d.id),
    'medicalHistoryReviews', (
      SELECT coalesce(json_agg(json_build_object(
        'id', h.id, 'reviewedBy', h.reviewed_by, 'reviewedAt', ${instant('h.reviewed_at')}, 'outcome', h.outcome, 'notes', h.notes)
        ORDER BY h.reviewed_at, h.created_at, h.id), '[]')
      FROM medical_history_review h WHERE h.donor_id = d.id),
    'eligibilityDeterminations', (
      SELECT coalesce(json_agg(json_build_object(
        'id', e.id, 'outcome', e.outcome, 'determinedBy', e.determined_by, 'determinedAt', ${instant('e.determined_at')},
        'basis', e.basis, 'supersededAt', ${instant('e.superseded_at')}, 'supersededReason', e.superseded_reason,
        'signatures', ${signaturesJsonSql('eligibility_determination', 'e.id')})
        ORDER BY e.determined_at, e.created_at, e.id), '[]')
      FROM eligibility_determination e WHERE e.donor_id = d.id),
    'processingSteps', (
      SELECT coalesce(json_agg(json_build_object(
        'id', s.id, 'kind', s.kind, 'startedAt', ${instant('s.started_at')}, 'finishedAt', ${instant('s.finished_at')},
        'operator', s.operator, 'facilityId', s.facility_id, 'parameters', s.parameters,
        'deviations', (
          SELECT coalesce(json_agg(json_build_object(
            'id', v.id, 'description', v.description, 'openedAt', ${instant('v.opened_at')},
            'closedAt', ${instant('v.closed_at')}, 'resolution', v.resolution)
            ORDER BY v.opened_at, v.id), '[]')
          FROM processing_deviation v WHERE v.step_id = s.id))
        ORDER BY s.started_at, s.created_at, s.id), '[]')
      FROM processing_step s WHERE s.lot_id = l.id),
    'preservations', (
      SELECT coalesce(json_agg(json_build_object(
        'id', p.id, 'method', p.method, 'storageTempMinC', p.storage_temp_min_c, 'storageTempMaxC', p.storage_temp_max_c,
        'storageLocation', p.storage_location, 'preservedAt', ${instant('p.preserved_at')}, 'expiresOn', p.expires_on)
        ORDER BY p.preserved_at, p.created_at, p.id), '[]')
      FROM preservation p WHERE p.lot_id = l.id),
    'releaseDecisions', (
      SELECT coalesce(json_agg(json_build_object(
        'id', r.id, 'decision', r.decision, 'decidedBy', r.decided_by, 'decidedAt', ${instant('r.decided_at')}, 'reason', r.reason,
        'signatures', ${signaturesJsonSql('release_decision', 'r.id')})
        ORDER BY r.decided_at, r.created_at, r.id), '[]')
      FROM release_decision r WHERE r.lot_id = l.id),
    'deviationReports', ${deviationReports},
    'shipments', (
      SELECT coalesce(json_agg(json_build_object(
        'id', sh.id, 'fromFacilityId', sh.from_facility_id, 'toFacilityId', sh.to_facility_id,
        'shippedAt', ${instant('sh.shipped_at')}, 'shippedBy', sh.shipped_by, 'conditions', sh.conditions,
        'receivedAcceptable', si.received_acceptable,
        'receipt', CASE WHEN rc.id IS NULL THEN NULL ELSE json_build_object(
          'receivedAt', ${instant('rc.received_at')}, 'receivedBy', rc.received_by, 'conditionAcceptable', rc.condition_acceptable,
          'temperatureAcceptable', rc.temperature_acceptable, 'notes', rc.notes) END)
        ORDER BY sh.shipped_at, sh.created_at, sh.id), '[]')
      FROM shipment_item si JOIN shipment sh ON sh.id = si.shipment_id
      LEFT JOIN shipment_receipt rc ON rc.shipment_id = sh.id
      WHERE si.unit_id = u.id),
    'administrations', (
      SELECT coalesce(json_agg(json_build_object(
        'id', a.id, 'unitId', a.unit_id, 'unitCode', u.code, 'patientId', a.patient_id, 'facilityId', a.facility_id,
        'administeredAt', ${instant('a.administered_at')}, 'clinician', a.clinician, 'anatomicalSite', a.anatomical_site,
        'indication', a.indication, 'notes', a.notes, 'current', a.superseded_at IS NULL, 'correctsId', a.corrects_id,
        'correctedById', (SELECT n.id FROM administration n WHERE n.corrects_id = a.id),
        'correctionReasonCode', a.correction_reason_code, 'correctionReason', a.correction_reason,
        'supersededAt', ${instant('a.superseded_at')}, 'createdAt', ${instant('a.created_at')},
        'signatures', ${signaturesJsonSql('administration', 'a.id')})
        ORDER BY a.created_at, a.id), '[]')
      FROM administration a WHERE a.unit_id = u.id),
    'dispositions', ${dispositions},
    'adverseReactions', (
      SELECT coalesce(json_agg(json_build_object(
        'id', ar.id, 'administrationId', ar.administration_id, 'onsetAt', ${instant('ar.onset_at')},
        'description', ar.description, 'severity', ar.severity, 'suspectedCommunicableDisease', ar.suspected_communicable_disease,
        'reportedBy', ar.reported_by, 'reportedAt', ${instant('ar.reported_at')}, 'reportDueOn', ar.report_due_on,
        'investigationClosedAt', ${instant('ar.investigation_closed_at')}, 'investigationOutcome', ar.investigation_outcome,
        'signatures', ${signaturesJsonSql('adverse_reaction', 'ar.id')})
        ORDER BY a.created_at, a.id, ar.reported_at, ar.created_at, ar.id), '[]')
      FROM administration a JOIN adverse_reaction ar ON ar.administration_id = a.id
      WHERE a.unit_id = u.id))`;

/** The unit `u` with its lot `l`, donor `d` and place. */
const backwardTraceJoins = sql`
  FROM unit u
  JOIN lot l ON l.id = u.lot_id
  JOIN donor d ON d.id = l.donor_id
  ${placeJoins}`;

/**
 * The backward trace of the unit matching `unitCondition` (on alias u), as a scalar subquery:
 * NULL when no unit matches. The adverse reaction investigation embeds it.
 */
export const backwardTrace = (unitCondition: Sql): Sql => sql`(SELECT ${backwardTraceDocument} ${backwardTraceJoins} WHERE ${unitCondition})`;

/**
 * The traces below are answers of recorded reads (audit/audit-log.ts recordedReadSql): the
 * document, whether the actor may see it, and what its read event names, each from the tables
 * (reading the document back would parse it again). `confined` is the facility a clinician acts
 * for (shared/facility-scope.ts), null for every other role: a clinician sees what is at her
 * facility or happened there, and nothing else exists for her.
 */
const visibleAt = (confined: string | null, facilityId: Sql, orElse: Sql = sql``) =>
  sql`coalesce(${confined}::uuid IS NULL OR ${facilityId} = ${confined}::uuid ${orElse}, false)`;

/** The backward trace of a unit by its stored code: seen by a clinician at the unit's facility or one that administered it. */
export const unitTraceAnswer = (code: string, confined: string | null) => sql`
  SELECT ${backwardTraceDocument} AS doc,
    ${visibleAt(confined, sql`u.location_facility_id`, sql`
      OR EXISTS (SELECT 1 FROM administration a WHERE a.unit_id = u.id AND a.facility_id = ${confined}::uuid)`)} AS visible,
    u.id::text AS entity_id, jsonb_build_object('code', u.code) AS after
  ${backwardTraceJoins}
  WHERE u.code = ${code}`;

/**
 * The lot `l` forward: every unit (by code) with its place, its current administration (the one
 * version not superseded, through the partial index on current administrations) and dispositions.
 */
const forwardLot = sql`json_build_object(${lotSummary},
  'units', (
    SELECT coalesce(json_agg(json_build_object(${unitSummary},
      'administration', CASE WHEN cur.id IS NULL THEN NULL ELSE json_build_object(
        'administrationId', cur.id, 'administeredAt', ${instant('cur.administered_at')}, 'facilityId', cur.facility_id,
        'facilityName', cur.facility_name, 'patientId', cur.patient_id, 'medicalRecordNumber', cur.medical_record_number) END,
      'dispositions', ${dispositions})
      ORDER BY u.code), '[]')
    FROM unit u
    ${placeJoins}
    LEFT JOIN LATERAL (
      SELECT a.id, a.administered_at, a.facility_id, af.name AS facility_name, a.patient_id, pt.medical_record_number
      FROM administration a
      JOIN facility af ON af.id = a.facility_id
      JOIN patient pt ON pt.id = a.patient_id
      -- The version in force is the one row holding the unit (active_unit_id: unique, and set
      -- only while superseded_at is null): one index probe per unit, no sort.
      WHERE a.active_unit_id = u.id) cur ON true
    WHERE u.lot_id = l.id),
  'deviationReports', ${deviationReports})`;

/** A lot forward (no clinician traces a lot: every unit and patient of every facility). */
export const lotTraceAnswer = (lotId: string, confined: string | null) => sql`
  SELECT json_build_object(
      'donor', json_build_object('id', d.id, 'donorCode', d.donor_code),
      'lot', ${forwardLot}) AS doc,
    ${visibleAt(confined, sql`NULL`)} AS visible, l.id::text AS entity_id,
    jsonb_build_object('units', (SELECT count(*) FROM unit n WHERE n.lot_id = l.id)) AS after
  FROM lot l JOIN donor d ON d.id = l.donor_id
  WHERE l.id = ${lotId}::uuid`;

/** A donor forward (no clinician traces a donor). */
export const donorTraceAnswer = (donorId: string, confined: string | null) => sql`
  SELECT json_build_object(
      'donor', ${donorSummary},
      'lots', (
        SELECT coalesce(json_agg(${forwardLot} ORDER BY l.recovered_at, l.created_at, l.id), '[]')
        FROM lot l WHERE l.donor_id = d.id)) AS doc,
    ${visibleAt(confined, sql`NULL`)} AS visible, d.id::text AS entity_id,
    jsonb_build_object('lots', (SELECT count(*) FROM lot n WHERE n.donor_id = d.id)) AS after
  FROM donor d
  WHERE d.id = ${donorId}::uuid`;

/** Every unit the patient received: the current version of each administration, by time; a clinician sees her facility's patients. */
export const exposuresAnswer = (patientId: string, confined: string | null) => sql`
  SELECT json_build_object(
      'patient', json_build_object('id', p.id, 'facilityId', p.facility_id, 'medicalRecordNumber', p.medical_record_number),
      'exposures', x.list) AS doc,
    ${visibleAt(confined, sql`p.facility_id`)} AS visible, p.id::text AS entity_id, jsonb_build_object('exposures', x.n) AS after
  FROM patient p
  CROSS JOIN LATERAL (
    SELECT count(*) AS n, coalesce(json_agg(json_build_object(
      'administrationId', a.id, 'administeredAt', ${instant('a.administered_at')}, 'facilityId', a.facility_id,
      'anatomicalSite', a.anatomical_site, 'indication', a.indication,
      'unit', json_build_object('id', u.id, 'code', u.code, 'description', u.description, 'expiresOn', u.expires_on, 'status', u.status),
      'lot', json_build_object('id', l.id, 'din', l.din, 'status', l.status),
      'donor', json_build_object('id', d.id, 'donorCode', d.donor_code))
      ORDER BY a.administered_at, a.created_at, a.id), '[]') AS list
    FROM administration a
    JOIN unit u ON u.id = a.unit_id
    JOIN lot l ON l.id = u.lot_id
    JOIN donor d ON d.id = l.donor_id
    WHERE a.patient_id = p.id AND a.superseded_at IS NULL) x
  WHERE p.id = ${patientId}::uuid`;
