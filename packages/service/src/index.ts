export { parseServiceCli, withUsageExitCodes, envHelp, type ServiceCliSpec } from './cli.js';
export { withDeadline, type StopOutcome } from './deadline.js';
export { ExitCode, EXIT_CODES_HELP } from './exit-codes.js';
export { listenOnFirstFree, portsToTry } from './listen.js';
export { registerProcessMetrics } from './process-metrics.js';
export { runService, onStopSignals, type ServiceSpec } from './run.js';
export { signalGate, SAME_SIGNAL_MS, type SignalMeaning } from './signals.js';
