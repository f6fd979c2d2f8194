// Division codes tell the units of one donation apart: A01, A02, … A99, B01, … Z99; 000 is
// reserved for a lot issued as a single, undivided unit.
export const UNDIVIDED = '000';

function* divisionCodes(): Generator<string> {
  for (let letter = 0; letter < 26; letter++) {
    for (let n = 1; n <= 99; n++) yield `${String.fromCharCode(65 + letter)}${String(n).padStart(2, '0')}`;
  }
}

/** Gives each request without a division the next code not yet used in the lot or the request. */
export function assignDivisions(requested: (string | undefined)[], taken: Iterable<string>): string[] {
  const used = new Set([...taken, ...requested.filter((d): d is string => d !== undefined)]);
  const codes = divisionCodes();
  return requested.map((division) => {
    if (division !== undefined) return division;
    // next() rather than for…of: leaving a for…of loop would close the generator.
    for (let next = codes.next(); !next.done; next = codes.next()) {
      if (!used.has(next.value)) {
        used.add(next.value);
        return next.value;
      }
    }
    throw new Error('No division code left for this lot');
  });
}
