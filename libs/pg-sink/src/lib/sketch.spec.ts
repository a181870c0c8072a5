import { describe, expect, it } from '@jest/globals';
import { addCount, denseLiteral, sketchAccuracy, sketchBin, sketchQuantiles, sketchValue, type Counts } from './sketch.js';

describe('the response-time sketch', () => {
  it('reports every value within the relative accuracy', () => {
    for (let exponent = -3; exponent <= 6; exponent += 0.0137) {
      const value = Math.fround(10 ** exponent);
      expect(Math.abs(sketchValue(sketchBin(value)) - value) / value).toBeLessThanOrEqual(sketchAccuracy + 1e-12);
    }
  });

  it('bins values in ascending order, and everything under a microsecond together', () => {
    expect(sketchBin(10)).toBeLessThan(sketchBin(10.5));
    expect(sketchBin(0)).toBe(sketchBin(0.0005));
    expect(sketchBin(0)).toBe(sketchBin(0.001));
    expect(sketchBin(0.0011)).toBe(sketchBin(0.001) + 5);
  });

  it('writes counts as a dense array whose lower bound is the first key', () => {
    const counts: Counts = new Map();
    expect(denseLiteral(counts)).toBe('{}');
    addCount(counts, 187);
    addCount(counts, 185, 2);
    expect(denseLiteral(counts)).toBe('[185:187]={2,NULL,1}');
    addCount(counts, -3);
    expect(denseLiteral(counts).startsWith('[-3:187]={1,NULL,')).toBe(true);
  });

  it('finds nearest-rank quantiles within the accuracy', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 5 + ((i * 7919) % 1000) * 1.7);
    const bins: Counts = new Map();
    for (const v of values) addCount(bins, sketchBin(v));
    const sorted = [...values].sort((a, b) => a - b);
    const qs = [0, 0.01, 0.5, 0.95, 0.99, 1];
    const found = sketchQuantiles(bins, qs);
    qs.forEach((q, i) => {
      const exact = sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
      expect(Math.abs(found[i]! - exact) / exact).toBeLessThanOrEqual(sketchAccuracy + 1e-12);
    });
    // One at a time, the same.
    expect(qs.map((q) => sketchQuantiles(bins, [q])[0])).toEqual(found);
    expect(sketchQuantiles(new Map(), [0.5, 0.9])).toEqual([null, null]);
  });
});
