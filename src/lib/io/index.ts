export * from './types';
export * from './export-json';
export * from './export-csv';
export * from './detect';
export * from './names';
export { readTuningJob, readTrainingJobPages } from './sagemaker';
export { readTabTuneExport } from './read-tabtune';
export { unquote } from './quoting';
