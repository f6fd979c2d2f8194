import { describe, expect, it } from 'vitest';
import {
  checkFlags,
  compoundMessage,
  dinDataStructure,
  expiryDataStructure,
  mod37_2,
  parseUnitCode,
  productCodeDataStructure,
  secDataStructure,
} from '../src/domain/units/identification.ts';

const din = 'W123426000042';
const unit = { ok: true, code: `${din}T0001A01`, din, productCode: 'T0001', division: 'A01' };

describe('the ISO/IEC 7064 Mod 37-2 check character', () => {
  it('matches published check values, independent of this code', () => {
    // Test values of an independent ISO/IEC 7064 implementation (jacoelho/go-iso7064), the first
    // two of them ISBT 128 DINs (G1234 89 654321, A9999 15 000001), one whose check is the "*".
    expect(mod37_2('G123489654321')).toBe('Y');
    expect(mod37_2('A999915000001')).toBe('M');
    expect(mod37_2('LMOSBYFCTRSSJCB3X6U9DUBLKNIH03FO6X963TGXYAHG')).toBe('*');
    expect(mod37_2('G7N286AL39FFQNU6BH8SMJB5VGMBCB6WPGMWJK800VU7K')).toBe('P');
  });

  it('catches every single-character substitution and adjacent transposition in a DIN', () => {
    const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const check = mod37_2(din);
    for (let i = 0; i < din.length; i++) {
      for (const c of chars) if (c !== din[i]) expect(mod37_2(din.slice(0, i) + c + din.slice(i + 1)), `${i}:${c}`).not.toBe(check);
      if (i + 1 < din.length && din[i] !== din[i + 1]) expect(mod37_2(din.slice(0, i) + din[i + 1] + din[i] + din.slice(i + 2))).not.toBe(check);
    }
  });
});

describe('ISBT 128 data structures', () => {
  it('builds the DIN with flag characters, the product code, the expiration date and time and the SEC with their data identifiers', () => {
    expect(dinDataStructure(din)).toBe('=W12342600004200');
    expect(productCodeDataStructure('T0001', 'A01')).toBe('=<T0001A01');
    // 2031-03-01 is day 060 of 2031; a unit expires at the end of its day: 2359.
    expect(expiryDataStructure(new Date('2031-03-01T00:00:00Z'))).toBe('&>0310602359');
    expect(expiryDataStructure(new Date('2032-12-31T00:00:00Z'))).toBe('&>0323662359');
    expect(expiryDataStructure(new Date('2100-01-01T00:00:00Z'))).toBe('&>1000012359');
    expect(secDataStructure('BE123456W123426000042', 'AT000100A0120310301')).toBe('&,4BE123456W123426000042AT000100A0120310301');
    expect(compoundMessage(['=W12342600004200', '=<T0001A01'])).toBe('=+02000=W12342600004200=<T0001A01');
  });
});

describe('reading a unit code as typed or scanned', () => {
  it('reads the code as typed or printed, with or without the check character', () => {
    expect(parseUnitCode(`${din}T0001A01`)).toEqual(unit);
    expect(parseUnitCode(`W1234 26 000042 ${mod37_2(din)} t0001 a01`)).toEqual(unit);
  });

  it('reads the DIN and product code barcodes in either order, with the expiry, AIM identifiers and line ends [REQ-ID-04]', () => {
    expect(parseUnitCode('=W12342600004200=<T0001A01')).toEqual(unit);
    expect(parseUnitCode('=<T0001A01=W12342600004200&>0310602359')).toEqual(unit);
    expect(parseUnitCode(']C0=W12342600004200\r\n]C0=<T0001A01\r\n')).toEqual(unit);
  });

  it('reads the Data Matrix compound message, with or without the SEC [REQ-ID-04]', () => {
    expect(parseUnitCode('=+03000=W12342600004200=<T0001A01&>0310602359')).toEqual(unit);
    expect(parseUnitCode(']d1=+04000=W12342600004200=<T0001A01&>0310602359&,4BE123456W123426000042AT000100A0120310301')).toEqual(unit);
  });

  it('verifies Type 3 flag characters, which carry the DIN’s check value', () => {
    expect(parseUnitCode(`=${din}${checkFlags(din)}=<T0001A01`)).toEqual(unit);
    const wrong = String(((Number(checkFlags(din)) - 60 + 1) % 37) + 60);
    expect(parseUnitCode(`=${din}${wrong}=<T0001A01`)).toMatchObject({ ok: false, reason: expect.stringMatching(/damaged or misprinted/) });
  });

  it('refuses a scan that does not identify one unit', () => {
    const refused = (input: string, reason: RegExp) => expect(parseUnitCode(input)).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    refused('=W12342600004200', /Scan both the DIN barcode/);
    refused('=<T0001A01', /Scan both/);
    refused('=W12342600004200=W12342600004200=<T0001A01', /twice/);
    refused('=+04000=W12342600004200=<T0001A01&>0310602359', /announces 4 data structures but holds 3/);
    refused('=W12342600004200=<T0001A01=+02000', /must come first/);
    refused('=W12342600004200=<E0398A00', /not an ISBT 128 tissue product code/);
    refused('=W12342600004200=<T0001A01garbage', /not an ISBT 128 data structure/);
    refused(`W1234 26 000042 ${mod37_2(din) === 'A' ? 'B' : 'A'} T0001 A01`, /probably mistyped/);
  });
});
