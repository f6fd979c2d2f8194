// Pure rules about what a lot may be and what may be done to it.
import { ruleViolation } from '../shared/errors.ts';

/** Placental tissues a bank recovers and banks. Never embryonic or fetal tissue (DOMAIN.md). */
export const TISSUE_TYPES = [
  'amniotic_membrane',
  'amnion',
  'chorion',
  'amnion_chorion',
  'umbilical_cord',
  'umbilical_cord_vessels',
  'wharton_jelly',
  'placental_disc',
] as const;
export type TissueType = (typeof TISSUE_TYPES)[number];

const EMBRYONIC_OR_FETAL = /embry|fetal|foetal|fetus|foetus/i;

/** Refuses embryonic or fetal tissue with a message that says so, and any unknown type. */
export function assertAcceptableTissueType(tissueType: string): asserts tissueType is TissueType {
  if (EMBRYONIC_OR_FETAL.test(tissueType)) {
    throw ruleViolation(`The service never accepts embryonic or fetal tissue ("${tissueType}"): only placental tissue from a living donor after a full-term delivery.`, {
      field: 'tissueType',
      tissueType,
    });
  }
  if (!(TISSUE_TYPES as readonly string[]).includes(tissueType)) {
    throw ruleViolation(`Unknown tissue type "${tissueType}"; expected one of ${TISSUE_TYPES.join(', ')}.`, { field: 'tissueType', tissueType });
  }
}

/**
 * Steps that are more than minimal manipulation. 21 CFR 1271.3(f)(1): for structural tissue,
 * minimal manipulation is processing that does not alter the original relevant characteristics
 * of the tissue relating to its utility for reconstruction, repair or replacement. Digesting
 * the matrix with enzymes, expanding cells in culture, modifying them genetically, or breaking
 * the membrane down into a particulate (homogenising, micronising) alters those characteristics
 * (FDA guidance on minimal manipulation, 2020, examples for amniotic membrane). Combining the
 * tissue with another article (1271.10(a)(3)) also takes it out of the 361 HCT/P category.
 */
export const MORE_THAN_MINIMAL: Record<string, string> = {
  enzymatic_digestion: 'enzymatic digestion breaks down the extracellular matrix, altering the tissue’s structural characteristics',
  cell_culture_expansion: 'expanding cells in culture alters the tissue’s original relevant characteristics',
  genetic_modification: 'genetic modification alters the cells’ original relevant characteristics',
  homogenisation: 'homogenising the membrane into a particulate destroys its structure as a barrier or covering',
  micronisation: 'micronising the membrane into a powder destroys its structure as a barrier or covering',
  combination_with_other_article: 'combining the tissue with another article (a drug or device) is outside 21 CFR 1271.10(a)(3)',
};

export function assertMinimalManipulation(kind: string): void {
  const why = MORE_THAN_MINIMAL[kind];
  if (why) {
    throw ruleViolation(`A ${kind} step is more than minimal manipulation (21 CFR 1271.3(f)): ${why}. The service records only minimally manipulated tissue.`, {
      field: 'kind',
      kind,
    });
  }
}
