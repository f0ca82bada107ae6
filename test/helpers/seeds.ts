import { randomInt } from 'node:crypto';
import fc from 'fast-check';

/**
 * The seeds a property test runs: a fixed set, so a failure in CI is reproduced by anyone, plus
 * one random seed printed with the test's name, so every run also explores something new.
 * `CC_SEED=N` replaces the random one (to replay a printed failure); `CC_SEEDS=fixed` leaves it out.
 * `extra`: seeds that once found a defect in this test, kept so that it stays found.
 *
 *   for (const seed of propertySeeds(t)) fc.assert(prop, { seed, numRuns });
 */
export const FIXED_SEEDS: readonly number[] = [1, 42, 20261206];

export function propertySeeds(t: { diagnostic(message: string): void; name: string }, extra: readonly number[] = []): number[] {
  const fixed = [...new Set([...FIXED_SEEDS, ...extra])];
  if (process.env.CC_SEEDS === 'fixed') return fixed;
  const random = Number(process.env.CC_SEED) || randomInt(1, 2 ** 31 - 1);
  t.diagnostic(`random seed ${random} (replay: CC_SEED=${random} node --test … --test-name-pattern "${t.name}")`);
  return [...fixed, random];
}

export type SeedContext = Parameters<typeof propertySeeds>[0];

/** fc.assert once per seed of propertySeeds(t). */
export function assertProperty<Ts extends [unknown, ...unknown[]]>(t: SeedContext, property: fc.IProperty<Ts>, params: fc.Parameters<Ts> = {}, extra: readonly number[] = []): void {
  for (const seed of propertySeeds(t, extra)) fc.assert(property, { ...params, seed });
}

export async function assertAsyncProperty<Ts extends [unknown, ...unknown[]]>(t: SeedContext, property: fc.IAsyncProperty<Ts>, params: fc.Parameters<Ts> = {}): Promise<void> {
  for (const seed of propertySeeds(t)) await fc.assert(property, { ...params, seed });
}
