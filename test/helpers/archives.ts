import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Minimal, synchronous zip and tar writers for test inputs (written here, independently of the
 * readers in collector/archive/, so that a reader bug cannot hide behind a matching writer bug).
 */
export interface ArchiveEntry {
  name: string;
  data: Buffer;
  /** writeTar only: the entry is this many zero bytes, a hole in the file (`data` is ignored). */
  sparseSize?: number;
}

/** Every file under `dir` as entries named by their '/'-separated path, under `prefix`. */
export function folderEntries(dir: string, prefix = ''): ArchiveEntry[] {
  const out: ArchiveEntry[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (statSync(full).isFile()) out.push({ name: prefix + relative(dir, full).split(sep).join('/'), data: readFileSync(full) });
    }
  };
  walk(dir);
  return out;
}

/** A zip with deflated entries (stored when deflating does not help), UTF-8 names. */
export function writeZip(file: string, entries: ArchiveEntry[]): void {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = deflateRawSync(entry.data);
    const stored = deflated.length >= entry.data.length;
    const data = stored ? entry.data : deflated;
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x5821, 12); // 2024-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(stored ? 0 : 8, 10);
    header.writeUInt16LE(0, 12);
    header.writeUInt16LE(0x5821, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(entry.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    parts.push(local, name, data);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(file, Buffer.concat([...parts, directory, end]));
}

/**
 * A ustar archive (names up to 100 bytes). An entry with `sparseSize` is that many zero bytes left
 * as a hole in the file: a tar that claims gigabytes without taking them on disk.
 */
export function writeTar(file: string, entries: ArchiveEntry[]): void {
  const fd = openSync(file, 'w');
  try {
    let position = 0;
    for (const entry of entries) {
      const size = entry.sparseSize ?? entry.data.length;
      const header = Buffer.alloc(512);
      const name = Buffer.from(entry.name, 'utf8');
      if (name.length > 100) throw new Error(`tar name too long for this writer: ${entry.name}`);
      name.copy(header, 0);
      header.write('0000644\0', 100, 'latin1');
      header.write('0000000\0', 108, 'latin1');
      header.write('0000000\0', 116, 'latin1');
      header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
      header.write('14544000000\0', 136, 'latin1');
      header.write('        ', 148, 'latin1');
      header.write('0', 156, 'latin1');
      header.write('ustar\u000000', 257, 'latin1');
      let sum = 0;
      for (const byte of header) sum += byte;
      header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      writeSync(fd, header, 0, 512, position);
      if (entry.sparseSize === undefined) writeSync(fd, entry.data, 0, entry.data.length, position + 512);
      position += 512 + Math.ceil(size / 512) * 512;
    }
    writeSync(fd, Buffer.alloc(1024), 0, 1024, position);
  } finally {
    closeSync(fd);
  }
}
