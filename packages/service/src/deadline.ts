/** How a bounded stop ended: `deadline` when the bound passed first and the rest was abandoned. */
export type StopOutcome = 'clean' | 'deadline';

/**
 * `work`'s own end, or 'deadline' once `ms` passed first. The work is not cancelled: the caller
 * drops its connections (which fails what is still waiting on them) and exits.
 */
export async function withDeadline(work: Promise<unknown>, ms: number): Promise<StopOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<StopOutcome>((resolve) => (timer = setTimeout(() => resolve('deadline'), ms)));
  try {
    return await Promise.race([work.then((): StopOutcome => 'clean'), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
