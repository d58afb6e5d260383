/// <reference lib="webworker" />
import { sampleLines, timeRegex } from '../src/lib/metrics';
import { exposeToPage } from './expose';

/** Times metric regexes away from the page, which kills this worker when one runs on (`probeRegexes`). */
const api = {
  ready(): true {
    return true;
  },
  /** The slowest sample line's time in ms. */
  time(source: string): number {
    return timeRegex(source, sampleLines(source));
  },
};

export type RegexProbeApi = typeof api;

exposeToPage(api);
