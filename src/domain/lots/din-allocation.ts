// Donation Identification Numbers: one sequence per facility and two-digit year (the DIN holds
// only those two digits, so 1926 and 2026 share one sequence), advanced by a single
// upsert, so two concurrent recoveries never get the same number and a number is never reused
// (the DIN column is UNIQUE as well). A rolled-back command gives its number back, which
// leaves no gap that could look like a lost lot.
import type { Tx } from '../shared/transaction.ts';
import { buildDin, mod37_2 } from '../units/identification.ts';

export async function allocateDin(tx: Tx, facilityIdentifier: string, year: number): Promise<{ din: string; checkCharacter: string }> {
  const rows = await tx.$queryRaw<{ last_sequence: number }[]>`
    INSERT INTO din_sequence (facility_identifier, two_digit_year, last_sequence) VALUES (${facilityIdentifier}, ${year % 100}, 1)
    ON CONFLICT (facility_identifier, two_digit_year) DO UPDATE SET last_sequence = din_sequence.last_sequence + 1
    RETURNING last_sequence`;
  const din = buildDin(facilityIdentifier, year, Number(rows[0]!.last_sequence));
  return { din, checkCharacter: mod37_2(din) };
}
