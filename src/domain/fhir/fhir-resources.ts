// Our records as FHIR R5 resources (typed by @types/fhir's R5 definitions): the unit as a
// BiologicallyDerivedProduct with its collection, processing and storage; each administration
// version as a BiologicallyDerivedProductDispense (the product issued to the patient) and a
// Procedure whose `used` is the product; facilities as Organizations; patients by identifier
// only (the facility's medical record number system). The donor never appears: the product
// names its donation by the DIN, as its label does.
import type {
  BiologicallyDerivedProduct,
  BiologicallyDerivedProductDispense,
  BiologicallyDerivedProductProperty,
  Bundle,
  BundleEntry,
  Organization,
  Patient,
  Procedure,
  Reference,
  Resource,
} from 'fhir/r5.js';
import type { z } from 'zod';
import type { administration } from '../administrations/administration-schemas.ts';
import type { patient } from '../patients/patient-schemas.ts';
import type { unitTrace } from '../trace/trace-schemas.ts';
import { calendarDay } from '../shared/dates.ts';
import * as system from './fhir-systems.ts';

export type UnitTraceView = z.output<typeof unitTrace>;
export type AdministrationView = z.output<typeof administration>;
export type PatientView = z.output<typeof patient>;
export interface FacilityView {
  id: string;
  kind: string;
  name: string;
  registrationNumber: string | null;
  isbtFacilityId: string | null;
  euTissueEstablishmentCode: string | null;
  medicalRecordNumberSystem: string | null;
}

export const reference = (type: Resource['resourceType'], id: string, display?: string): Reference => ({ reference: `${type}/${id}`, ...(display ? { display } : {}) });

const humanise = (code: string) => code.replace(/_/g, ' ');
const AVAILABLE = ['released', 'distributed'];

/** Every facility the product's record names: bank, recovery, processing, administration. */
export function facilityIdsOf(trace: UnitTraceView): string[] {
  return [
    ...new Set([
      trace.lot.bankFacilityId,
      trace.lot.recoveryFacilityId,
      ...trace.processingSteps.map((s) => s.facilityId),
      ...trace.administrations.map((a) => a.facilityId),
    ]),
  ];
}

function properties(trace: UnitTraceView): BiologicallyDerivedProductProperty[] {
  const type = (code: string, display: string, text?: string) => ({ coding: [{ system: system.PRODUCT_PROPERTY, code, display }], ...(text ? { text } : {}) });
  const preservation = trace.preservations.at(-1);
  return [
    {
      type: type('tissue-type', 'Tissue type'),
      valueCodeableConcept: { coding: [{ system: system.TISSUE_TYPE, code: trace.lot.tissueType, display: humanise(trace.lot.tissueType) }] },
    },
    { type: type('form', 'Form'), valueString: trace.unit.form },
    ...(trace.unit.size ? [{ type: type('size', 'Size'), valueString: trace.unit.size }] : []),
    ...(trace.unit.volumeMl === null ? [] : [{ type: type('volume', 'Volume'), valueQuantity: { value: trace.unit.volumeMl, unit: 'mL', system: system.UCUM, code: 'mL' } }]),
    ...trace.processingSteps.map((step) => ({
      type: type('processing-step', 'Processing step', `${humanise(step.kind)} by ${step.operator}`),
      valuePeriod: { start: step.startedAt.toISOString(), end: step.finishedAt.toISOString() },
    })),
    ...(preservation
      ? [
          {
            type: type('preservation-method', 'Preservation method'),
            valueCodeableConcept: { coding: [{ system: system.PRESERVATION_METHOD, code: preservation.method, display: humanise(preservation.method) }] },
          },
          { type: type('storage-location', 'Storage location at the bank'), valueString: preservation.storageLocation },
        ]
      : []),
    ...trace.releaseDecisions.flatMap((d) => [
      {
        type: type('release-decision', 'Quality release decision', `${d.decision} by ${d.decidedBy}`),
        valuePeriod: { start: d.decidedAt.toISOString(), end: d.decidedAt.toISOString() },
      },
      // The electronic signature of the decision (21 CFR 11.50): printed name, date and time, meaning.
      ...d.signatures.map((s) => ({
        type: type('release-signature', 'Electronic signature of the release decision'),
        valueString: `Signed by ${s.printedName} on ${s.signedAt.toISOString()}, meaning: ${s.meaning} (signature ${s.id})`,
      })),
    ]),
    ...(trace.lot.reviewFlaggedAt ? [{ type: type('review-flag', 'Lot flagged for review'), valueString: trace.lot.reviewFlagReason ?? 'flagged for review' }] : []),
  ];
}

const celsius = (value: number) => ({ value, unit: '°C', system: system.UCUM, code: 'Cel' });

