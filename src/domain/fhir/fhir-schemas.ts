// The FHIR endpoints' shapes for validation and the OpenAPI document. The resources follow the
// R5 specification (typed by @types/fhir's R5 definitions in fhir-resources.ts); here each is
// declared by its resourceType and id, with the rest of the resource passed through.
import { z } from 'zod';
import { id, text } from '../shared/schemas.ts';
import { unitCodeInput } from '../units/unit-schemas.ts';

const resource = (resourceType: string, description: string) =>
  z
    .looseObject({ resourceType: z.literal(resourceType), id: z.string() })
    .meta({ id: `Fhir${resourceType}`, description: `${description} (FHIR R5, https://hl7.org/fhir/R5/${resourceType.toLowerCase()}.html)` });

export const fhirCapabilityStatement = resource('CapabilityStatement', 'What this FHIR endpoint offers');
export const fhirProduct = resource('BiologicallyDerivedProduct', 'A unit');
export const fhirDispense = resource('BiologicallyDerivedProductDispense', 'An administration version as the issue of the unit to a patient');
export const fhirProcedure = resource('Procedure', 'An administration version, `used` referencing the product');
export const fhirBundle = resource('Bundle', 'A collection (trace) or searchset (search) Bundle');

export const fhirIdParams = z.object({ id });

export const productSearchQuery = z.object({
  identifier: z
    .union([text(200), unitCodeInput])
    .meta({ description: 'The unit code as typed, printed or scanned, optionally as https://allograft-trace.org/fhir/sid/unit-code|<code>' }),
});
