// Rules that JSON Schema can state, so that the OpenAPI document says them too: validated by zod
// (a 400 like any other malformed input) and shown in the document.
import { z } from 'zod';

type Condition = Record<string, string | readonly string[]>;

const holds = (value: Record<string, unknown>, condition: Condition) =>
  Object.entries(condition).every(([field, expected]) => (typeof expected === 'string' ? value[field] === expected : expected.includes(value[field] as string)));

/**
 * `required` must be present when every field of `condition` has its value (or one of its
 * values): `if/then` in the document, a 400 on the missing field otherwise.
 */
export function requiredWhen<S extends z.ZodObject>(schema: S, condition: Condition, required: string, message: string) {
  return schema
    .superRefine((value, ctx) => {
      const fields = value as Record<string, unknown>;
      if (holds(fields, condition) && fields[required] === undefined) ctx.addIssue({ code: 'custom', path: [required], message });
    })
    .meta({
      if: {
        properties: Object.fromEntries(Object.entries(condition).map(([field, expected]) => [field, typeof expected === 'string' ? { const: expected } : { enum: [...expected] }])),
        required: Object.keys(condition),
      },
      // The property is repeated inside `then` (with no constraint of its own) so that a reader
      // of the branch alone, such as a linter, sees that it exists.
      then: { required: [required], properties: { [required]: { description: `${required} ${message}` } } },
    });
}

/** An array whose items may not repeat: `uniqueItems` in the document, a 400 otherwise. */
export const uniqueArray = <T extends z.ZodType>(items: z.ZodArray<T>, message = 'must not repeat an item') =>
  items.refine((values) => new Set(values.map((v) => JSON.stringify(v))).size === values.length, message).meta({ uniqueItems: true });

/**
 * A closed list kept as text in the database (an outcome, a kind, a reason code): the document
 * shows its values as an enum, the response is checked against them when it is encoded, and the
 * TypeScript type stays the string the database gives.
 */
export const storedEnum = (list: z.ZodEnum) => {
  const values = list.options as string[];
  return z.string().refine((value) => values.includes(value), { message: `must be one of ${values.join(', ')}` }).meta({ enum: values });
};
