/**
 * One running turn per session: runs of a session queue in acceptance order (the official
 * `followup` queue mode), runs of different sessions run side by side. Scheduling only; what
 * happened is in the journal.
 */
export class SessionLanes {
  private readonly lanes = new Map<string, { holder: string; queue: Array<{ runId: string; grant: () => void }> }>();

  /** Calls `grant` (asynchronously) once `runId` holds the lane of `sessionKey`. */
  request(sessionKey: string, runId: string, grant: () => void): void {
    const lane = this.lanes.get(sessionKey);
    if (!lane) {
      this.lanes.set(sessionKey, { holder: runId, queue: [] });
      queueMicrotask(grant);
      return;
    }
    lane.queue.push({ runId, grant });
  }

  /** Gives up the lane (or the place in its queue); the next run in line gets it. */
  release(sessionKey: string, runId: string): void {
    const lane = this.lanes.get(sessionKey);
    if (!lane) return;
    if (lane.holder !== runId) {
      lane.queue = lane.queue.filter((waiting) => waiting.runId !== runId);
      return;
    }
    const next = lane.queue.shift();
    if (!next) {
      this.lanes.delete(sessionKey);
      return;
    }
    lane.holder = next.runId;
    queueMicrotask(next.grant);
  }

  /** Runs waiting behind the holder of `sessionKey`. */
  queued(sessionKey: string): number {
    return this.lanes.get(sessionKey)?.queue.length ?? 0;
  }
}
