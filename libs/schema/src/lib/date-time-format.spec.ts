import { describe, expect, it } from '@jest/globals';
import addFormatsPlugin from 'ajv-formats';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { isDateTime } from './date-time-format.js';

// ajv-formats' own full-mode date-time, the reference.
const addFormats = ((addFormatsPlugin as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv, options: { mode: 'full'; formats: string[] }) => Ajv;
const reference = addFormats(new Ajv(), { mode: 'full', formats: ['date-time'] }).compile({ type: 'string', format: 'date-time' });

const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
const pick = <T>(...values: T[]) => fc.constantFrom(...values);
// Strings shaped like timestamps, with every part sometimes out of range or malformed.
const shaped = fc
  .tuple(
    fc.oneof(digits(4), pick('2000', '1900', '2024', '2023', '0000'), fc.string({ maxLength: 5 })),
    fc.oneof(digits(2), pick('00', '01', '02', '12', '13')),
    fc.oneof(digits(2), pick('00', '28', '29', '30', '31', '32')),
    pick('T', 't', ' ', '\t', 'x', 'TT', '\u00a0'),
    fc.oneof(digits(2), pick('23', '24', '00')),
    fc.oneof(digits(2), pick('59', '60', '00')),
    fc.oneof(digits(2), pick('59', '60', '61')),
    pick('', '.5', '.999999', '.', '.99999999999999999999', '.1a'),
    fc.oneof(pick('Z', 'z', '', '+00:00', '-00:00', '+01:00', '-01:00', '+23:59', '+24:00', '-00:60', '+0100', '+01', '+1:00', 'Zt'), fc.string({ maxLength: 6 })),
  )
  .map((parts) => `${parts[0]}-${parts[1]}-${parts[2]}${parts[3]}${parts[4]}:${parts[5]}:${parts[6]}${parts[7]}${parts[8]}`);

describe('isDateTime', () => {
  it.each([
    ['2024-02-29T12:00:00Z', true],
    ['2023-02-29T12:00:00Z', false],
    ['2016-12-31T23:59:60Z', true],
    ['2016-12-31T23:59:60.5Z', true],
    ['2017-01-01T00:59:60+01:00', true],
    ['2016-12-31T22:59:60Z', false],
    ['2016-12-31T23:59:59', false],
    ['2016-12-31t23:59:59.123z', true],
    ['2016-12-31 23:59:59+0100', true],
    ['2016-12-31T23:59:59.99999999999999999Z', true], // rounds to 60: a leap second
    ['2016-12-30T23:59:59.99999999999999999Z', true],
    ['2016-12-30T22:59:59.99999999999999999Z', false],
  ] as const)('%s is %s, as ajv-formats says', (text: string, expected: boolean) => {
    expect(isDateTime(text)).toBe(expected);
    expect(reference(text)).toBe(expected);
  });

  it('answers as ajv-formats full mode for timestamp-shaped and random strings', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, fc.string({ maxLength: 40 })), (text) => isDateTime(text) === reference(text)),
      { numRuns: 20_000, seed: 14 },
    );
  });
});
