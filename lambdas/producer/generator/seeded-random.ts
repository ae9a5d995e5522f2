/**
 * A small, fast, seedable pseudo-random generator (sfc32, from PractRand's small fast chaotic
 * family), so that the same seed always gives the same events, byte for byte, on every machine.
 * Math.random cannot be seeded; faker's Mersenne Twister is seedable but does more work per draw,
 * and the generator draws several numbers for every event it makes.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `stream` separates independent sequences drawn from one seed (events, faults, catalogue). */
  constructor(seed: number, stream = 0) {
    let state = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream | 0, 0x85ebca77) ^ 0x6a09e667) >>> 0;
    const splitMix = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = splitMix();
    this.b = splitMix();
    this.c = splitMix();
    this.d = splitMix();
    // The first outputs of a freshly seeded sfc32 are weakly mixed; discard them.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.nextFloat() * bound);
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.nextFloat() * (max - min + 1));
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.nextFloat() < probability;
  }

  /** Exponentially distributed with the given mean: the gaps of a Poisson process. */
  exponential(mean: number): number {
    return -Math.log(1 - this.nextFloat()) * mean;
  }

  /** A random (version 4) UUID in canonical lower-case form. */
  uuid(): string {
    const w0 = this.nextUint32();
    const w1 = (this.nextUint32() & 0xffff0fff) | 0x00004000;
    const w2 = ((this.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0;
    const w3 = this.nextUint32();
    return (
      hex8(w0) +
      '-' +
      hex8(w1).slice(0, 4) +
      '-' +
      hex8(w1).slice(4) +
      '-' +
      hex8(w2).slice(0, 4) +
      '-' +
      hex8(w2).slice(4) +
      hex8(w3)
    );
  }
}

const BYTE_HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex8(word: number): string {
  return (
    BYTE_HEX[(word >>> 24) & 0xff]! +
    BYTE_HEX[(word >>> 16) & 0xff]! +
    BYTE_HEX[(word >>> 8) & 0xff]! +
    BYTE_HEX[word & 0xff]!
  );
}
