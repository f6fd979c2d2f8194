// A request's deadline (REQUEST_TIMEOUT_MS), shared by the HTTP layer, which answers 503 when
// it passes, and the command runner, which must then never commit. Both sides change the state
// synchronously, so exactly one of two things happens: the command commits and its answer is
// sent (perhaps a little late), or the client gets 503 and nothing was recorded.

export class DeadlineExceeded extends Error {
  constructor(message = 'The request did not finish in time; nothing was recorded. Retry in a moment.') {
    super(message);
    this.name = 'DeadlineExceeded';
  }
}

export class Deadline {
  private state: 'running' | 'committing' | 'expired' = 'running';

  constructor(readonly at: number) {}

  static after(ms: number, now = Date.now()): Deadline {
    return new Deadline(now + ms);
  }

  get expired(): boolean {
    return this.state === 'expired';
  }

  /** Milliseconds left, never below 1 (to bound a database wait with it). */
  remainingMs(now = Date.now()): number {
    return Math.max(1, this.at - now);
  }

  /**
   * The deadline passed. Returns true when the caller may answer 503 now: no commit is under
   * way and none can start. While a commit is under way it returns false: its answer follows.
   */
  expire(): boolean {
    if (this.state === 'committing') return false;
    this.state = 'expired';
    return true;
  }

  /** Called just before a transaction commits; throws (so it rolls back) once the deadline has passed. */
  beginCommit(): void {
    if (this.state === 'expired' || Date.now() > this.at) {
      this.state = 'expired';
      throw new DeadlineExceeded();
    }
    this.state = 'committing';
  }

  /** The commit ended (either way): the request runs on, e.g. into a retry. */
  endCommit(): void {
    if (this.state === 'committing') this.state = 'running';
  }
}
