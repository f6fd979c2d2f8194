// Adverse reactions read in one statement each: an investigation is the reaction with its unit
// and facility and the unit's whole backward trace (the same SQL as GET /units/{code}/trace); a
// list is a page of reactions by report due date.
import { instant, named, raw, sql } from '../../db/sql.ts';
import { backwardTrace } from '../trace/trace-sql.ts';
import { signaturesJsonSql } from '../signatures/signature-views.ts';

/** Reaction `ar` of administration `ad`, whose unit is `ru`, as the API shows it (overdue is computed on the way out). */
const reactionObject = sql`json_build_object(
  'id', ar.id, 'administrationId', ar.administration_id, 'onsetAt', ${instant('ar.onset_at')},
  'description', ar.description, 'severity', ar.severity, 'suspectedCommunicableDisease', ar.suspected_communicable_disease,
  'reportedBy', ar.reported_by, 'reportedAt', ${instant('ar.reported_at')}, 'reportDueOn', ar.report_due_on,
  'investigationClosedAt', ${instant('ar.investigation_closed_at')}, 'investigationOutcome', ar.investigation_outcome,
  'unitCode', ru.code, 'facilityId', ad.facility_id, 'signatures', ${signaturesJsonSql('adverse_reaction', 'ar.id')})`;

export const investigationQuery = (reactionId: string) => named('adverse_reaction_investigation', sql`
  SELECT json_build_object('reaction', ${reactionObject}, 'trace', ${backwardTrace(sql`u.id = ad.unit_id`)})::text
  FROM adverse_reaction ar
  JOIN administration ad ON ad.id = ar.administration_id
  JOIN unit ru ON ru.id = ad.unit_id
  WHERE ar.id = ${reactionId}::uuid`);

export interface ReactionListFilter {
  open?: boolean;
  overdue?: boolean;
  facilityId?: string;
  cursor?: string;
  limit: number;
}

// Due date first (reactions without one last), then as received: a key that never ties.
const key = (ar: string) => raw(`coalesce(${ar}.report_due_on, 'infinity'::date), ${ar}.reported_at, ${ar}.id`);

/** One page (and one row more, to tell whether another follows) of reactions by due date. */
export const reactionListQuery = (f: ReactionListFilter) => sql`
  SELECT coalesce(json_agg(${reactionObject} ORDER BY ${key('ar')}), '[]')::text
  FROM (
    SELECT ar.* FROM adverse_reaction ar
    JOIN administration ad ON ad.id = ar.administration_id
    WHERE (${f.open ?? null}::boolean IS NULL OR (ar.investigation_closed_at IS NULL) = ${f.open ?? null}::boolean)
      AND (${f.overdue ?? null}::boolean IS NULL
           OR (ar.investigation_closed_at IS NULL AND ar.report_due_on < current_date) = ${f.overdue ?? null}::boolean)
      AND (${f.facilityId ?? null}::uuid IS NULL OR ad.facility_id = ${f.facilityId ?? null}::uuid)
      AND (${f.cursor ?? null}::uuid IS NULL
           OR (${key('ar')}) > (SELECT ${key('c')} FROM adverse_reaction c WHERE c.id = ${f.cursor ?? null}::uuid))
    ORDER BY ${key('ar')}
    LIMIT ${f.limit + 1}) ar
  JOIN administration ad ON ad.id = ar.administration_id
  JOIN unit ru ON ru.id = ad.unit_id`;
