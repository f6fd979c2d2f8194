// The hostile-input probe list, as data: per class, the values a careless or malicious client
// sends. The fuzz test draws from it, and scripts/probe-hostile.ts sends every value to every
// route to count what still answers 5xx.

/** Values that go in place of a string (text, code, date, id…). */
export const hostileStrings: Record<string, string[]> = {
  controlCharacters: ['\u0000', 'a\u0000b', 'tab\there', 'line\nbreak', 'cr\rreturn', '\u0001\u0002\u0003', 'esc\u001b[31mred', 'del\u007f', 'c1\u0085\u009f', '\u2028\u2029'],
  loneSurrogates: ['\ud800', '\udfff', 'a\ud800b', 'b\udc00', '\ud83d', 'x\ude00y', '\udbff\udbff'],
  unicodeEdges: ['\ufffd', '\ufeffBOM', '\ufffe\uffff', 'e\u0301', '\u202eRTL', 'zero\u200bwidth', '🧬💉', ' ', '', '   leading', 'trailing   '],
  extremeDates: [
    '0000-01-01',
    '0001-01-01',
    '1899-12-31',
    '2200-01-01',
    '9999-12-31',
    '2026-02-30',
    '2026-13-01',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:00:00-12:00',
    '2199-12-31T23:30:00-12:00',
    '1900-01-01T05:00:00+06:00',
    '+275760-09-13T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T23:59:60Z',
    '2099-06-01T00:00:00Z',
    '1901-06-01T00:00:00Z',
    '2026-11-24T08:30:00.123456789Z',
  ],
  numericStrings: ['9223372036854775807', '9223372036854775808', '99999999999999999999999999', '-1', '0', '1e309', 'NaN', 'Infinity', '0x10', '1.5'],
  injection: ["'; DROP TABLE lot; --", '" OR 1=1 --', '${7*7}', '{{7*7}}', '<script>alert(1)</script>', '../../etc/passwd', '%00', '%ED%A0%80', '\\u0000'],
  huge: ['A'.repeat(101), 'A'.repeat(5_000), 'é'.repeat(70_000), '🧬'.repeat(10_000)],
};

/** Values that go in place of a number. */
export const hostileNumbers: number[] = [0, -0, -1, 1.5, 0.001, 1e-300, 2 ** 31, 2 ** 53, 2 ** 63, 1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 15.555];

/** Values that go in place of anything (wrong types, deep nesting, prototype pollution). */
export const hostileValues: unknown[] = [
  null,
  true,
  [],
  {},
  [[[[[]]]]],
  { __proto__: { admin: true } },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } },
  nested(64),
  Array.from({ length: 1000 }, () => 'x'),
];

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Every hostile value, each with its class, for probes that take one at a time. */
export function allHostileValues(): { kind: string; value: unknown }[] {
  return [
    ...Object.entries(hostileStrings).flatMap(([kind, values]) => values.map((value) => ({ kind, value }))),
    ...hostileNumbers.map((value) => ({ kind: 'extremeNumbers', value })),
    ...hostileValues.map((value) => ({ kind: 'wrongShapes', value })),
  ];
}

/** Raw requests that only a socket-level or URL-level probe can make. */
export const hostileUrls = (path: string): string[] => [
  `${path}?${'x='.padEnd(5_000, 'a')}`,
  `${path}/${'A'.repeat(150)}`,
  `${path}%00`,
  `${path}?limit=99999999999999999999`,
  `${path}?limit=-1&limit=2`,
  `${path}?cursor=%ED%A0%80`,
  `${path}?after=9223372036854775808`,
];
