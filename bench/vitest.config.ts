import { defineConfig } from 'vitest/config';

// The root projects do not cover bench/; `pnpm --filter @rotation/bench test` runs these.
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
