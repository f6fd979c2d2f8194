// Processing step bodies, one shape per kind: each kind has the parameters that show the step
// was done as validated (e.g. a terminal sterilisation's method and dose).
import { z } from 'zod';
import { id, multilineText, text, timestamp } from '../shared/schemas.ts';
import { requiredWhen } from '../shared/stated-rules.ts';
import { MORE_THAN_MINIMAL } from './processing-rules.ts';

const common = {
  startedAt: timestamp,
  finishedAt: timestamp,
  operator: text(200),
  facilityId: id.meta({ description: 'Where the step was done' }),
  deviations: z.array(multilineText(2000)).max(20).default([]).meta({ description: 'Deviations observed in this step; each stays open until closed' }),
};

const step = <K extends string, P extends z.ZodType>(kind: K, parameters: P) =>
  z.object({ kind: z.literal(kind), parameters, ...common });

const positive = z.number().positive();

const rinse = step('rinse', z.object({ solution: text(200), volumeMl: positive, cycles: z.number().int().min(1).max(50).optional() }));
const cleaning = step('cleaning', z.object({ method: z.enum(['blunt_dissection', 'mechanical_scraping', 'manual_wiping']), agent: text(200).optional() }));
const cutting = step('cutting', z.object({ widthMm: positive, lengthMm: positive, pieces: z.number().int().min(1).optional() }));
const dehydration = step(
  'dehydration',
  z.object({ method: z.enum(['air_drying', 'vacuum_drying', 'oven_drying']), temperatureC: z.number().min(-80).max(80), durationMinutes: z.number().int().positive() }),
);
const lyophilisation = step(
  'lyophilisation',
  z.object({ shelfTemperatureC: z.number().min(-80).max(60), pressureMbar: positive, durationMinutes: z.number().int().positive() }),
);
const cryopreservation = step(
  'cryopreservation',
  z.object({ cryoprotectant: text(200), concentrationPercent: z.number().min(0).max(100).optional(), ratePerMinuteC: positive, finalTemperatureC: z.number().max(0) }),
);
const terminalSterilisation = step(
  'terminal_sterilisation',
  requiredWhen(
    z.object({
      method: z.enum(['gamma', 'electron_beam', 'ethylene_oxide']),
      doseKGy: positive.max(50).optional().meta({ description: 'Required for gamma and electron beam sterilisation' }),
      sterilityAssuranceLevel: text(20).optional(),
    }),
    { method: ['gamma', 'electron_beam'] },
    'doseKGy',
    'is required for gamma and electron beam sterilisation',
  ),
);
const packaging = step('packaging', z.object({ packagingType: text(100), sealed: z.boolean(), sealIntegrityChecked: z.boolean().optional() }));

// Accepted by the schema only so that the service can refuse them with the reason (422), not
// as an unknown kind (400).
const refusedKinds = Object.keys(MORE_THAN_MINIMAL) as [string, ...string[]];
const moreThanMinimal = z.object({ kind: z.enum(refusedKinds), parameters: z.record(z.string(), z.unknown()).default({}), ...common });

export const MINIMAL_STEP_KINDS = [
  'rinse',
  'cleaning',
  'cutting',
  'dehydration',
  'lyophilisation',
  'cryopreservation',
  'terminal_sterilisation',
  'packaging',
] as const;

export const processingParameters = z.discriminatedUnion('kind', [
  rinse,
  cleaning,
  cutting,
  dehydration,
  lyophilisation,
  cryopreservation,
  terminalSterilisation,
  packaging,
  moreThanMinimal,
]);
