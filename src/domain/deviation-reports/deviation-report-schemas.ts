// The shapes of deviation reports (21 CFR 1271.350(b)).
import { z } from 'zod';
import { calendarDate, id, pageOf, pageQuery, queryFlag, text, timestamp } from '../shared/schemas.ts';
import { storedEnum } from '../shared/stated-rules.ts';
import { CORE_CGTP_REQUIREMENTS, type CoreRequirement } from './deviation-report-rules.ts';
import { signatureBlock, signatures } from '../signatures/signature-schemas.ts';

export const coreRequirement = z
  .enum(Object.keys(CORE_CGTP_REQUIREMENTS) as [CoreRequirement, ...CoreRequirement[]])
  .meta({
    id: 'CoreCgtpRequirement',
    description: `The core CGTP requirement (21 CFR 1271.150(b)) the deviation relates to: ${Object.entries(CORE_CGTP_REQUIREMENTS)
      .map(([code, sections]) => `${code} (${sections})`)
      .join(', ')}`,
  });

export const newDeviationReport = z
  .object({
    coreRequirement,
    description: text(4000).meta({ description: 'What deviated, how it was found, and which units it may affect' }),
    discoveredAt: timestamp.optional().meta({ description: 'When the deviation was discovered; defaults to now. The report is due 45 days after that day' }),
  })
  .meta({ id: 'NewDeviationReport' });

export const deviationReport = z
  .object({
    id,
    lotId: id,
    din: z.string().meta({ description: 'The DIN of the lot' }),
    coreRequirement: storedEnum(coreRequirement),
    description: z.string(),
    discoveredAt: timestamp,
    reportDueOn: calendarDate.meta({ description: 'When the report to FDA is due: 45 days after discovery (21 CFR 1271.350(b))' }),
    recordedBy: z.string(),
    closedAt: timestamp.nullable(),
    closedBy: z.string().nullable(),
    outcome: z.string().nullable(),
    fdaReportReference: z.string().nullable(),
    overdue: z.boolean().meta({ description: 'Open, and the report due date has passed' }),
    createdAt: timestamp,
    signatures: signatures.meta({ description: 'The signature that closed the report (deviation_report_closure)' }),
  })
  .meta({ id: 'DeviationReport' });

export const deviationReportClosure = z
  .object({
    outcome: text(4000).meta({ description: 'What the investigation found and what was done' }),
    fdaReportReference: text(200).optional().meta({ description: 'The reference of the report sent to FDA, e.g. its Form FDA 3486 submission' }),
    signature: signatureBlock('deviation_report_closure'),
  })
  .meta({ id: 'DeviationReportClosure' });

export const deviationReportQuery = pageQuery.extend({
  open: queryFlag.optional().meta({ description: 'true: open reports only; false: closed only' }),
  overdue: queryFlag.optional().meta({ description: 'true: open with their due date passed; false: the others' }),
  lotId: id.optional(),
});

export const deviationReportPage = pageOf(deviationReport, 'DeviationReportPage');

export type NewDeviationReport = z.infer<typeof newDeviationReport>;
export type DeviationReportQuery = z.infer<typeof deviationReportQuery>;
