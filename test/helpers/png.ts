import { crc32, deflateSync } from 'node:zlib';

/** A PNG from its header fields and its filtered scanlines (each row: a filter byte, then pixels). */
function png(width: number, height: number, bitDepth: number, colourType: number, scanlines: Buffer): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colourType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A valid RGB PNG (a soft gradient from `rgb`), so that browsers render the inline image. */
export function tinyPng(width = 2, height = 2, rgb: [number, number, number] = [64, 128, 255]): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const f = (x + y) / (width + height);
      row[1 + x * 3] = Math.round(rgb[0] + (255 - rgb[0]) * f * 0.6);
      row[2 + x * 3] = Math.round(rgb[1] * (1 - f * 0.3));
      row[3 + x * 3] = Math.round(rgb[2] * (1 - f * 0.5));
    }
    rows.push(row);
  }
  return png(width, height, 8, 2, Buffer.concat(rows));
}

/** A valid black-and-white PNG: many pixels in few bytes (it decodes, unless refused). */
export function bilevelPng(width: number, height: number): Buffer {
  return png(width, height, 1, 0, Buffer.alloc((1 + Math.ceil(width / 8)) * height, 0x55));
}
