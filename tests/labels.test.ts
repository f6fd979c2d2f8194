import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import { mod37_2 } from '../src/domain/units/identification.ts';
import { code128FieldData } from '../src/domain/units/label-zpl.ts';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { decodeBarcodes, pdfToPng, svgToPng, zplBarcodesToPng, zplCode128Codewords } from './support/barcodes.ts';
import { ok, readyLot, releasedLot, setupBank, splitUnits, type Bank } from './support/lot-fixtures.ts';

/** Undoes ZPL's Code 128 invocation codes (start B, code C, code B, ">" as "><"): the data the printer encodes. */
function zplCode128Data(field: string): string {
  return field.replace(/^>:/, '').replace(/>[56]/g, '').replace(/></g, '>');
}

/** What a scanner read off a label picture: exactly the label's four symbols, each read whole (checksums valid). */
function expectLabelSymbols(scanned: Awaited<ReturnType<typeof decodeBarcodes>>, isbt128: { din: string; productCode: string; expiration: string; dataMatrix: string }) {
  expect(scanned.map((r) => [r.format, r.text]).sort()).toEqual(
    [
      ['Code128', isbt128.din],
      ['Code128', isbt128.productCode],
      ['Code128', isbt128.expiration],
      ['DataMatrix', isbt128.dataMatrix],
    ].sort(),
  );
  expect(scanned.every((r) => r.isValid)).toBe(true);
}

describe('ZPL Code 128 fields', () => {
  it('encode any data exactly, odd runs of digits and ">" included, as a printer following the ZPL manual draws them [REQ-LABEL-03]', async () => {
    for (const data of ['=W12342600004200', '=<T0001A01', '&>0283252359', '=W1234260000420', 'A12345B6789C', '1234567', '=>12>>3', '&>1000012359']) {
      const png = zplBarcodesToPng(`^XA\n^PW800\n^LL200\n^FO40,40^BY2^BCN,96,N,N,N,N^FD${code128FieldData(data)}^FS\n^XZ`);
      const [read, ...more] = await decodeBarcodes(png);
      expect(more, data).toEqual([]);
      expect(read?.text, data).toBe(data);
    }
  });
});

