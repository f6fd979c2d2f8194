// The code systems and identifier systems of the FHIR R5 resources the service serves. ISBT 128
// data is named under https://www.isbt128.org/uri/…, the base of the R5 BiologicallyDerivedProduct
// StructureDefinition's ISBT 128 mapping and the system its example gives the DIN (the example's
// product code has no system); FHIR's own code systems are those bound to the elements; what is
// only ours (unit codes, tissue types, product properties) lives under our own namespace.

/** ISBT 128 Product Description Code: BiologicallyDerivedProduct.productCode (the R5 mapping's "Product Description Code"). */
export const ISBT128_PRODUCT_DESCRIPTION_CODE = 'https://www.isbt128.org/uri/ProductDescriptionCode';
/** ISBT 128 Donation Identification Number: BiologicallyDerivedProduct.biologicalSourceEvent (R5 example). */
export const ISBT128_DIN = 'https://www.isbt128.org/uri/DonationIdentificationNumber';

/** R5 BiologicallyDerivedProductCategory (organ | tissue | fluid | cells | biologicalAgent). */
export const PRODUCT_CATEGORY = 'http://hl7.org/fhir/product-category';
/** R5 BiologicallyDerivedProductStatus (available | unavailable). */
export const PRODUCT_STATUS = 'http://hl7.org/fhir/biologicallyderived-product-status';
/** HL7 v2 table 0203 identifier types: MR is a medical record number. */
export const IDENTIFIER_TYPE = 'http://terminology.hl7.org/CodeSystem/v2-0203';
/** UCUM, for temperatures. */
export const UCUM = 'http://unitsofmeasure.org';

const OURS = 'https://allograft-trace.org/fhir';
/** The unit's code as encoded in its barcodes: DIN + product code + division. */
export const UNIT_CODE = `${OURS}/sid/unit-code`;
/** The ISBT 128 Facility Identification Number of a facility, as registered here. */
export const FACILITY_IDENTIFICATION_NUMBER = `${OURS}/sid/isbt128-fin`;
/** EU tissue establishment code (country + 6 characters). */
export const EU_TISSUE_ESTABLISHMENT_CODE = `${OURS}/sid/eu-tissue-establishment-code`;
/** A regulator's registration number, e.g. FDA FEI. */
export const REGISTRATION_NUMBER = `${OURS}/sid/registration-number`;
/** The medical record numbers of a facility that registered no system of its own. */
export const defaultMrnSystem = (facilityId: string) => `${OURS}/sid/mrn/${facilityId}`;

export const FACILITY_KIND = `${OURS}/CodeSystem/facility-kind`;
export const TISSUE_TYPE = `${OURS}/CodeSystem/tissue-type`;
export const PRESERVATION_METHOD = `${OURS}/CodeSystem/preservation-method`;
export const PRODUCT_PROPERTY = `${OURS}/CodeSystem/product-property`;
export const INDICATION = `${OURS}/CodeSystem/indication`;
export const PROCEDURE_CODE = `${OURS}/CodeSystem/procedure`;
/** The $trace operation: a unit's backward trace as a collection Bundle. */
export const TRACE_OPERATION = `${OURS}/OperationDefinition/BiologicallyDerivedProduct-trace`;
