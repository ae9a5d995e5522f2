/** The pending-work step's result when gold reflects every bronze load: nothing to transform. */
export const NOTHING_PENDING = {
  kind: 'pending-work',
  hasWork: false,
  unclaimedLoads: 0,
  pendingDays: 0,
  unfoldedBatches: 0,
  oldestPendingLoadAt: null,
} as const;