describe.each(engines)('printed ISBT 128 labels on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  let unit: { id: string; code: string; printedCode: string; checkCharacter: string; status: string };
  let din: string;
  let donorCode: string;

  const get = (url: string, accept?: string) =>
    t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.adminKey}`, ...(accept ? { accept } : {}) } });

  beforeAll(async () => {
    t = await startTestApp(engine);
    bank = await setupBank(t, { euCode: 'BE123456' });
    const lot = await releasedLot(t, bank);
    din = lot.din;
    unit = (await splitUnits(bank, lot.id, 2))[0]!;
    donorCode = (await t.database.prisma.donor.findUniqueOrThrow({ where: { id: lot.donorId } })).donorCode;
  });
  afterAll(async () => t?.close());

  it('answers JSON by default, with the data each barcode carries, data identifiers included', async () => {
    const res = await get(`/units/${unit.code}/label`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const label = res.json();
    expect(label.isbt128).toEqual({
      din: `=${din}00`,
      productCode: `=<T0001A01`,
      expiration: expect.stringMatching(/^&>0[0-9]{5}2359$/),
      dataMatrix: expect.stringMatching(/^=\+04000=/),
    });
    expect(label.isbt128.dataMatrix).toBe(`=+04000${label.isbt128.din}${label.isbt128.productCode}${label.isbt128.expiration}&,4${label.euSec.donationSequence}${label.euSec.productSequence}`);
    // cyyjjj: the expiry date's century digit, year and ordinal day.
    const expires = new Date(`${label.expiresOn}T00:00:00Z`);
    const ordinal = (expires.getTime() - Date.UTC(expires.getUTCFullYear(), 0, 1)) / 86_400_000 + 1;
    expect(label.isbt128.expiration).toBe(`&>0${String(expires.getUTCFullYear() % 100).padStart(2, '0')}${String(ordinal).padStart(3, '0')}2359`);
    expect((await get(`/units/${unit.code}/label`, 'application/json')).headers['content-type']).toMatch(/^application\/json/);
  });

  it('prints SVG whose every barcode, rendered to a picture and scanned, gives back exactly the data the label claims [REQ-LABEL-03]', async () => {
    const label = (await get(`/units/${unit.code}/label`)).json();
    for (const res of [await get(`/units/${unit.code}/label?format=svg`), await get(`/units/${unit.code}/label`, 'image/svg+xml')]) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      expect(res.headers['content-disposition']).toBe(`inline; filename="label-${unit.code}.svg"`);
      const scanned = await decodeBarcodes(svgToPng(res.body));
      expectLabelSymbols(scanned, label.isbt128);
      // Drawn at a label printer's 203 dpi (8 dots per mm: a 0.25 mm bar is 2 dots), it still scans.
      expectLabelSymbols(await decodeBarcodes(svgToPng(res.body, 8)), label.isbt128);
      // The check character is printed for keyboard entry, never encoded in a barcode.
      const check = mod37_2(din);
      expect(res.body).toContain(`>${check}</text>`);
      expect(scanned.every((r) => !r.text.includes(`${din}${check}`))).toBe(true);
      expect(res.body).toContain(`${din.slice(0, 5)} ${din.slice(5, 7)} ${din.slice(7)}`);
      expect(res.body).toContain('AMNIOTIC MEMBRANE');
      expect(res.body).toContain(`SEC ${label.euSec.donationSequence} ${label.euSec.productSequence}`);
      expect(res.body).not.toContain(donorCode);
    }
  });

  it('scans the barcodes straight back into the API: the DIN and product code, or the Data Matrix, find the unit [REQ-ID-04]', async () => {
    const svg = (await get(`/units/${unit.code}/label?format=svg`)).body;
    const scanned = await decodeBarcodes(svgToPng(svg));
    const text = (prefix: string) => scanned.find((r) => r.text.startsWith(prefix))!.text;
    const scans = [`${text('=W')}${text('=<')}`, `${text('=<')}${text('=W')}${text('&>')}`, text('=+'), `]C0${text('=W')}]C0${text('=<')}`];
    for (const scan of scans) {
      const res = await get(`/units/${encodeURIComponent(scan)}`);
      expect(res.statusCode, `${scan}: ${res.body}`).toBe(200);
      expect(res.json().code).toBe(unit.code);
    }
  });

  it('takes the scanned barcodes wherever it takes a unit code: shipping, receipt, administration, trace [REQ-ID-04]', async () => {
    const lot = await releasedLot(t, bank);
    const [scannedUnit] = await splitUnits(bank, lot.id, 1);
    const label = (await get(`/units/${scannedUnit!.code}/label`)).json();
    const concatenated = `${label.isbt128.din}${label.isbt128.productCode}`;
    const shipment = await ok(
      bank.coordinator.post('/shipments', { fromFacilityId: bank.bankId, toFacilityId: bank.clinicId, unitCodes: [label.isbt128.dataMatrix], shippedAt: new Date().toISOString(), conditions: 'ambient' }),
      201,
    );
    await ok(
      bank.clinician.post(`/shipments/${shipment.id}/receipt`, {
        receivedAt: new Date().toISOString(), conditionAcceptable: true, temperatureAcceptable: true, units: [{ code: concatenated, acceptable: true }],
      }),
      201,
    );
    const patient = await ok(bank.clinician.post('/patients', { medicalRecordNumber: 'MRN-SCAN-1' }), 201);
    const administration = await ok(
      bank.clinician.post('/administrations', { unitCode: label.isbt128.dataMatrix, patientId: patient.id, administeredAt: new Date().toISOString(), anatomicalSite: 'left heel', indication: 'chronic_wound' }),
      201,
    );
    expect(administration.unitCode).toBe(scannedUnit!.code);
    const trace = await ok(bank.clinician.get(`/units/${encodeURIComponent(concatenated)}/trace`), 200);
    expect(trace.unit.code).toBe(scannedUnit!.code);
  });

  it('prints a PDF whose barcodes, rendered and scanned, give back the label’s data, and whose text carries the DIN, the boxed check character, the product, storage, expiry, warnings and SEC, and never the donor [REQ-LABEL-03]', async () => {
    const label = (await get(`/units/${unit.code}/label`)).json();
    const res = await get(`/units/${unit.code}/label?format=pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="label-${unit.code}.pdf"`);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    // The PDF drawn by pdf.js, not by the code that wrote it, then scanned.
    expectLabelSymbols(await decodeBarcodes(await pdfToPng(new Uint8Array(res.rawPayload))), label.isbt128);
    const pdf = await getDocumentProxy(new Uint8Array(res.rawPayload));
    expect(pdf.numPages).toBe(1);
    const { text } = await extractText(pdf, { mergePages: true });
    for (const expected of [
      `${din.slice(0, 5)} ${din.slice(5, 7)} ${din.slice(7)}`,
      'T0001 A01',
      'Dehydrated amniotic membrane',
      'AMNIOTIC MEMBRANE',
      'Store at 15 °C to 30 °C',
      `${label.expiresOn} 23:59`,
      'Donor eligibility determined',
      'Human tissue for transplantation: may transmit infectious agents.',
      `SEC ${label.euSec.donationSequence} ${label.euSec.productSequence}`,
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(new RegExp(`\\b${mod37_2(din).replace('*', '\\*')}\\b`));
    expect(text).not.toContain(donorCode);
  });

  it('prints ZPL for a Zebra printer whose barcodes, drawn from the ZPL as a 203 dpi printer would and scanned, give back exactly the label’s data [REQ-LABEL-03]', async () => {
    const label = (await get(`/units/${unit.code}/label`)).json();
    const res = await get(`/units/${unit.code}/label`, 'application/zpl');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/zpl/);
    const zpl = res.body;
    expect(zpl.startsWith('^XA\n^CI28\n^PW800\n^LL800')).toBe(true);
    expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
    const fields = [...zpl.matchAll(/\^BY2\^BCN,96,N,N,N,N\^FD(.*?)\^FS/g)].map((m) => m[1]!);
    expect(fields.map(zplCode128Data)).toEqual([label.isbt128.din, label.isbt128.productCode, label.isbt128.expiration]);
    // Each starts in subset B and switches to C for digits, as ISBT 128 symbols do.
    for (const field of fields) expect(zplCode128Codewords(field)[0]).toBe(104);
    expect(zplCode128Codewords(fields[0]!)).toContain(99);
    // The barcodes drawn from the ZPL as a 203 dpi printer would (one dot a pixel, at the fields'
    // origins and module widths), then scanned: the label's data, exactly.
    expectLabelSymbols(await decodeBarcodes(zplBarcodesToPng(zpl)), label.isbt128);
    expect([...zpl.matchAll(/\^BXN,4,200\^FD(.*?)\^FS/g)].map((m) => m[1])).toEqual([label.isbt128.dataMatrix]);
    const texts = [...zpl.matchAll(/\^FH\\\^FD(.*?)\^FS/g)].map((m) => m[1]);
    expect(texts).toEqual(expect.arrayContaining([`${din.slice(0, 5)} ${din.slice(5, 7)} ${din.slice(7)}`, mod37_2(din), '00', 'T0001 A01', `${label.expiresOn} 23:59`]));
    expect(zpl).not.toContain(donorCode);
  });

  it('warns QUARANTINE on a unit not yet released, and DO NOT USE on a lot flagged for review, in every format [REQ-LABEL-02, REQ-LABEL-03]', async () => {
    const held = await readyLot(t, bank);
    const [quarantined] = await splitUnits(bank, held.id, 1);
    expect((await get(`/units/${quarantined!.code}/label?format=svg`)).body).toContain('QUARANTINE: not released for');
    await t.database.prisma.lot.update({ where: { id: held.id }, data: { reviewFlaggedAt: new Date(), reviewFlagReason: 'consent withdrawn' } });
    expect((await get(`/units/${quarantined!.code}/label?format=svg`)).body).toContain('DO NOT USE');
    expect((await get(`/units/${quarantined!.code}/label?format=zpl`)).body).toContain('DO NOT USE');
    const pdf = await getDocumentProxy(new Uint8Array((await get(`/units/${quarantined!.code}/label?format=pdf`)).rawPayload));
    expect((await extractText(pdf, { mergePages: true })).text).toContain('DO NOT USE');
  });

  it('leaves the SEC out where the bank has no EU code', async () => {
    const plainBank = await setupBank(t, { euCode: null });
    const lot = await releasedLot(t, plainBank);
    const [u] = await splitUnits(plainBank, lot.id, 1);
    const label = await ok(t.admin.get(`/units/${u!.code}/label`), 200);
    expect(label.euSec).toBeNull();
    expect(label.isbt128.dataMatrix).toBe(`=+03000${label.isbt128.din}${label.isbt128.productCode}${label.isbt128.expiration}`);
    expect((await get(`/units/${u!.code}/label?format=svg`)).body).not.toContain('SEC ');
  });

  it('answers 406 when the Accept header allows no label format, and 400 for an unknown format', async () => {
    const refused = expectProblem(await get(`/units/${unit.code}/label`, 'text/html'), 406, 'not_acceptable');
    expect(refused.available).toEqual(['application/json', 'image/svg+xml', 'application/pdf', 'application/zpl']);
    expectProblem(await get(`/units/${unit.code}/label?format=png`), 400, 'validation_failed');
  });

  it('lets a clinician print the label of a unit at her facility only', async () => {
    expectProblem(await bank.clinician.get(`/units/${unit.code}/label?format=pdf`), 404, 'not_found');
  });
});
