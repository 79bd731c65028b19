import { z } from 'zod';

// The self-contained browser bundle carries its own zod, and pages often run under a CSP
// without 'unsafe-eval'. zod probes `new Function('')` to decide whether to compile its parsers;
// the probe fails safely but is reported as a CSP violation, and it runs when the schemas are
// defined, so this module is imported before anything that defines one (see bundle.ts).
z.config({ jitless: true });
