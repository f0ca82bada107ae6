/** A box of an ISO base media file (MP4, MOV, 3GP, HEIF, AVIF): its type, and where it starts, its contents start and it ends. */
export interface IsoBox {
  type: string;
  start: number;
  data: number;
  end: number;
}

/**
 * The boxes from `from` to `to`, or null when one is cut short or its size is impossible. A size
 * of 0 means "to the end" (ISO/IEC 14496-12), which only the file's last top-level box may say
 * (`toEnd`).
 */
export function isoBoxes(data: Buffer, from: number, to: number, toEnd: boolean): IsoBox[] | null {
  const boxes: IsoBox[] = [];
  for (let at = from; at < to; ) {
    if (at + 8 > to) return null;
    let size = data.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return null;
      const large = data.readBigUInt64BE(at + 8);
      if (large > BigInt(to - at)) return null;
      size = Number(large);
      header = 16;
    } else if (size === 0) {
      if (!toEnd) return null;
      size = to - at;
    }
    if (size < header || at + size > to) return null;
    boxes.push({ type: data.toString('latin1', at + 4, at + 8), start: at, data: at + header, end: at + size });
    at += size;
  }
  return boxes;
}
