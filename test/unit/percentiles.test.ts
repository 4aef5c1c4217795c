import { describe, expect, it } from 'vitest';
import { median, percentiles } from '../../local/percentiles.js';

describe('percentiles', () => {
  it('takes the nearest rank, ⌈q·n⌉, whatever the order of the samples', () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(percentiles(samples)).toEqual({ p50: 100, p99: 198 });
    expect(percentiles([5, 1, 4, 2, 3])).toEqual({ p50: 3, p99: 5 });
  });

  it('rounds to hundredths and answers 0 for no samples', () => {
    expect(percentiles([1.23456])).toEqual({ p50: 1.23, p99: 1.23 });
    expect(percentiles([])).toEqual({ p50: 0, p99: 0 });
  });

  it('takes the middle of an odd count and the mean of the two middles of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
