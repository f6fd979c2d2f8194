// Scale mode: grows the database by SQL to a given number of units, as years of a bank's history
// would (one donor and one lot per 100 units, a tenth of them administered to patients of the
// clinic, the rest released at the bank), so that every large table and index has its size.
// Rows are written in batches of lots with deterministic ids (md5 of a serial), in statements the
// same on PGlite and PostgreSQL; the service's own records are left as they were.
export const UNITS_PER_LOT = 100;
export const ADMINISTERED_PER_LOT = 10;
const LOTS_PER_BATCH = 500;

/** Runs one SQL statement with $1… parameters. */
export type Execute = (sql: string, params: unknown[]) => Promise<unknown>;

export interface ScaleFacilities {
  bankId: string;
  clinicId: string;
}

/** Adds lots `fromLot` (inclusive) to `toLot` (exclusive), their donors, units, patients and administrations. */
async function seedLots(execute: Execute, f: ScaleFacilities, fromLot: number, toLot: number): Promise<void> {
  const range = [fromLot, toLot - 1];
  await execute(
    `INSERT INTO donor (id, donor_code, delivery_facility_id, delivery_date, gestational_age_weeks, delivery_mode)
     SELECT md5('scale-donor-' || g)::uuid, 'SCALE-' || lpad(g::text, 9, '0'), $3::uuid, current_date - 400 + (g % 365), 39, 'scheduled_caesarean'
     FROM generate_series($1::int, $2::int) g`,
    [...range, f.clinicId],
  );
  await execute(
    `INSERT INTO lot (id, din, check_character, donor_id, tissue_type, bank_facility_id, recovery_facility_id, recovered_at, recovered_by, status)
     SELECT md5('scale-lot-' || g)::uuid, 'S999' || lpad(g::text, 9, '0'), 'A', md5('scale-donor-' || g)::uuid, 'amniotic_membrane',
            $3::uuid, $4::uuid, now() - interval '400 days' + (g % 365) * interval '1 day', 'scale', 'released'
     FROM generate_series($1::int, $2::int) g`,
    [...range, f.bankId, f.clinicId],
  );
  await execute(
    `INSERT INTO unit (id, code, lot_id, product_code, division, description, form, expires_on, status, location_facility_id)
     SELECT md5('scale-unit-' || g || '-' || k)::uuid, 'S999' || lpad(g::text, 9, '0') || 'T0001' || lpad(k::text, 3, '0'),
            md5('scale-lot-' || g)::uuid, 'T0001', lpad(k::text, 3, '0'), 'Dehydrated amniotic membrane', 'sheet', current_date + 365,
            CASE WHEN k <= $3 THEN 'administered'::"ProductStatus" ELSE 'released'::"ProductStatus" END,
            CASE WHEN k <= $3 THEN $4::uuid ELSE $5::uuid END
     FROM generate_series($1::int, $2::int) g CROSS JOIN generate_series(1, ${UNITS_PER_LOT}) k`,
    [...range, ADMINISTERED_PER_LOT, f.clinicId, f.bankId],
  );
  await execute(
    `INSERT INTO patient (id, facility_id, medical_record_number)
     SELECT md5('scale-patient-' || g || '-' || k)::uuid, $3::uuid, 'SCALE-' || g || '-' || k
     FROM generate_series($1::int, $2::int) g CROSS JOIN generate_series(1, ${ADMINISTERED_PER_LOT}) k`,
    [...range, f.clinicId],
  );
  await execute(
    `INSERT INTO administration (id, unit_id, active_unit_id, patient_id, facility_id, administered_at, clinician, anatomical_site, indication)
     SELECT md5('scale-adm-' || g || '-' || k)::uuid, md5('scale-unit-' || g || '-' || k)::uuid, md5('scale-unit-' || g || '-' || k)::uuid,
            md5('scale-patient-' || g || '-' || k)::uuid, $3::uuid, now() - interval '30 days', 'Dr Scale', 'knee', 'knee_osteoarthritis'
     FROM generate_series($1::int, $2::int) g CROSS JOIN generate_series(1, ${ADMINISTERED_PER_LOT}) k`,
    [...range, f.clinicId],
  );
}

/**
 * Grows the scale rows from `haveUnits` to `wantUnits` (multiples of 100), in batches; returns
 * the number of scale units now present. `progress` hears each batch.
 */
export async function growTo(
  execute: Execute,
  facilities: ScaleFacilities,
  haveUnits: number,
  wantUnits: number,
  progress: (units: number) => void = () => {},
): Promise<number> {
  let lot = Math.floor(haveUnits / UNITS_PER_LOT);
  const lastLot = Math.floor(wantUnits / UNITS_PER_LOT);
  while (lot < lastLot) {
    const to = Math.min(lastLot, lot + LOTS_PER_BATCH);
    await seedLots(execute, facilities, lot, to);
    lot = to;
    progress(lot * UNITS_PER_LOT);
  }
  await execute('ANALYZE', []);
  return lot * UNITS_PER_LOT;
}

/** The sizes measured on the way to `target`: 10^4, 10^5, … up to it (and it). */
export function scaleSteps(target: number): number[] {
  const steps: number[] = [];
  for (let n = 10_000; n < target; n *= 10) steps.push(n);
  steps.push(target);
  return steps;
}
