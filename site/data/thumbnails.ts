import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { ImageOptions } from '@11ty/eleventy-img';
import { writeFileAtomic } from '../output/atomic.js';
import { outputPath } from '../output/manifest.js';
import { sitePaths } from '../render/links.js';

/**
 * Photo thumbnails: archive pages show a photo as a small WebP (`media/thumbs/<sha256>-640.webp`,
 * made with @11ty/eleventy-img) that links to the file itself, with width and height attributes so
 * that nothing moves as it loads. Multi-megabyte originals are never laid out inline.
 *
 * Each is made once per media hash: a build that finds it in the output folder reads its size and
 * does not encode it again (incremental rebuilds, and full builds into an existing folder). The
 * bytes depend only on the photo and the settings below (same libvips, same bytes: measured),
 * and the file is renamed into place (output/atomic.ts), so the two threads that write archive
 * pages may both make one without a reader ever seeing half a file.
 *
 * A photo sharp cannot or should not decode — not a raster signature this module knows (an SVG
 * called .png), truncated, more than PIXEL_LIMIT pixels — has no thumbnail: pages link the file.
 */

/** Largest width and height shown on a page (CSS px): the `width`/`height` attributes. */
export const DISPLAY_BOX = 320;
// The file is at most twice that: sitePaths.thumbnail names it by THUMBNAIL_BOX (640).
/** Larger than any photo a phone takes by default (12–50 MP); a 50 MP PNG decodes in ~200 MB. */
export const PIXEL_LIMIT = 50_000_000;
const WEBP = { quality: 72 };

/** The size a page shows a thumbnail at. */
export interface Thumbnail {
  width: number;
  height: number;
}

/** Raster formats browsers and sharp both read, by their first bytes. */
function rasterSignature(data: Buffer): boolean {
  const ascii = (from: number, to: number): string => data.toString('latin1', from, to);
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return true; // JPEG
  if (data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a) return true; // PNG
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return true;
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return true;
  return ascii(4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(8, 12)); // AVIF
}

