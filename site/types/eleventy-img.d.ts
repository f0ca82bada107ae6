/** The part of @11ty/eleventy-img's API that site/data/thumbnails.ts uses (it ships no declarations). */
declare module '@11ty/eleventy-img' {
  export interface ImageStat {
    format: string;
    width: number;
    height: number;
    size: number;
    /** With `dryRun: true`: the encoded file. */
    buffer?: Buffer;
  }

  export interface ImageOptions {
    widths?: (number | 'auto' | null)[];
    formats?: string[];
    formatFiltering?: string[];
    dryRun?: boolean;
    useCache?: boolean;
    failOnError?: boolean;
    fixOrientation?: boolean;
    sharpOptions?: Record<string, unknown>;
    sharpWebpOptions?: Record<string, unknown>;
    /** Runs on the sharp instance before encoding; a resize here replaces eleventy-img's own. */
    transform?: (sharp: import('sharp').Sharp) => void | Promise<void>;
  }

  export default function Image(src: string | Buffer, options?: ImageOptions): Promise<Record<string, ImageStat[]>>;
}
