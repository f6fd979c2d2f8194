// Records as the API shows them: Decimals as numbers, the DIN also as printed.
import type { Lot, Preservation } from '../../generated/prisma/client.ts';
import { printedDin } from '../units/identification.ts';

export const lotView = <L extends Lot>(lot: L) => ({ ...lot, printedDin: printedDin(lot.din) });

export const preservationView = (p: Preservation) => ({
  ...p,
  storageTempMinC: Number(p.storageTempMinC),
  storageTempMaxC: Number(p.storageTempMaxC),
});
