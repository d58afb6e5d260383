import type { AdapterSummary } from './webgpu-probe';

/** The tfjs backends training can run on, in the order they are tried. */
export type BackendName = 'webgpu' | 'webgl' | 'cpu';

/** Where a worker's trials run, as it reports it: the backend that started and why others were passed over. */
export interface BackendInfo {
  backend: BackendName;
  /** The WebGPU adapter, when there is one (even if another backend was chosen). */
  adapter?: AdapterSummary;
  /** Why the preferred backends were passed over, for the page to say. */
  notes: string[];
}
