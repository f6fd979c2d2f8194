// Division codes tell apart the units of one donation made into one product: A01, A02, … A99,
// B01, … Z99 (2,574 codes per lot and product code); 000 is reserved for a product issued as a
// single, undivided unit. A unit is identified by DIN + product code + division, so each
// product code of a lot has its own codes.
import { DomainError } from '../shared/errors.ts';

export const UNDIVIDED = '000';

export const AUTOMATIC_DIVISIONS = 26 * 99;

function* divisionCodes(): Generator<string> {
  for (let letter = 0; letter < 26; letter++) {
    for (let n = 1; n <= 99; n++) yield `${String.fromCharCode(65 + letter)}${String(n).padStart(2, '0')}`;
  }
}

export interface DivisionRequest {
  productCode: string;
  division?: string;
}

/**
 * Gives each requested unit without a division the next code not yet used for its product code,
 * in the lot or earlier in the request. Running out is a 409: the codes are a recorded fact.
 */
export function assignDivisions(requested: DivisionRequest[], taken: { productCode: string; division: string }[], lotId: string): string[] {
  const used = new Map<string, Set<string>>();
  const usedFor = (productCode: string) => used.get(productCode) ?? used.set(productCode, new Set()).get(productCode)!;
  for (const t of taken) usedFor(t.productCode).add(t.division);
  for (const r of requested) if (r.division !== undefined) usedFor(r.productCode).add(r.division);
  const generators = new Map<string, Generator<string>>();
  return requested.map(({ productCode, division }) => {
    if (division !== undefined) return division;
    const codes = generators.get(productCode) ?? generators.set(productCode, divisionCodes()).get(productCode)!;
    const inUse = usedFor(productCode);
    // next() rather than for…of: leaving a for…of loop would close the generator.
    for (let next = codes.next(); !next.done; next = codes.next()) {
      if (!inUse.has(next.value)) {
        inUse.add(next.value);
        return next.value;
      }
    }
    throw new DomainError('conflict', `Lot ${lotId} has no division code left for product ${productCode}: all ${AUTOMATIC_DIVISIONS} (A01 to Z99) are used. Name free divisions explicitly.`, {
      productCode,
    });
  });
}
