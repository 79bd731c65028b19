/**
 * How much of the chaos suite runs: CI runs a representative subset so `pnpm test` fits its
 * budget on two cores; CHAOS_FULL=1 runs every seed (read through @rotation/config, the one
 * reader of the environment).
 */
import { loadTestEnv } from '@rotation/config';

const full = loadTestEnv().CHAOS_FULL;

export function chaosFull(): boolean {
  return full;
}

/** The CI seeds, or all of them with CHAOS_FULL=1. */
export function chaosSeeds(ci: number[], all: number[]): number[] {
  return full ? all : ci;
}
