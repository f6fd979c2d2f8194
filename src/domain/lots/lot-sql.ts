// A lot as GET /lots/{id} shows it, in one statement: the lot, its processing steps (each with its
// deviations), its preservation records and its release decisions, in the orders the API gives
// them. Parsed by the `lotDetail` schema; printedDin is derived from the DIN in lot-service.ts.
import { instant, named, sql, type NamedSql, type Sql } from '../../db/sql.ts';
import { signaturesJsonSql } from '../signatures/signature-views.ts';

export const lotByIdQuery = (id: string): NamedSql => named('lot_by_id', sql`
  SELECT json_build_object(
    'id', l.id, 'din', l.din, 'checkCharacter', l.check_character, 'euDonationSequence', l.eu_donation_sequence,
    'donorId', l.donor_id, 'tissueType', l.tissue_type, 'bankFacilityId', l.bank_facility_id,
    'recoveryFacilityId', l.recovery_facility_id, 'recoveredAt', ${instant('l.recovered_at')}, 'recoveredBy', l.recovered_by,
    'status', l.status, 'processingCompletedAt', ${instant('l.processing_completed_at')},
    'processingCompletedBy', l.processing_completed_by, 'reviewFlaggedAt', ${instant('l.review_flagged_at')},
    'reviewFlagReason', l.review_flag_reason, 'createdAt', ${instant('l.created_at')},
    'processingSteps', (
      SELECT coalesce(json_agg(json_build_object(
        'id', p.id, 'lotId', p.lot_id, 'kind', p.kind, 'startedAt', ${instant('p.started_at')},
        'finishedAt', ${instant('p.finished_at')}, 'operator', p.operator, 'facilityId', p.facility_id,
        'parameters', p.parameters, 'createdAt', ${instant('p.created_at')}, 'createdBy', p.created_by,
        'deviations', (
          SELECT coalesce(json_agg(json_build_object(
            'id', d.id, 'lotId', d.lot_id, 'stepId', d.step_id, 'description', d.description,
            'openedAt', ${instant('d.opened_at')}, 'closedAt', ${instant('d.closed_at')}, 'closedBy', d.closed_by,
            'resolution', d.resolution) ORDER BY d.opened_at, d.id), '[]')
          FROM processing_deviation d WHERE d.lot_id = l.id AND d.step_id = p.id))
        ORDER BY p.started_at, p.id), '[]')
      FROM processing_step p WHERE p.lot_id = l.id),
    'preservations', (
      SELECT coalesce(json_agg(json_build_object(
        'id', x.id, 'lotId', x.lot_id, 'method', x.method, 'storageTempMinC', x.storage_temp_min_c,
        'storageTempMaxC', x.storage_temp_max_c, 'storageLocation', x.storage_location,
        'preservedAt', ${instant('x.preserved_at')}, 'expiresOn', x.expires_on, 'createdAt', ${instant('x.created_at')},
        'createdBy', x.created_by) ORDER BY x.created_at, x.id), '[]')
      FROM preservation x WHERE x.lot_id = l.id),
    'releaseDecisions', (
      SELECT coalesce(json_agg(json_build_object(
        'id', r.id, 'lotId', r.lot_id, 'decision', r.decision, 'decidedBy', r.decided_by,
        'decidedAt', ${instant('r.decided_at')}, 'reason', r.reason, 'createdAt', ${instant('r.created_at')},
        'signatures', ${signaturesJsonSql('release_decision', 'r.id')})
        ORDER BY r.created_at, r.id), '[]')
      FROM release_decision r WHERE r.lot_id = l.id))::text
  FROM lot l
  WHERE l.id = ${id}::uuid`);
