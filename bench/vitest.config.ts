import { defineConfig } from 'vitest/config';

// The root `unit` project runs these too (and so CI); this lets `pnpm --filter @rotation/bench test` run them alone.
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
