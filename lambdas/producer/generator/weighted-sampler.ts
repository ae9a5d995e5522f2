/**
 * Draws indices in proportion to fixed weights by binary search over their running totals:
 * O(n) to build, O(log n) a draw, 8 bytes an entry (100,000 songs: 800 KB, about 17 steps a draw).
 */
export class WeightedSampler {
  private readonly cumulative: Float64Array;

  constructor(weights: ArrayLike<number>) {
    if (weights.length === 0) throw new Error('a weighted sampler needs at least one weight');
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      total += weights[i]!;
      this.cumulative[i] = total;
    }
  }

  get size(): number {
    return this.cumulative.length;
  }

  /** Maps a uniform draw in [0, 1) to an index. */
  sample(uniform: number): number {
    const target = uniform * this.cumulative[this.cumulative.length - 1]!;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle]! > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

/** Zipf weights, 1 / rank^exponent for ranks 1..n: a few items take most of the draws. */
export function zipfWeights(count: number, exponent: number): Float64Array {
  const weights = new Float64Array(count);
  for (let rank = 1; rank <= count; rank++) weights[rank - 1] = 1 / rank ** exponent;
  return weights;
}
