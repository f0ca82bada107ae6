/**
 * A count of something that happened to several messages of a file, reported once at the file's
 * end with the first place (per file, where the kit's tallies count a whole read).
 */
export class Tally {
  count = 0;
  first = '';

  add(where: string): void {
    if (this.count++ === 0) this.first = where;
  }
}
