import type { CifarProgress, ProgressCallback } from './types';

/** Accumulates counts across files so one callback sees totals for the whole load. */
export class ProgressTracker {
  private bytes = 0;
  private images = 0;
  totalBytes: number | undefined;
  totalImages: number | undefined;
  file = '';

  constructor(private readonly callback: ProgressCallback | undefined) {}

  addBytes(n: number): void {
    this.bytes += n;
    this.report();
  }

  addImages(n: number): void {
    this.images += n;
    this.report();
  }

  private report(): void {
    if (!this.callback) return;
    const progress: CifarProgress = {
      file: this.file,
      bytes: this.bytes,
      totalBytes: this.totalBytes,
      images: this.images,
      totalImages: this.totalImages,
    };
    this.callback(progress);
  }
}
