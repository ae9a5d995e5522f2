/** The pending-work step's result when gold reflects every bronze load: nothing to transform. */
export const NOTHING_PENDING = {
  kind: 'pending-work',
  hasWork: false,
  unclaimedLoads: 0,
  pendingDays: 0,
  unfoldedBatches: 0,
  oldestPendingLoadAt: null,
} as const;

/** The pending-work step's result when one load, loaded at `loadedAt` (ISO-8601), is all gold lacks. */
export function oneLoadPending(loadedAt: string) {
  return {
    kind: 'pending-work',
    hasWork: true,
    unclaimedLoads: 1,
    pendingDays: 0,
    unfoldedBatches: 0,
    oldestPendingLoadAt: loadedAt,
  } as const;
}
