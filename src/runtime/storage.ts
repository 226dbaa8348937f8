/** Storage from config: an S3-compatible bucket when S3_BUCKET is set, else a local directory. */
import type { Config } from '../config.js';
import { createLocalStorage, type VideoStorage } from '../storage/index.js';

export async function createStorage(config: Config): Promise<VideoStorage> {
  if (config.env.S3_BUCKET) {
    const { createS3Storage } = await import('../storage/s3.js');
    return createS3Storage({
      bucket: config.env.S3_BUCKET,
      region: config.env.S3_REGION,
      ...(config.env.S3_ENDPOINT ? { endpoint: config.env.S3_ENDPOINT } : {}),
      forcePathStyle: config.env.S3_FORCE_PATH_STYLE,
      // Explicit keys when configured (config rejects half a pair); else the AWS SDK's default chain.
      ...(config.env.S3_ACCESS_KEY_ID && config.env.S3_SECRET_ACCESS_KEY
        ? {
            credentials: {
              accessKeyId: config.env.S3_ACCESS_KEY_ID,
              secretAccessKey: config.env.S3_SECRET_ACCESS_KEY,
            },
          }
        : {}),
    });
  }
  return createLocalStorage({ dir: config.archiveDir });
}
