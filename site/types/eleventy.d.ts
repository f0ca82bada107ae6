/**
 * The part of Eleventy 3's programmatic API that site/build.ts and site/serve.ts use. Eleventy
 * ships no type declarations for its main entry (only JSDoc for `@11ty/eleventy/UserConfig`).
 */
declare module '@11ty/eleventy' {
  export interface EleventyOptions {
    quietMode?: boolean;
    configPath?: string | false;
    pathPrefix?: string;
    runMode?: 'build' | 'serve' | 'watch';
    config?: (eleventyConfig: any) => void | Promise<void>;
  }

  export default class Eleventy {
    /** The running Eleventy's version, e.g. `3.1.2`. */
    static getVersion(): string;
    constructor(input?: string, output?: string, options?: EleventyOptions);
    init(): Promise<void>;
    /** Silences every log line, including the final "Wrote N files" one. */
    disableLogger(): void;
    /** Resolves to [passthroughCopyResults, templateResults]. */
    write(): Promise<unknown[]>;
    /** Renders every template without writing anything (output mode `json`): the rendered pages. */
    toJSON(): Promise<unknown[]>;
    watch(): Promise<unknown>;
    serve(port?: number): Promise<void>;
    stopWatch(): Promise<void>;
  }
}
