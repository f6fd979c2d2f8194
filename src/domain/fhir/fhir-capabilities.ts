// What the FHIR endpoint offers (GET /fhir/metadata): an R5 CapabilityStatement of kind instance.
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r5.js';
import { TRACE_OPERATION } from './fhir-systems.ts';

export const FHIR_VERSION = '5.0.0';
export const FHIR_MEDIA_TYPE = 'application/fhir+json';
/** When this statement last changed: its content is fixed in the code. */
const STATEMENT_DATE = '2026-11-25';

const read = (type: CapabilityStatementRestResource['type'], documentation: string, extra: Partial<CapabilityStatementRestResource> = {}): CapabilityStatementRestResource => ({
  type,
  profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
  documentation,
  interaction: [{ code: 'read' }],
  versioning: 'no-version',
  readHistory: false,
  updateCreate: false,
  ...extra,
});

export function capabilityStatement(baseUrl: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    id: 'allograft-trace',
    url: `${baseUrl}/fhir/metadata`,
    name: 'AllograftTraceabilityService',
    title: 'Allograft tissue traceability service',
    status: 'active',
    experimental: false,
    date: STATEMENT_DATE,
    publisher: 'Allograft tissue traceability service',
    description:
      'Read-only FHIR R5 view of placental tissue units (ISBT 128 labelled), their issue and administration to patients, and a unit’s backward trace as a collection Bundle.',
    kind: 'instance',
    software: { name: 'allograft-trace', version: '0.1.0' },
    implementation: { description: 'Allograft tissue traceability service', url: `${baseUrl}/fhir` },
    fhirVersion: FHIR_VERSION,
    format: [FHIR_MEDIA_TYPE, 'json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Every interaction but metadata needs Authorization: Bearer <API key>. Clinicians see the units, patients and administrations of their own facility only.',
        security: { cors: false, description: 'HTTP bearer API keys (atk_…), one role each: admin, coordinator, quality, clinician (one facility), auditor.' },
        resource: [
          read('BiologicallyDerivedProduct', 'A unit: ISBT 128 product description code, DIN, division, collection, processing facility, storage temperature, status.', {
            searchParam: [{ name: 'identifier', type: 'token', documentation: 'The unit code as typed, printed or scanned from the label (DIN and product code barcodes, or the Data Matrix)' }],
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            operation: [{ name: 'trace', definition: TRACE_OPERATION, documentation: 'GET [base]/BiologicallyDerivedProduct/[id]/$trace: the backward trace as a collection Bundle' }],
          }),
          read('BiologicallyDerivedProductDispense', 'An administration version as the issue of the unit to the patient; a superseded version is entered-in-error.'),
          read('Procedure', 'An administration version: the procedure on the patient, `used` referencing the product; a superseded version is entered-in-error.'),
        ],
      },
    ],
  };
}
