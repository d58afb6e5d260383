import { probeRegexes as probe } from '../../lib/metrics';
import { spawnRegexProbe } from '../../../workers/spawn';

/**
 * The regexes among these that are not safe to run on the page, each with the reason: timed in a
 * worker that is killed when one runs on. For anything that brings metric regexes from outside
 * (share links, imported jobs).
 */
export function probeRegexes(regexes: Iterable<string>): Promise<Map<string, string>> {
  return probe(regexes, {
    start: async () => {
      const connection = spawnRegexProbe();
      try {
        await connection.api.ready();
      } catch (error) {
        connection.terminate();
        throw error;
      }
      return { time: (source) => connection.api.time(source), kill: () => connection.terminate() };
    },
  });
}
