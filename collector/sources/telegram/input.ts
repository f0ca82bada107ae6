import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { JsonScanError } from '../kit/json/scanner.js';
import { SourceError } from '../types.js';
import { isFile, statInput } from '../kit/files.js';

/** The result.json an import reads, and how its errors and warnings name places in it. */
export interface ExportInput {
  /** The path named in errors (what the user gave). */
  file: string;
  /** Prefix for positions, `result.json ` when the user named the folder. */
  where: string;
  /** The folder file paths in the export are relative to. */
  root: string;
  fh: FileHandle;
  size: number;
}

/** Opens result.json, or the file itself when the user named it. */
export async function openInput(path: string): Promise<ExportInput> {
  const info = await statInput(path);
  let json = path;
  let where = '';
  if (info.isDirectory()) {
    json = join(path, 'result.json');
    where = 'result.json ';
    if (!(await isFile(json))) throw new SourceError(path, null, 'not a Telegram export: the folder has no result.json');
  }
  const fh = await open(json, 'r');
  return { file: path, where, root: resolve(dirname(json)), fh, size: (await fh.stat()).size };
}

/** A byte offset as positions name it: `result.json byte 120` (or `byte 120` for a named file). */
export function at(input: ExportInput, offset: number): string {
  return `${input.where}byte ${offset}`;
}

export function inputError(input: ExportInput, offset: number, message: string): SourceError {
  return new SourceError(input.file, at(input, offset), message);
}

/** A scanner's syntax error as a SourceError naming the byte; anything else as it is. */
export function sourceError(input: ExportInput, err: unknown): Error {
  return err instanceof JsonScanError ? inputError(input, err.offset, err.reason) : (err as Error);
}
