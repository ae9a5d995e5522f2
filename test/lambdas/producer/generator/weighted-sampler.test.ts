import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../lambdas/producer/generator/seeded-random.js';
import { WeightedSampler, zipfWeights } from '../../../../lambdas/producer/generator/weighted-sampler.js';

describe('WeightedSampler', () => {
  it.each([
    ['uneven weights', [5, 1, 0, 3, 1]],
    ['a single weight', [2]],
    ['Zipf over 50 items', [...zipfWeights(50, 1)]],
  ])('GIVEN %s WHEN drawn 400,000 times THEN each index comes up in proportion to its weight', (_, weights) => {
    const sampler = new WeightedSampler(weights);
    const random = new SeededRandom(99);
    const draws = 400_000;
    const counts = new Array<number>(weights.length).fill(0);
    for (let i = 0; i < draws; i++) counts[sampler.sample(random.nextFloat())]!++;
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    weights.forEach((weight, index) => {
      const expected = (weight / total) * draws;
      // Within five standard deviations of a binomial count, so a correct sampler never fails this.
      const tolerance = 5 * Math.sqrt(expected * (1 - weight / total)) + 1;
      expect(Math.abs(counts[index]! - expected), `index ${index}`).toBeLessThanOrEqual(tolerance);
    });
  });

  it('GIVEN no weights WHEN built THEN it refuses', () => {
    expect(() => new WeightedSampler([])).toThrow(/at least one weight/);
  });
});

describe('SeededRandom', () => {
  it('GIVEN the same seed and stream WHEN drawn THEN the sequence repeats, and other streams differ', () => {
    const draw = (seed: number, stream: number) => {
      const random = new SeededRandom(seed, stream);
      return Array.from({ length: 5 }, () => random.nextUint32());
    };
    expect(draw(1, 0)).toEqual(draw(1, 0));
    expect(draw(1, 0)).not.toEqual(draw(1, 1));
    expect(draw(1, 0)).not.toEqual(draw(2, 0));
  });

  it('GIVEN uuids WHEN drawn THEN they are canonical version 4 UUIDs', () => {
    const random = new SeededRandom(3);
    for (let i = 0; i < 1_000; i++) {
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
