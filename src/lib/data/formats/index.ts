/** CIFAR-10 readers for the binary batches, the binary tar.gz and the Hugging Face parquet files. */
export { readCifarFiles, layoutOf, type CifarLayout } from './read-cifar';
export { readBinaryBatches } from './binary-files';
export { decodeBinaryBatch, batchRole, RECORD_BYTES, OFFICIAL_RECORDS_PER_BATCH } from './binary-batch';
export { readCifarTarGz, readCifarTarGzBatches, type TarBatch } from './cifar-tar';
export { readCifarParquet, parquetSplit } from './cifar-parquet';
export { decodePngInto } from './png';
export { CifarFormatError } from './errors';
export type { CheckedDataset, CifarData, CifarFile, CifarProgress, CifarReadOptions, ProgressCallback } from './types';
