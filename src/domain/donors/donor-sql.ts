// A donor as GET /donors/{id} shows it, in one statement: the registration, the determination in
// force (commands keep at most one) and whether a consent to clinical use is in force (not
// withdrawn), as donorView (donor-records.ts) derives them. Parsed by the `donor` schema.
import { instant, named, sql, type NamedSql, type Sql } from '../../db/sql.ts';

export const donorByIdQuery = (id: string): NamedSql => named('donor_by_id', sql`
  SELECT json_build_object(
    'id', d.id, 'donorCode', d.donor_code, 'deliveryFacilityId', d.delivery_facility_id, 'deliveryDate', d.delivery_date,
    'gestationalAgeWeeks', d.gestational_age_weeks, 'deliveryMode', d.delivery_mode,
    'eligibility', coalesce(e.outcome, 'pending'), 'currentDeterminationId', e.id,
    'consentInForce', EXISTS (
      SELECT 1 FROM consent c
      WHERE c.donor_id = d.id AND 'clinical_use' = ANY (c.scope)
        AND NOT EXISTS (SELECT 1 FROM consent_withdrawal w WHERE w.consent_id = c.id)),
    'createdAt', ${instant('d.created_at')})::text
  FROM donor d
  LEFT JOIN LATERAL (
    SELECT x.id, x.outcome FROM eligibility_determination x
    WHERE x.donor_id = d.id AND x.superseded_at IS NULL
    ORDER BY x.determined_at DESC, x.created_at DESC LIMIT 1) e ON true
  WHERE d.id = ${id}::uuid`);
