/**
 * Asks a slow question again when its inputs change, debounced, with never more than one
 * request in flight: a change while one is running is remembered and asked once it returns,
 * with the latest inputs. Answers arrive in order and none after `dispose()`.
 */
export class LatestRequest<Args, Answer> {
  private timer?: ReturnType<typeof setTimeout>;
  private running = false;
  private queued?: { args: Args };
  private disposed = false;

  constructor(
    private readonly ask: (args: Args) => Promise<Answer>,
    private readonly answer: (value: Answer, args: Args) => void,
    private readonly delayMs = 250,
  ) {}

  /** Asks with `args` after the delay, unless asked again meanwhile. */
  request(args: Args): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(args), this.delayMs);
  }

  get pending(): boolean {
    return this.running || this.timer !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.queued = undefined;
  }

  private start(args: Args): void {
    this.timer = undefined;
    if (this.running) {
      this.queued = { args };
      return;
    }
    this.running = true;
    void this.ask(args)
      .then(
        (value) => {
          if (!this.disposed) this.answer(value, args);
        },
        // A question that fails (the tuner gone) leaves the last answer shown; the next change asks again.
        () => {},
      )
      .finally(() => {
        this.running = false;
        const next = this.queued;
        this.queued = undefined;
        if (next && !this.disposed) this.start(next.args);
      });
  }
}
