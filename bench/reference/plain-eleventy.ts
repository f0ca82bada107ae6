import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePlainRecordsJson, type CorpusOptions } from '../corpus.js';
import { runMeasured, type Measured } from '../measure.js';
import { eleventyCli } from '../package-paths.js';

/**
 * docs/design.md's "plain Eleventy site" reference: every message in one global JSON data file and a
 * Nunjucks template paginating it 100 per page, built by the Eleventy CLI in a child process so its
 * time and peak memory are measured from outside. Our site build is compared against it.
 */
export const MESSAGES_PER_PAGE = 100;

export interface PlainEleventyProject {
  projectDir: string;
  inputDir: string;
  outputDir: string;
  messages: number;
  dataBytes: number;
}

export interface PlainEleventyBuild {
  project: PlainEleventyProject;
  wallMs: number;
  peakRssBytes: number | null;
  /** HTML pages written (one per 100 messages). */
  pages: number;
  measured: Measured;
}

export interface PlainEleventyOptions {
  /** Defaults to a fresh /tmp/bench-plain-eleventy-* folder. */
  projectDir?: string;
  /** Node heap limit for the Eleventy process (a 1M-message build needs more than the default on small machines). */
  maxOldSpaceMb?: number;
  timeoutMs?: number;
}

/** Writes the reference project: `src/_data/messages.json` and the pagination template (no config). */
export async function preparePlainEleventyProject(corpus: CorpusOptions, projectDir?: string): Promise<PlainEleventyProject> {
  const dir = projectDir ?? (await mkdtemp(join(tmpdir(), 'bench-plain-eleventy-')));
  const inputDir = join(dir, 'src');
  await mkdir(join(inputDir, '_data'), { recursive: true });
  const data = await writePlainRecordsJson(join(inputDir, '_data', 'messages.json'), corpus);
  await writeFile(join(inputDir, 'messages.njk'), PAGINATION_TEMPLATE);
  return { projectDir: dir, inputDir, outputDir: join(dir, '_site'), messages: data.messages, dataBytes: data.bytes };
}

/**
 * The error Eleventy reports, from its stderr: the line after its "Problem writing…" or "Fatal
 * Error" heading (at 5M messages: V8's string limit, the global JSON file being over 512 MiB), not
 * the stack trace's tail.
 */
export function eleventyError(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.replace(/^\[11ty\]\s*/, '').trim());
  const heading = lines.findIndex((line) => /^(Problem writing Eleventy templates|Eleventy Fatal Error)/.test(line));
  const after = heading >= 0 ? lines.slice(heading + 1).find((line) => line !== '') : undefined;
  return after ?? lines.filter((line) => line !== '' && !line.startsWith('at ')).pop() ?? '';
}

/** Builds a prepared project with the Eleventy CLI, measured. Throws if Eleventy fails. */
export async function buildPlainEleventyProject(project: PlainEleventyProject, options: PlainEleventyOptions = {}): Promise<PlainEleventyBuild> {
  const nodeArgs = options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : [];
  const measured = await runMeasured(process.execPath, [...nodeArgs, eleventyCli(), '--quiet', `--input=${project.inputDir}`, `--output=${project.outputDir}`], {
    cwd: project.projectDir,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  if (measured.code !== 0) {
    const cause = eleventyError(measured.stderr);
    throw new Error(`Eleventy failed (${measured.signal ?? `exit ${measured.code}`})${cause ? `: ${cause}` : ''}\n${measured.stderr.slice(-2000)}`);
  }
  const pages = await countFiles(join(project.outputDir, 'page'), (name) => name.endsWith('.html'));
  return { project, wallMs: measured.wallMs, peakRssBytes: measured.peakRssBytes, pages, measured };
}

/** Prepares and builds the reference site for a corpus. */
export async function runPlainEleventyReference(corpus: CorpusOptions, options: PlainEleventyOptions = {}): Promise<PlainEleventyBuild> {
  return buildPlainEleventyProject(await preparePlainEleventyProject(corpus, options.projectDir), options);
}

async function countFiles(dir: string, accept: (name: string) => boolean): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile() && accept(entry.name)).length;
}

// Eleventy reserves `page`, hence the `batch` alias. `escape` is explicit (and idempotent under
// autoescape) so the reference pays for escaping as our site does. The time stays in milliseconds:
// a date filter would add a config file and per-message work the design's reference does not have.
// Pagefind, run over this site as a stand-in, skips the times: 100k unique 13-digit numbers would
// double its word count with tokens nobody searches for.
const PAGINATION_TEMPLATE = `---
pagination:
  data: messages
  size: ${MESSAGES_PER_PAGE}
  alias: batch
permalink: "page/{{ pagination.pageNumber + 1 }}/index.html"
---
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Messages, page {{ pagination.pageNumber + 1 }}</title></head>
<body>
<h1>Messages, page {{ pagination.pageNumber + 1 }} of {{ pagination.pages.length }}</h1>
<ol>
{%- for m in batch %}
<li><b>{{ m.author | escape }}</b> <time data-pagefind-ignore>{{ m.time }}</time><p>{{ m.text | escape }}</p></li>
{%- endfor %}
</ol>
</body>
</html>
`;
