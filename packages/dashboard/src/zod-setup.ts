import { z } from 'zod';

// The page runs under a CSP without 'unsafe-eval'. zod probes `new Function('')` to decide whether
// to compile its parsers; the probe fails safely but is reported as a violation, and it runs when
// the schemas are defined, so this module is imported before anything that defines one.
z.config({ jitless: true });
