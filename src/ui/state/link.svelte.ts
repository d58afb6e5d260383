import { decodeJobLink, encodeJobLink } from '../../lib/config/link';
import type { JobForm } from './form.svelte';
import { formToTyped } from './form-model';
import { throttle } from './throttle';

/** The address bar changes at most this often while the user types (`history.replaceState`). */
export const HASH_INTERVAL_MS = 300;

/**
 * The share link: the form as typed, in the page's own address after `#` (`lib/config/link.ts`).
 * Reads a link when the page opens (and when the user changes the part after `#`), and keeps the
 * address in step with the form without adding to the history.
 */
export class ShareLink {
  /** What could not be read from the link the page opened with; empty when it read whole. */
  problems = $state<string[]>([]);
  private readonly form: JobForm;
  /** The part after `#` that holds the form. */
  readonly fragment: string;
  private written: string | undefined;
  private readonly writer = throttle((fragment: string) => {
    this.written = fragment;
    if (location.hash !== `#${fragment}`) history.replaceState(history.state, '', `#${fragment}`);
  }, HASH_INTERVAL_MS);

  constructor(form: JobForm) {
    this.form = form;
    this.fragment = $derived(encodeJobLink(formToTyped(form.data)));
  }

  /** The page's address (any sub-path, any query) with this job after `#`. */
  get url(): string {
    return `${location.href.split('#')[0]}#${this.fragment}`;
  }

  /** Fills the form from the address's `#` part, if it holds anything; its regexes are timed before the page runs them. */
  open(hash: string = location.hash): void {
    const reading = decodeJobLink(hash);
    if (!reading) return;
    this.written = hash.replace(/^#/, '');
    this.form.loadTyped(reading.job);
    this.problems = reading.problems;
    void this.form.checkOutsideRegexes(reading.job.metrics.map((m) => m.regex));
  }

  /** A change to the address the page did not make: the user pasted or edited a link in this tab. */
  hashChanged(): void {
    if (location.hash.replace(/^#/, '') !== this.written) this.open();
  }

  /** Called on every change of the form (from an effect): the address follows, throttled. */
  follow(): void {
    this.writer.push(this.fragment);
  }

  dispose(): void {
    this.writer.cancel();
  }
}
