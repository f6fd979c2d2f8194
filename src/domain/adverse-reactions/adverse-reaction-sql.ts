// An adverse reaction's investigation in one statement: the reaction with its unit and facility,
// and the unit's whole backward trace (the same SQL as GET /units/{code}/trace).
import { instant, sql } from '../../db/sql.ts';
import { backwardTrace } from '../trace/trace-sql.ts';

export const investigationQuery = (reactionId: string) => sql`
  SELECT json_build_object(
    'reaction', json_build_object(
      'id', ar.id, 'administrationId', ar.administration_id, 'onsetAt', ${instant('ar.onset_at')},
      'description', ar.description, 'severity', ar.severity, 'suspectedCommunicableDisease', ar.suspected_communicable_disease,
      'reportedBy', ar.reported_by, 'reportedAt', ${instant('ar.reported_at')}, 'reportDueOn', ar.report_due_on,
      'investigationClosedAt', ${instant('ar.investigation_closed_at')}, 'investigationOutcome', ar.investigation_outcome,
      'unitCode', ru.code, 'facilityId', ad.facility_id),
    'trace', ${backwardTrace(sql`u.id = ad.unit_id`)})::text
  FROM adverse_reaction ar
  JOIN administration ad ON ad.id = ar.administration_id
  JOIN unit ru ON ru.id = ad.unit_id
  WHERE ar.id = ${reactionId}::uuid`;
