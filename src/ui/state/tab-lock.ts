/**
 * One tab per job. The tab that runs a job holds the Web Lock `tabtune-job-<id>` until the job
 * ends (a closed or crashed tab releases it); another tab asks for it with `ifAvailable` and is
 * refused. Holders answer on the `tabtune-jobs` BroadcastChannel when they opened the job, so the
 * refused tab can say "running in another tab (opened at 14:05)".
 */
const CHANNEL = 'tabtune-jobs';
const lockName = (jobId: string) => `tabtune-job-${jobId}`;

/** Jobs this tab holds, with when it opened them. */
const held = new Map<string, number>();
let channel: BroadcastChannel | undefined;

type Message = { type: 'who'; jobId: string } | { type: 'holder'; jobId: string; openedAt: number };

function answerQuestions(): void {
  if (channel || typeof BroadcastChannel === 'undefined') return;
  channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<Message>) => {
    const message = event.data;
    const openedAt = message?.type === 'who' ? held.get(message.jobId) : undefined;
    if (openedAt !== undefined) channel!.postMessage({ type: 'holder', jobId: message.jobId, openedAt } satisfies Message);
  };
}

/**
 * Takes the job's lock and keeps it until `until` settles; false, at once, when another tab holds
 * it. Without the Web Locks API every tab may run it (true).
 */
export function claimJob(jobId: string, until: Promise<unknown>): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    void locks
      .request(lockName(jobId), { ifAvailable: true }, async (lock) => {
        if (!lock) {
          resolve(false);
          return;
        }
        held.set(jobId, Date.now());
        answerQuestions();
        resolve(true);
        try {
          await until;
        } catch {
          // The job's end, however it came, releases the lock.
        } finally {
          held.delete(jobId);
        }
      })
      .catch(() => resolve(true));
  });
}

/** Whether another tab (or this one) holds the job's lock now. */
export async function jobHeld(jobId: string): Promise<boolean> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return false;
  const state = await locks.query();
  return (state.held ?? []).some((lock) => lock.name === lockName(jobId));
}

/** When the tab holding the job opened it, as its holder answers; undefined when none answers in time. */
export function askHolder(jobId: string, timeoutMs = 1000): Promise<number | undefined> {
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(undefined);
  const asking = new BroadcastChannel(CHANNEL);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    function finish(openedAt: number | undefined) {
      clearTimeout(timer);
      asking.close();
      resolve(openedAt);
    }
    asking.onmessage = (event: MessageEvent<Message>) => {
      if (event.data?.type === 'holder' && event.data.jobId === jobId) finish(event.data.openedAt);
    };
    asking.postMessage({ type: 'who', jobId } satisfies Message);
  });
}

/** "This job is running in another tab (opened at 14:05)." */
export function runningElsewhereMessage(openedAt: number | undefined): string {
  if (openedAt === undefined) return 'This job is running in another tab.';
  const time = new Date(openedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `This job is running in another tab (opened at ${pad(time.getHours())}:${pad(time.getMinutes())}).`;
}