/** `width`×`height` scaled down (never up) to fit a `box`×`box` square, at least 1 px each way. */
function fitInBox(width: number, height: number, box: number): Thumbnail {
  const scale = Math.min(1, box / width, box / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The thumbnail file's size for a photo of this size: what the page shows (DISPLAY_BOX), twice
 * that when the photo has the pixels (sharp screens). Exactly 1× or 2×, so that the page's width
 * and height attributes have the file's own aspect ratio: not even a pixel moves when it loads.
 */
export function thumbnailSize(width: number, height: number): Thumbnail {
  const shown = fitInBox(width, height, DISPLAY_BOX);
  const k = width >= 2 * shown.width && height >= 2 * shown.height ? 2 : 1;
  return { width: shown.width * k, height: shown.height * k };
}

/** What a page shows a thumbnail file of this size at: the inverse of thumbnailSize. */
export function shownSize(width: number, height: number): Thumbnail {
  return Math.max(width, height) > DISPLAY_BOX ? { width: width / 2, height: height / 2 } : { width, height };
}

type Sharp = typeof import('sharp');
type ImageFn = typeof import('@11ty/eleventy-img').default;
let tools: Promise<{ sharp: Sharp; image: ImageFn }> | null = null;

/**
 * sharp as eleventy-img's own dependency (the package does not depend on sharp directly), and
 * eleventy-img, loaded on first use: a site without photos never loads libvips. On glibc, sharp
 * must be loaded on the main thread before a worker thread loads it (sharp's install notes: the
 * shared libraries must outlive the worker), so render/archive-threads.ts calls this first.
 */
export function imageTools(): Promise<{ sharp: Sharp; image: ImageFn }> {
  tools ??= (async () => {
    const require = createRequire(import.meta.url);
    const sharp = createRequire(require.resolve('@11ty/eleventy-img'))('sharp') as Sharp;
    const image = (await import('@11ty/eleventy-img')).default;
    return { sharp, image };
  })();
  return tools;
}

/** The thumbnail of these photo bytes as WebP, or null when it should not or cannot be made. */
export async function encodeThumbnail(data: Buffer): Promise<Buffer | null> {
  if (data.length < 12 || !rasterSignature(data)) return null;
  const { sharp, image } = await imageTools();
  try {
    const meta = await sharp(data).metadata();
    // The header's size, checked before anything is decoded (sharp checks again as it decodes),
    // turned as the camera meant it (EXIF orientations 5–8 swap width and height), as the
    // thumbnail will be.
    if (!meta.width || !meta.height || meta.width * meta.height > PIXEL_LIMIT) return null;
    const turned = (meta.orientation ?? 1) >= 5;
    const width = turned ? meta.height : meta.width;
    const height = turned ? meta.width : meta.height;
    const size = thumbnailSize(width, height);
    const stats = await image(data, {
      widths: [size.width],
      // eleventy-img resizes by width and rounds the height: both are set here (fill: the aspect
      // changes by less than a pixel), so they are exactly what the page says.
      transform: (sharpImage) => {
        sharpImage.resize(size.width, size.height, { fit: 'fill' });
      },
      formats: ['webp'],
      formatFiltering: [],
      fixOrientation: true,
      dryRun: true,
      useCache: false, // its cache keys a Buffer by its whole text; every hash is made once anyway
      failOnError: true,
      // failOn 'warning': a truncated JPEG is an error, not a photo with a grey lower half.
      sharpOptions: { limitInputPixels: PIXEL_LIMIT, failOn: 'warning', animated: false },
      sharpWebpOptions: WEBP,
    } satisfies ImageOptions);
    return stats.webp?.[0]?.buffer ?? null;
  } catch {
    return null;
  }
}

/** Width and height of an image file or buffer, or null if it is not one sharp reads. */
async function imageSize(input: string | Buffer): Promise<Thumbnail | null> {
  const { sharp } = await imageTools();
  try {
    const { width, height } = await sharp(input).metadata();
    return width && height ? { width, height } : null;
  } catch {
    return null;
  }
}

/**
 * The thumbnails of one build (one per thread: the worker has its own): made or found once per
 * hash, then looked up synchronously while pages render. Each one a page shows joins `written`
 * (the output's manifest), so that a later build removes it when no published page shows it.
 */
export class Thumbnails {
  /** hash → display size, or null: no thumbnail (the page links the file). */
  private readonly known = new Map<string, Thumbnail | null>();

  constructor(
    private readonly mediaData: (hash: string) => Buffer | undefined,
    private readonly written: Set<string>,
  ) {}

  /** Known after prepare(); undefined for a photo not prepared (feeds show the file itself). */
  get(hash: string): Thumbnail | null | undefined {
    return this.known.get(hash);
  }

  /** Makes or finds the thumbnails of these photos in `outputDir`; null when all are known. */
  prepare(outputDir: string, hashes: Iterable<string>): Promise<void> | null {
    const todo = [...new Set(hashes)].filter((hash) => !this.known.has(hash));
    return todo.length ? this.make(outputDir, todo) : null;
  }

  private async make(outputDir: string, hashes: string[]): Promise<void> {
    // One at a time: each decode holds a photo in memory, and the other core renders pages.
    // Measured: ~0.4 s per 12 MP JPEG on a busy 2-core machine; finding one made before, ~1 ms.
    for (const hash of hashes) {
      const file = resolve(outputDir, sitePaths.thumbnail(hash));
      const path = outputPath(outputDir, file);
      let size = path ? await imageSize(file) : null;
      if (path && !size) {
        const data = this.mediaData(hash);
        const bytes = data ? await encodeThumbnail(data) : null;
        if (bytes) {
          mkdirSync(dirname(file), { recursive: true });
          writeFileAtomic(file, bytes);
          size = await imageSize(bytes);
        }
      }
      if (path && size) this.written.add(path);
      this.known.set(hash, size && shownSize(size.width, size.height));
    }
  }
}
