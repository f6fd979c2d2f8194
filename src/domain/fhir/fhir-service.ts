// FHIR R5 views of the records, built from the other services' public functions only: the
// trace service's backward trace (its JSON view is the contract), administrations, patients and
// facilities. Reads that show a trace are recorded as trace reads by the trace service itself.
import { randomUUID } from 'node:crypto';
import type { Bundle, CapabilityStatement } from 'fhir/r5.js';
import type { AdministrationService } from '../administrations/administration-service.ts';
import type { FacilityService } from '../facilities/facility-service.ts';
import type { PatientService } from '../patients/patient-service.ts';
import type { RequestContext } from '../shared/context.ts';
import { DomainError } from '../shared/errors.ts';
import type { TraceService } from '../trace/trace-service.ts';
import { unitTrace as unitTraceSchema } from '../trace/trace-schemas.ts';
import type { UnitService } from '../units/unit-service.ts';
import { parseUnitCode } from '../units/identification.ts';
import { capabilityStatement } from './fhir-capabilities.ts';
import {
  collectionBundle,
  dispenseResource,
  facilityIdsOf,
  organizationResource,
  patientResource,
  procedureResource,
  productResource,
} from './fhir-resources.ts';
import { ISBT128_DIN, UNIT_CODE } from './fhir-systems.ts';

export interface FhirDeps {
  trace: Pick<TraceService, 'unitTrace'>;
  administrations: Pick<AdministrationService, 'get'>;
  patients: Pick<PatientService, 'get'>;
  facilities: Pick<FacilityService, 'get'>;
  units: Pick<UnitService, 'codeOf'>;
}

export function createFhirService({ trace, administrations, patients, facilities, units }: FhirDeps) {
  /** A trace as FHIR resources read it: dates and instants as Dates (the trace service hands over the wire form). */
  const decodedTrace = async (ctx: RequestContext, code: string) => unitTraceSchema.parse(await trace.unitTrace(ctx, code));
  const unitTraceById = async (ctx: RequestContext, id: string) => decodedTrace(ctx, await units.codeOf(id));

  async function product(ctx: RequestContext, id: string) {
    return productResource(await unitTraceById(ctx, id), new Date());
  }

  /**
   * Search by identifier, as an EHR does after scanning a label: `identifier=<unit code>` in any
   * form the API reads (typed, printed or scanned), optionally as `<system>|<value>` with the
   * unit-code system. A searchset Bundle with the product, or none.
   */
  async function searchProducts(ctx: RequestContext, identifier: string, baseUrl: string): Promise<Bundle> {
    const bar = identifier.indexOf('|');
    const [systemUri, value] = bar >= 0 && !identifier.startsWith('=') ? [identifier.slice(0, bar), identifier.slice(bar + 1)] : ['', identifier];
    if (systemUri && systemUri !== UNIT_CODE) {
      throw new DomainError('validation_failed', `Search BiologicallyDerivedProduct by the unit-code identifier (${UNIT_CODE}); the DIN (${ISBT128_DIN}) names a donation, not a product.`, {
        errors: [{ field: 'querystring.identifier', message: `system must be ${UNIT_CODE}` }],
      });
    }
    const parsed = parseUnitCode(value);
    const found = parsed.ok ? await decodedTrace(ctx, parsed.code).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'not_found') return null;
      throw error;
    }) : null;
    const product = found ? productResource(found, new Date()) : null;
    // The organizations the product names come along (search mode "include"), so that a
    // receiving system resolves its references from the one answer.
    const named = product ? [...(product.processingFacility ?? []), ...(product.collection?.source ? [product.collection.source] : [])] : [];
    const orgIds = [...new Set(named.map((ref) => ref.reference!.slice('Organization/'.length)))];
    const orgs = await Promise.all(orgIds.map((facilityId) => facilities.get(facilityId)));
    const entries = [
      ...(product ? [{ resource: product, mode: 'match' as const }] : []),
      ...orgs.map((f) => ({ resource: organizationResource(f), mode: 'include' as const })),
    ];
    return {
      resourceType: 'Bundle',
      id: randomUUID(),
      type: 'searchset',
      timestamp: new Date().toISOString(),
      total: product ? 1 : 0,
      link: [{ relation: 'self', url: `${baseUrl}/fhir/BiologicallyDerivedProduct?identifier=${encodeURIComponent(identifier)}` }],
      ...(entries.length
        ? { entry: entries.map(({ resource, mode }) => ({ fullUrl: `${baseUrl}/fhir/${resource.resourceType}/${resource.id}`, resource, search: { mode } })) }
        : {}),
    };
  }

  async function dispense(ctx: RequestContext, id: string) {
    return dispenseResource(await administrations.get(ctx, id));
  }

  async function procedure(ctx: RequestContext, id: string) {
    return procedureResource(await administrations.get(ctx, id));
  }

  /**
   * The unit's backward trace as a collection Bundle: the product (collection, processing,
   * storage), every organization it names, and each administration as a dispense and a
   * procedure with its patient (identifier only).
   */
  async function traceBundle(ctx: RequestContext, id: string, baseUrl: string) {
    const view = await unitTraceById(ctx, id);
    const patientIds = [...new Set(view.administrations.map((a) => a.patientId))];
    const [orgs, people] = await Promise.all([
      Promise.all(facilityIdsOf(view).map((facilityId) => facilities.get(facilityId))),
      Promise.all(patientIds.map((patientId) => patients.get(ctx, patientId))),
    ]);
    const byId = new Map(orgs.map((f) => [f.id, f]));
    const missing = people.map((p) => p.facilityId).filter((facilityId) => !byId.has(facilityId));
    for (const f of await Promise.all([...new Set(missing)].map((facilityId) => facilities.get(facilityId)))) byId.set(f.id, f);
    return collectionBundle(
      baseUrl,
      randomUUID(),
      [
        productResource(view, new Date()),
        ...[...byId.values()].map(organizationResource),
        ...people.map((p) => patientResource(p, byId.get(p.facilityId)!)),
        ...view.administrations.map(dispenseResource),
        ...view.administrations.map(procedureResource),
      ],
      new Date(),
    );
  }

  const metadata = (baseUrl: string): CapabilityStatement => capabilityStatement(baseUrl);

  return { product, searchProducts, dispense, procedure, traceBundle, metadata };
}

export type FhirService = ReturnType<typeof createFhirService>;