/** The unit as a BiologicallyDerivedProduct: ISBT 128 product code, DIN, division, collection, processing, storage. */
export function productResource(trace: UnitTraceView, today: Date): BiologicallyDerivedProduct {
  const { unit, lot } = trace;
  const preservation = trace.preservations.at(-1);
  const usable = AVAILABLE.includes(unit.status) && !lot.reviewFlaggedAt && calendarDay(unit.expiresOn) >= calendarDay(today);
  return {
    resourceType: 'BiologicallyDerivedProduct',
    id: unit.id,
    productCategory: { system: system.PRODUCT_CATEGORY, code: 'tissue', display: 'Tissue' },
    productCode: { coding: [{ system: system.ISBT128_PRODUCT_DESCRIPTION_CODE, code: unit.productCode }], text: unit.description },
    identifier: [{ use: 'official', system: system.UNIT_CODE, value: unit.code }],
    biologicalSourceEvent: { system: system.ISBT128_DIN, value: lot.din },
    processingFacility: [...new Set([lot.bankFacilityId, ...trace.processingSteps.map((s) => s.facilityId)])].map((id) => reference('Organization', id)),
    division: unit.division,
    productStatus: { system: system.PRODUCT_STATUS, code: usable ? 'available' : 'unavailable', display: usable ? 'Available' : 'Unavailable' },
    expirationDate: calendarDay(unit.expiresOn),
    collection: {
      collector: { display: lot.recoveredBy },
      source: reference('Organization', lot.recoveryFacilityId),
      collectedDateTime: lot.recoveredAt.toISOString(),
    },
    ...(preservation ? { storageTempRequirements: { low: celsius(preservation.storageTempMinC), high: celsius(preservation.storageTempMaxC) } } : {}),
    property: properties(trace),
  };
}

export function organizationResource(facility: FacilityView): Organization {
  const identifier = [
    ...(facility.isbtFacilityId ? [{ system: system.FACILITY_IDENTIFICATION_NUMBER, value: facility.isbtFacilityId }] : []),
    ...(facility.euTissueEstablishmentCode ? [{ system: system.EU_TISSUE_ESTABLISHMENT_CODE, value: facility.euTissueEstablishmentCode }] : []),
    ...(facility.registrationNumber ? [{ system: system.REGISTRATION_NUMBER, value: facility.registrationNumber }] : []),
  ];
  return {
    resourceType: 'Organization',
    id: facility.id,
    ...(identifier.length ? { identifier } : {}),
    active: true,
    type: [{ coding: [{ system: system.FACILITY_KIND, code: facility.kind, display: humanise(facility.kind) }] }],
    name: facility.name,
  };
}

/** A patient by identifier only: the facility's medical record number, in the facility's system. */
export function patientResource(patient: PatientView, facility: FacilityView): Patient {
  return {
    resourceType: 'Patient',
    id: patient.id,
    identifier: [
      {
        use: 'usual',
        type: { coding: [{ system: system.IDENTIFIER_TYPE, code: 'MR', display: 'Medical record number' }] },
        system: facility.medicalRecordNumberSystem ?? system.defaultMrnSystem(facility.id),
        value: patient.medicalRecordNumber,
        assigner: reference('Organization', facility.id),
      },
    ],
    managingOrganization: reference('Organization', facility.id),
  };
}

const correctionNote = (a: AdministrationView) => [
  ...(a.current ? [] : [{ text: `Superseded by the correction recorded as ${a.correctedById ?? 'a later version'}${a.supersededAt ? ` at ${a.supersededAt.toISOString()}` : ''}.` }]),
  // A corrected version carries the electronic signature of its correction (21 CFR 11.50).
  ...a.signatures.map((s) => ({
    authorString: s.printedName,
    time: s.signedAt.toISOString(),
    text: `Correction of ${a.correctsId ?? 'an earlier version'} electronically signed by ${s.printedName}, meaning: ${s.meaning} (signature ${s.id}).`,
  })),
];

/** The unit issued to the patient at the administering facility. A superseded version is entered-in-error. */
export function dispenseResource(a: AdministrationView): BiologicallyDerivedProductDispense {
  return {
    resourceType: 'BiologicallyDerivedProductDispense',
    id: a.id,
    status: a.current ? 'issued' : 'entered-in-error',
    product: reference('BiologicallyDerivedProduct', a.unitId, a.unitCode),
    patient: reference('Patient', a.patientId),
    performer: [{ actor: { display: a.clinician } }],
    quantity: { value: 1, unit: 'unit' },
    whenHandedOver: a.administeredAt.toISOString(),
    ...(correctionNote(a).length ? { note: correctionNote(a) } : {}),
  };
}

/** The administration: a procedure on the patient that used the product. */
export function procedureResource(a: AdministrationView): Procedure {
  const [indication, detail] = a.indication.startsWith('other: ') ? ['other', a.indication.slice(7)] : [a.indication, undefined];
  const notes = [...(a.notes ? [{ text: a.notes }] : []), ...correctionNote(a)];
  return {
    resourceType: 'Procedure',
    id: a.id,
    status: a.current ? 'completed' : 'entered-in-error',
    code: { coding: [{ system: system.PROCEDURE_CODE, code: 'tissue-allograft-application', display: 'Application of a placental tissue allograft' }] },
    subject: reference('Patient', a.patientId),
    occurrenceDateTime: a.administeredAt.toISOString(),
    recorded: a.createdAt.toISOString(),
    performer: [{ actor: { display: a.clinician }, onBehalfOf: reference('Organization', a.facilityId) }],
    reason: [{ concept: { coding: [{ system: system.INDICATION, code: indication, display: humanise(indication) }], ...(detail ? { text: detail } : {}) } }],
    bodySite: [{ text: a.anatomicalSite }],
    used: [{ reference: reference('BiologicallyDerivedProduct', a.unitId, a.unitCode) }],
    ...(notes.length ? { note: notes } : {}),
  };
}

/** A collection Bundle; every entry's fullUrl is the resource's address on this server. */
export function collectionBundle(baseUrl: string, id: string, resources: Resource[], now: Date): Bundle {
  const entry: BundleEntry[] = resources.map((resource) => ({ fullUrl: `${baseUrl}/fhir/${resource.resourceType}/${resource.id}`, resource }));
  return { resourceType: 'Bundle', id, type: 'collection', timestamp: now.toISOString(), entry };
}
