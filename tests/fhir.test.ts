import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type Client, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { bundleProblems, resourceProblems } from './support/fhir-rules.ts';
import { hoursAgo, seedChain, seedFacilities, type ChainFacilities, type SeededChain } from './support/chain-fixtures.ts';
import { signed } from './support/signing.ts';

const FHIR_JSON = /^application\/fhir\+json/;

describe.each(engines)('FHIR R5 on %s', (engine) => {
  let t: TestApp;
  let f: ChainFacilities;
  let chain: SeededChain;
  let clinician: Client;
  let auditor: Client;
  let patientId: string;
  let administrationId: string;
  let correctedId: string;

  beforeAll(async () => {
    t = await startTestApp(engine);
    f = await seedFacilities(t.database.prisma);
    await t.database.prisma.facility.update({ where: { id: f.clinicId }, data: { medicalRecordNumberSystem: 'urn:oid:1.2.36.146.595.217.0.1' } });
    chain = await seedChain(t.database.prisma, f, { units: 2 });
    clinician = await t.keyFor('clinician', { facilityId: f.clinicId, holderName: 'Dr Okafor' });
    auditor = await t.keyFor('auditor');
    patientId = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-FHIR-1' })).json().id;
    const other = (await clinician.post('/patients', { medicalRecordNumber: 'MRN-FHIR-2' })).json().id;
    const given = await clinician.post('/administrations', {
      unitCode: chain.units[0]!.typed, patientId: other, administeredAt: hoursAgo(3), anatomicalSite: 'left heel', indication: 'diabetic_foot_ulcer',
    });
    expect(given.statusCode, given.body).toBe(201);
    administrationId = given.json().id;
    // A correction: the first version is superseded, the second is the truth.
    const corrected = await clinician.post(`/administrations/${administrationId}/corrections`, { patientId, reasonCode: 'wrong_patient', reasonText: 'scanned the wrong wristband', ...signed('responsibility') });
    expect(corrected.statusCode, corrected.body).toBe(201);
    correctedId = corrected.json().id;
  });
  afterAll(async () => t?.close());

  it('describes itself in a CapabilityStatement at /fhir/metadata, without a key [REQ-REC-05]', async () => {
    const res = await t.as(null).get('/fhir/metadata');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(FHIR_JSON);
    const statement = res.json();
    expect(resourceProblems(statement)).toEqual([]);
    expect(statement).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '5.0.0', kind: 'instance', format: expect.arrayContaining(['application/fhir+json']) });
    expect(statement.rest[0].resource.map((r: { type: string }) => r.type)).toEqual(['BiologicallyDerivedProduct', 'BiologicallyDerivedProductDispense', 'Procedure']);
  });

  it('serves a unit as a BiologicallyDerivedProduct with its ISBT 128 product code and DIN, collection, processing and storage [REQ-REC-05]', async () => {
    const unit = chain.units[1]!;
    const res = await auditor.get(`/fhir/BiologicallyDerivedProduct/${unit.id}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(FHIR_JSON);
    const product = res.json();
    expect(resourceProblems(product)).toEqual([]);
    expect(product).toMatchObject({
      resourceType: 'BiologicallyDerivedProduct',
      id: unit.id,
      productCategory: { system: 'http://hl7.org/fhir/product-category', code: 'tissue' },
      productCode: { coding: [{ system: 'https://www.isbt128.org/uri/ProductDescriptionCode', code: 'T0001' }] },
      identifier: [{ system: 'https://allograft-trace.org/fhir/sid/unit-code', value: unit.code }],
      biologicalSourceEvent: { system: 'https://www.isbt128.org/uri/DonationIdentificationNumber', value: chain.din },
      division: 'A01',
      productStatus: { code: 'available' },
      processingFacility: [{ reference: `Organization/${f.bankId}` }],
      collection: { source: { reference: `Organization/${f.hospitalId}` }, collectedDateTime: expect.any(String) },
      storageTempRequirements: { low: { value: 15, code: 'Cel' }, high: { value: 30, code: 'Cel' } },
    });
    const kinds = product.property.map((p: { type: { coding: { code: string }[] } }) => p.type.coding[0]!.code);
    expect(kinds).toEqual(expect.arrayContaining(['tissue-type', 'processing-step', 'preservation-method', 'release-decision']));
    expect(res.body).not.toContain(chain.donorCode);
    const read = await (await t.auditLog()).findFirst({ where: { action: 'unit.trace_read', entityId: unit.id }, orderBy: { seq: 'desc' } });
    expect(read).not.toBeNull();
  });

  it('finds the product by its code as scanned or typed, as an EHR does at the bedside [REQ-REC-05]', async () => {
    const unit = chain.units[1]!;
    for (const identifier of [unit.code, unit.typed, `https://allograft-trace.org/fhir/sid/unit-code|${unit.code}`, `=${chain.din}00=<T0001A01`]) {
      const res = await auditor.get(`/fhir/BiologicallyDerivedProduct?identifier=${encodeURIComponent(identifier)}`);
      expect(res.statusCode, res.body).toBe(200);
      const bundle = res.json();
      expect(bundleProblems(bundle)).toEqual([]);
      expect(bundle).toMatchObject({ type: 'searchset', total: 1 });
      expect(bundle.entry[0]).toMatchObject({ resource: { id: unit.id }, search: { mode: 'match' } });
      expect(bundle.entry.slice(1).map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Organization', 'Organization']);
    }
    const none = (await auditor.get(`/fhir/BiologicallyDerivedProduct?identifier=${chain.din}T0009Z99`)).json();
    expect(none).toMatchObject({ type: 'searchset', total: 0 });
    expect(none.entry).toBeUndefined();
    expectProblem(await auditor.get(`/fhir/BiologicallyDerivedProduct?identifier=${encodeURIComponent(`https://www.isbt128.org/uri/DonationIdentificationNumber|${chain.din}`)}`), 400, 'validation_failed');
  });

  it('serves an administration as a BiologicallyDerivedProductDispense and a Procedure that used the product; a superseded version is entered-in-error [REQ-REC-05]', async () => {
    const unit = chain.units[0]!;
    const dispense = (await clinician.get(`/fhir/BiologicallyDerivedProductDispense/${correctedId}`)).json();
    expect(resourceProblems(dispense)).toEqual([]);
    expect(dispense).toMatchObject({
      status: 'issued', product: { reference: `BiologicallyDerivedProduct/${unit.id}` }, patient: { reference: `Patient/${patientId}` }, performer: [{ actor: { display: 'Dr Okafor' } }],
    });
    const procedure = (await clinician.get(`/fhir/Procedure/${correctedId}`)).json();
    expect(resourceProblems(procedure)).toEqual([]);
    expect(procedure).toMatchObject({
      status: 'completed',
      subject: { reference: `Patient/${patientId}` },
      used: [{ reference: { reference: `BiologicallyDerivedProduct/${unit.id}` } }],
      bodySite: [{ text: 'left heel' }],
      reason: [{ concept: { coding: [{ code: 'diabetic_foot_ulcer' }] } }],
      performer: [{ onBehalfOf: { reference: `Organization/${f.clinicId}` } }],
    });
    const superseded = (await auditor.get(`/fhir/Procedure/${administrationId}`)).json();
    expect(superseded).toMatchObject({ status: 'entered-in-error', note: [{ text: expect.stringContaining(correctedId) }] });
    expect((await auditor.get(`/fhir/BiologicallyDerivedProductDispense/${administrationId}`)).json().status).toBe('entered-in-error');
  });

  it('serves the unit’s backward trace as a collection Bundle whose every reference resolves inside it, with the patient by MRN only [REQ-REC-05]', async () => {
    const unit = chain.units[0]!;
    const res = await auditor.get(`/fhir/BiologicallyDerivedProduct/${unit.id}/$trace`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(FHIR_JSON);
    const bundle = res.json();
    expect(bundleProblems(bundle)).toEqual([]);
    expect(bundle.type).toBe('collection');
    const byType = (type: string) => bundle.entry.filter((e: { resource: { resourceType: string } }) => e.resource.resourceType === type).map((e: { resource: unknown }) => e.resource);
    expect(byType('BiologicallyDerivedProduct')).toHaveLength(1);
    expect(byType('Organization').map((o: { id: string }) => o.id).sort()).toEqual([f.bankId, f.hospitalId, f.clinicId].sort());
    expect(byType('Patient')).toEqual(
      expect.arrayContaining([
        {
          resourceType: 'Patient', id: patientId,
          identifier: [{ use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }] }, system: 'urn:oid:1.2.36.146.595.217.0.1', value: 'MRN-FHIR-1', assigner: { reference: `Organization/${f.clinicId}` } }],
          managingOrganization: { reference: `Organization/${f.clinicId}` },
        },
      ]),
    );
    expect(byType('BiologicallyDerivedProductDispense').map((d: { status: string }) => d.status).sort()).toEqual(['entered-in-error', 'issued']);
    expect(byType('Procedure')).toHaveLength(2);
    expect(bundle.entry[0].fullUrl).toBe(`http://localhost:80/fhir/BiologicallyDerivedProduct/${unit.id}`);
    expect(res.body).not.toContain(chain.donorCode);
  });

  it('answers 404 to a clinician for another facility’s unit or administration, and to anyone for an unknown id', async () => {
    const elsewhere = await t.keyFor('clinician', { facilityId: f.hospitalId });
    expectProblem(await elsewhere.get(`/fhir/BiologicallyDerivedProduct/${chain.units[1]!.id}`), 404, 'not_found');
    expectProblem(await elsewhere.get(`/fhir/Procedure/${correctedId}`), 404, 'not_found');
    expectProblem(await elsewhere.get(`/fhir/BiologicallyDerivedProduct/${chain.units[0]!.id}/$trace`), 404, 'not_found');
    expectProblem(await auditor.get('/fhir/BiologicallyDerivedProduct/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    expectProblem(await auditor.get('/fhir/Procedure/not-a-uuid'), 400, 'validation_failed');
  });
});
