import { z } from 'zod';
import { id, multilineText, pageOf, pageQuery, queryFlag, timestamp } from '../shared/schemas.ts';
import { adverseReactionRecord, severity, unitTrace } from '../trace/trace-schemas.ts';
import { signatureBlock } from '../signatures/signature-schemas.ts';

export { severity };

export const newAdverseReaction = z
  .object({
    onsetAt: timestamp,
    description: multilineText(4000),
    severity,
    suspectedCommunicableDisease: z.boolean(),
    reportedAt: timestamp.optional().meta({ description: 'When the reaction was discovered; defaults to now' }),
  })
  .meta({ id: 'NewAdverseReaction' });

export const adverseReaction = adverseReactionRecord.extend({
  unitCode: z.string(),
  facilityId: id,
  overdue: z.boolean().meta({ description: 'Open, with a report due date that has passed' }),
}).meta({ id: 'AdverseReaction' });

export const adverseReactionWithTrace = adverseReaction.extend({ trace: unitTrace }).meta({ id: 'AdverseReactionInvestigation' });

/** What adverse-reaction-sql.ts returns: the reaction (overdue is computed on the way out) and the unit's trace. */
export const investigationRecord = z.object({ reaction: adverseReaction.omit({ overdue: true }), trace: unitTrace });

export const adverseReactionQuery = pageQuery.extend({
  open: queryFlag.optional().meta({ description: 'true: open investigations only; false: closed only' }),
  overdue: queryFlag.optional().meta({ description: 'true: open with their report due date passed; false: the others' }),
  facilityId: id.optional().meta({ description: 'Reactions to doses administered at this facility (clinicians: always their own)' }),
});

export const adverseReactionList = pageOf(adverseReaction, 'AdverseReactionPage');

export const investigationClosure = z
  .object({
    outcome: multilineText(4000),
    implicatesDonor: z
      .boolean()
      .optional()
      .meta({ description: 'The investigation implicates the donor (e.g. a transmitted infection): every consignee of her other units is sent a notice listing them, held and administered' }),
    signature: signatureBlock('adverse_reaction_closure'),
  })
  .meta({ id: 'InvestigationClosure' });
