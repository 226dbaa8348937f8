/**
 * Result URLs and how their bytes go out. A URL is `<base>/files/<token>.<ext>`: the token maps to a
 * file (task + variant + result index) and an expiry, so the same file can have several URLs with
 * different lifetimes (record-info's, and fresh ones from /common/download-url). An expired URL
 * answers 403.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseRangeHeader } from '../storage/byte-range.js';
import type { ImageFormat, Media } from './media.js';
import type { Random } from './prng.js';
import type { VideoVariant } from './types.js';

/** A video (Veo's variants; Sora's watermarked copy) or an image in one format. */
export type FileVariant = VideoVariant | 'watermarked' | ImageFormat;

/** Each variant's URL extension (KIE's own result URLs end in .mp4, .png, .jpg, .webp). */
export const FILE_EXTENSIONS: Readonly<Record<FileVariant, string>> = {
  original: 'mp4',
  '1080p': 'mp4',
  '4k': 'mp4',
  watermarked: 'mp4',
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
};

export const isImageVariant = (v: FileVariant): v is ImageFormat =>
  v === 'png' || v === 'jpeg' || v === 'webp';

export interface FileEntry {
  token: string;
  taskId: string;
  variant: FileVariant;
  /** Which of the task's results (a Market task may make several images); 0 for the first. */
  index: number;
  expiresAt: number;
}

export interface FileStore {
  mint(taskId: string, variant: FileVariant, ttlMs: number, from?: number, index?: number): string;
  /** The entry behind a URL this simulator minted (expired or not), else undefined. */
  fromUrl(url: string): FileEntry | undefined;
  byToken(token: string): FileEntry | undefined;
  /** A URL with this server's shape whose token was never minted (stale callbacks point at these). */
  bogusUrl(variant: FileVariant): string;
}

export const FILE_PATH = /^\/files\/([0-9a-f]{32})\.(mp4|jpg|png|webp)$/;

export function createFileStore(baseUrl: () => string, rng: Random): FileStore {
  const files = new Map<string, FileEntry>();
  return {
    mint(taskId, variant, ttlMs, from = Date.now(), index = 0) {
      const token = rng.hex(32);
      files.set(token, { token, taskId, variant, index, expiresAt: from + ttlMs });
      return `${baseUrl()}/files/${token}.${FILE_EXTENSIONS[variant]}`;
    },
    fromUrl(url) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return undefined;
      }
      if (u.origin !== new URL(baseUrl()).origin) return undefined;
      const m = FILE_PATH.exec(u.pathname);
      return m ? files.get(m[1]!) : undefined;
    },
    byToken: (token) => files.get(token),
    bogusUrl: (variant) => `${baseUrl()}/files/${rng.hex(32)}.${FILE_EXTENSIONS[variant]}`,
  };
}

export interface SendOptions {
  /** truncate: announce the full length, send half, then cut the connection. */
  mode: 'normal' | 'truncate' | 'slow';
  bytesPerSec: number;
  sleep: (ms: number) => Promise<void>;
}

/** Writes with backpressure; false when the client went away. */
async function write(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Sends `media` honouring Range; returns once the body is out (or cut). */
export async function sendMedia(
  req: IncomingMessage,
  res: ServerResponse,
  media: Media,
  opts: SendOptions,
): Promise<void> {
  const range = parseRangeHeader(req.headers.range, media.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${media.size}`, 'content-type': 'text/plain' });
    res.end('Range Not Satisfiable');
    return;
  }
  // Inclusive offsets in the header, an exclusive end for the chunks below.
  const start = range?.start ?? 0;
  const end = range ? range.end + 1 : media.size;
  res.writeHead(range ? 206 : 200, {
    'content-type': media.contentType,
    'content-length': String(end - start),
    'accept-ranges': 'bytes',
    ...(range ? { 'content-range': `bytes ${start}-${end - 1}/${media.size}` } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }

  const stopAt = opts.mode === 'truncate' ? start + Math.floor((end - start) / 2) : end;
  if (opts.mode === 'slow') {
    // Paced in 100 ms ticks, so a test can watch progress (and heartbeats) on a small file.
    const perTick = Math.max(1, Math.ceil(opts.bytesPerSec / 10));
    for (let p = start; p < stopAt; p += perTick) {
      for (const chunk of media.chunks(p, Math.min(stopAt, p + perTick))) {
        if (!(await write(res, chunk))) return;
      }
      if (p + perTick < stopAt) await opts.sleep(100);
    }
  } else {
    for (const chunk of media.chunks(start, stopAt)) {
      if (!(await write(res, chunk))) return;
    }
  }
  if (opts.mode === 'truncate') {
    // Flush what was written, then drop the connection short of Content-Length.
    await new Promise<void>((resolve) => res.write(Buffer.alloc(0), () => resolve()));
    res.destroy();
    return;
  }
  res.end();
}
