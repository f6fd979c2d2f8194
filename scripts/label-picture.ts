// npm run label-picture: draws docs/label-example.png, the picture of a label shown in README.md,
// from a sample unit through the same code as GET /units/{code}/label?format=svg, rendered by
// resvg (a development dependency). Run it again after changing the layout.
import { writeFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import type { Facility, Preservation } from '../src/generated/prisma/client.ts';
import { buildLabel } from '../src/domain/units/label.ts';
import { labelSvg } from '../src/domain/units/label-svg.ts';
import type { UnitWithLot } from '../src/domain/units/unit-views.ts';
import { euDonationSequence } from '../src/domain/units/identification.ts';

const din = 'W1234' + '26' + '000042';
const bank = { name: 'Placenta Tissue Bank', registrationNumber: '3012345678', isbtFacilityId: 'W1234', euTissueEstablishmentCode: 'BE000123' } as Facility;
const unit = {
  productCode: 'T0001',
  division: 'A01',
  description: 'Dehydrated amniotic membrane',
  size: '2 x 3 cm',
  volumeMl: null,
  form: 'sheet',
  expiresOn: new Date('2028-11-20T00:00:00Z'),
  status: 'released',
  lot: { din, tissueType: 'amniotic_membrane', reviewFlaggedAt: null, euDonationSequence: euDonationSequence(bank.euTissueEstablishmentCode, din) },
} as unknown as UnitWithLot;
const preservation = { method: 'dehydrated', storageTempMinC: 15, storageTempMaxC: 30 } as unknown as Preservation;

// Released and electronically signed, so that the picture shows the release line.
const release = {
  decidedAt: new Date('2026-11-24T10:00:00Z'),
  decidedBy: 'Quinn Abara',
  signatures: [{ id: '00000000-0000-4000-8000-000000000001', signerId: '00000000-0000-4000-8000-000000000002', printedName: 'Quinn Abara', signedAt: new Date('2026-11-24T10:00:00Z'), meaning: 'approval', decisionKind: 'lot_release' }],
};
const svg = labelSvg(buildLabel(unit, bank, preservation, new Date('2026-11-25T00:00:00Z'), release));
const png = new Resvg(svg, { background: 'white', fitTo: { mode: 'width', value: 1000 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } })
  .render()
  .asPng();
await writeFile(new URL('../docs/label-example.png', import.meta.url), png);
console.log('Wrote docs/label-example.png');
