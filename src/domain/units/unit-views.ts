// A unit as the API shows it: its code also as printed, with the DIN's check character.
import type { Lot, Unit } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import { fieldErrors, notFound } from '../shared/errors.ts';
import { canSee } from '../shared/facility-scope.ts';
import type { Tx } from '../shared/transaction.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { mod37_2, parseUnitCode, printedUnitCode } from './identification.ts';
import { readJson, type SqlReader } from '../../db/sql.ts';
import { unit as unitSchema } from './unit-schemas.ts';
import { unitByCodeQuery } from './unit-sql.ts';

/** The unit as unitByCodeQuery builds it: everything but what the code derives from the DIN. */
const unitRow = unitSchema.omit({ printedCode: true, checkCharacter: true });

export type UnitWithLot = Unit & { lot: Lot };

export const unitView = (unit: UnitWithLot) => ({
  ...unit,
  volumeMl: unit.volumeMl === null ? null : Number(unit.volumeMl),
  din: unit.lot.din,
  checkCharacter: mod37_2(unit.lot.din),
  printedCode: printedUnitCode(unit.lot.din, unit.productCode, unit.division),
  tissueType: unit.lot.tissueType,
});

/** The stored code for what a person typed or scanned; a mistyped check character is a 400 on `field`. */
export function unitCodeOf(input: string, field = 'params.code'): string {
  const parsed = parseUnitCode(input);
  if (!parsed.ok) throw fieldErrors([{ field, message: parsed.reason }], parsed.reason);
  return parsed.code;
}

/** Finds a unit by its code as printed; a clinician sees only the units at her facility. */
export async function findUnitByCode(db: Tx | PrismaClient, ctx: RequestContext, input: string): Promise<UnitWithLot> {
  const code = unitCodeOf(input);
  const unit = await db.unit.findUnique({ where: { code }, include: { lot: true } });
  if (!unit) throw notFound('Unit', code);
  // For a clinician, a unit elsewhere does not exist: a 403 would tell that it does.
  if (!canSee(ctx, unit.locationFacilityId)) throw notFound('Unit', code);
  return unit;
}

/** GET /units/{code} in one statement: the unit with its lot's DIN and tissue type, as unitView shows it. */
export async function readUnitByCode(reader: SqlReader, ctx: RequestContext, input: string) {
  const code = unitCodeOf(input);
  const found = await readJson(reader, unitByCodeQuery(code));
  const row = found === null ? null : unitRow.parse(found);
  // For a clinician, a unit elsewhere does not exist: a 403 would tell that it does.
  if (!row || !canSee(ctx, row.locationFacilityId)) throw notFound('Unit', code);
  return { ...row, checkCharacter: mod37_2(row.din), printedCode: printedUnitCode(row.din, row.productCode, row.division) };
}
