import { createHmac } from 'node:crypto';
import { secretDigest } from '../output/seal.js';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DAY_MS, dayStart, slotOf, type Slot } from '../../collector/store/contract.js';
import { decodeDataScript } from './bytes.js';
import { buildSearchIndex, openSearchSource, searchSettings, type SearchIndexOptions, type SearchIndexResult } from './build.js';
import { BaseTermStats, decodeManifest, readBaseIndex, type BaseIndex } from './built-index.js';
import { createSink } from './file-writer.js';
import type { FinishedIndex } from './inverted-index.js';
import { writeIndex } from './index-writer.js';
import { DATA_DIR, DELTA_FOLDER, DELTA_KEY, deltaFolder } from './paths.js';
import { DEFAULT_SIZES, encodeManifest, ownWeighting, writeDeltaPointer, type ShardSizes, type Weighting } from './shards.js';
import type { ChatRange, SearchChat, SearchSource, SourcePlan } from './source.js';

/**
 * Incremental search updates. A full build ("the base") takes a minute at a million messages, as
 * document ids and term buckets span the whole corpus; watch mode needs a new message searchable
 * in seconds. So a delta build indexes only what changed since the base: the chat-days the
 * collector's change log (`changes`) lists after the base's last sequence number, each re-read
 * whole (so edits and deletions come out right), into a small index of its own under
 * `search/data/delta-<version>/`. Its manifest goes into `search/data/delta.js`, which the client
 * loads afresh with every query; it names the base documents the delta replaces ("masked"), which
 * the client drops. Every delta covers everything since the base and replaces the previous one;
 * a full build clears it.
 *
 * The base documents a changed chat-day replaces are found without the base's times: documents
 * are numbered by (slot, chat) group and by time within a group, and the days the log does not
 * list are unchanged since the base, so counting today's messages before and after the changed
 * span (its first to its last changed day in that month) places the span inside the base group.
 *
 * Delta postings are weighed with the base's statistics (document count, documents per term,
 * average field lengths), so a message scores the same whichever index holds it.
 */
export interface SearchUpdateOptions extends SearchIndexOptions {
  /**
   * A delta over more documents than this gets a full build instead (default: the larger of
   * 20,000 and a tenth of the base).
   */
  deltaLimit?: number;
  /** Build a delta whenever the base can take one, however large (the plan was made earlier). */
  forceDelta?: boolean;
}

export interface SearchUpdateResult extends SearchIndexResult {
  /** True: a delta was written (or cleared, when nothing changed); false: a full build. */
  delta: boolean;
  /** The delta's own version (null: no delta); `version` stays the base's, which the page names. */
  deltaVersion: string | null;
  /** Why a full build was made, or what the delta holds. */
  reason: string;
}

export type SearchUpdatePlan = { kind: 'full'; reason: string } | { kind: 'delta'; base: BaseIndex; docs: number };


export interface DeltaPlan {
  /** The change log's last sequence number in the snapshot. */
  changeSeq: number;
  /** The delta's chats, re-indexed from 0 (the manifest lists only these). */
  chats: SearchChat[];
  plan: SourcePlan;
  /** Base document ranges the delta replaces: start, count, start, count… ascending, disjoint. */
  masked: number[];
  /** Documents the delta holds. */
  docs: number;
}

/**
 * What a delta over `base` must hold in this snapshot, or why none can be made. Whole chats are
 * re-indexed when they are new to the base or their title changed (a delta's manifest names only
 * the chats it holds documents of: the new title must come with them); chats no longer published
 * are masked.
 */
export function planDelta(source: SearchSource, base: BaseIndex): DeltaPlan | { problem: string } {
  const changeSeq = source.changeSeq();
  if (changeSeq < base.changeSeq) return { problem: 'the change log is older than the base index (another database?)' };
  const baseChat = new Map(base.chats.map((c, i) => [c.slug, i]));
  const published = new Set(source.chats.map((c) => c.slug));
  const groupsOf = new Map<number, typeof base.groups>();
  for (const g of base.groups) {
    let list = groupsOf.get(g.chat);
    if (!list) groupsOf.set(g.chat, (list = []));
    list.push(g);
  }
  const groupAt = new Map(base.groups.map((g) => [`${base.slots[g.slot]}\u0000${g.chat}`, g]));
  const masked: [number, number][] = [];
  const maskChat = (b: number) => {
    for (const g of groupsOf.get(b) ?? []) masked.push([g.start, g.count]);
  };
  base.chats.forEach((c, b) => {
    if (!published.has(c.slug)) maskChat(b);
  });

  const changes = source.changesSince(base.changeSeq);
  const whole: SearchChat[] = [];
  const ranges: ChatRange[] = [];
  const slots = new Map<string, Slot>();
  for (const chat of source.chats) {
    const b = baseChat.get(chat.slug);
    if (b === undefined || base.chats[b].title !== chat.title) {
      if (b !== undefined) maskChat(b);
      whole.push(chat);
      continue;
    }
    const days = changes.get(chat.id);
    if (!days) continue;
    // Per slot, the span from the first to the last changed day.
    const spans = new Map<string, { slot: Slot; from: number; to: number }>();
    let placed = true;
    for (const day of days) {
      const t = dayStart(day);
      if (t === null) {
        placed = false;
        break;
      }
      const slot = slotOf(t);
      const [from, to] = slot.label.length === 7 ? [t, t + DAY_MS] : [slot.start, slot.end];
      const span = spans.get(slot.label);
      if (!span) spans.set(slot.label, { slot, from, to });
      else {
        span.from = Math.min(span.from, from);
        span.to = Math.max(span.to, to);
      }
    }
    if (!placed) {
      // A day this code cannot place (not written by our collector): redo the chat.
      maskChat(b);
      whole.push(chat);
      continue;
    }
    for (const { slot, from, to } of spans.values()) {
      slots.set(slot.label, slot);
      ranges.push({ chat, from, to });
      const g = groupAt.get(`${slot.label}\u0000${b}`);
      if (!g) continue;
      const before = from > slot.start ? source.countDocuments(chat.id, slot.start, from) : 0;
      const after = to < slot.end ? source.countDocuments(chat.id, to, slot.end) : 0;
      const count = g.count - before - after;
      if (count < 0) return { problem: `the change log does not account for the base's documents of ${chat.slug} in ${slot.label}` };
      masked.push([g.start + before, count]);
    }
  }
  const wholePlan = source.plan(whole);
  wholePlan.slots.forEach((slot, s) => {
    slots.set(slot.label, slot);
    ranges.push(...wholePlan.ranges[s]);
  });

  // The delta's chats, in site order, numbered from 0.
  const position = new Map(source.chats.map((c, i) => [c.id, i]));
  const used = [...new Set(ranges.map((r) => r.chat.id))].sort((x, y) => position.get(x)! - position.get(y)!);
  const chats = used.map((id, index): SearchChat => ({ ...source.chats[position.get(id)!], index }));
  const chatOf = new Map(chats.map((c) => [c.id, c]));
  const ordered = [...slots.values()].sort((x, y) => x.start - y.start);
  const plan: SourcePlan = { slots: ordered, ranges: ordered.map(() => []) };
  const slotIndex = new Map(ordered.map((s, i) => [s.label, i]));
  let docs = 0;
  for (const r of ranges) {
    const s = slotIndex.get(slotOf(r.from).label)!;
    plan.ranges[s].push({ chat: chatOf.get(r.chat.id)!, from: r.from, to: r.to });
    docs += source.countDocuments(r.chat.id, r.from, r.to);
  }
  for (const list of plan.ranges) list.sort((x, y) => x.chat.index - y.chat.index);
  return { changeSeq, chats, plan, masked: mergeRanges(masked), docs };
}

/** [start, count] ranges → flat, sorted, overlapping and adjacent ones joined, empty ones dropped. */
function mergeRanges(ranges: [number, number][]): number[] {
  const sorted = ranges.filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [start, count] of sorted) {
    const last = out.length - 2;
    if (last >= 0 && start <= out[last] + out[last + 1]) out[last + 1] = Math.max(out[last + 1], start + count - out[last]);
    else out.push(start, count);
  }
  return out;
}

function limitFor(options: SearchUpdateOptions, base: BaseIndex): number {
  return options.deltaLimit ?? Math.max(20_000, Math.floor(base.docs / 10));
}

/** Whether `updateSearchIndex` would write a delta or a full index now (reads the base and the change log only). */
export function planSearchUpdate(options: SearchUpdateOptions): SearchUpdatePlan {
  const dataDir = join(resolve(options.outDir), DATA_DIR);
  const source = openSearchSource(options);
  try {
    const base = readBaseIndex(dataDir, source.databaseId());
    if ('problem' in base) return { kind: 'full', reason: base.problem };
    if (base.settings !== searchSettings(options)) return { kind: 'full', reason: 'the author options changed since the base index' };
    const delta = planDelta(source, base);
    if ('problem' in delta) return { kind: 'full', reason: delta.problem };
    const limit = limitFor(options, base);
    if (!options.forceDelta && delta.docs > limit) return { kind: 'full', reason: `${delta.docs} changed messages (a delta takes at most ${limit})` };
    return { kind: 'delta', base, docs: delta.docs };
  } finally {
    source.close();
  }
}

/**
 * Brings the search index in `<outDir>/search/` up to date: a delta over the base index when one
 * is there, built with the same options, and the changes since are few; a full build otherwise.
 */
export async function updateSearchIndex(options: SearchUpdateOptions): Promise<SearchUpdateResult> {
  const started = performance.now();
  const dataDir = join(resolve(options.outDir), DATA_DIR);
  const full = async (reason: string): Promise<SearchUpdateResult> => {
    options.log?.(`search: full build (${reason})`);
    return { ...(await buildSearchIndex(options)), delta: false, deltaVersion: null, reason };
  };
  const sizes: ShardSizes = { ...DEFAULT_SIZES, ...options.sizes };
  const source = openSearchSource(options);
  let result: SearchUpdateResult;
  try {
    // The base's facts are sealed under the database's id (built-index.ts): read with the source.
    const base = readBaseIndex(dataDir, source.databaseId());
    if ('problem' in base) return await full(base.problem);
    if (base.settings !== searchSettings(options)) return await full('the author options changed since the base index');
    const delta = planDelta(source, base);
    if ('problem' in delta) return await full(delta.problem);
    const limit = limitFor(options, base);
    if (!options.forceDelta && delta.docs > limit) return await full(`${delta.docs} changed messages (a delta takes at most ${limit})`);

    const previous = pointedFolder(dataDir);
    if (delta.docs === 0 && delta.masked.length === 0) {
      const bytes = writeDeltaPointer(dataDir, null, sizes.level);
      removeDeltas(dataDir, [previous]);
      return { ...emptyResult(base, bytes, started), reason: 'nothing changed since the base index' };
    }
    // Keyed like the base's (build.ts searchVersion): it is published, and made of the database's counts.
    const version = createHmac('sha256', secretDigest('search version', source.databaseId() ?? ''))
      .update(`${base.version}\u0000${delta.changeSeq}\u0000${source.stateFingerprint()}\u0000${delta.masked.join(',')}`)
      .digest('hex')
      .slice(0, 12);
    const folder = deltaFolder(version);
    const big = delta.docs > 20_000;
    const files = createSink(join(dataDir, folder), sizes, big, folder);
    const authors = options.authors ?? 'show';
    const stats = new BaseTermStats(dataDir, base);
    const written = await writeIndex(source, delta.plan, files, {
      chats: delta.chats,
      authorField: authors !== 'hide',
      sizes,
      threads: options.threads ?? (big ? 2 : 1),
      textBatch: options.textBatch ?? 4096,
      weighting: (finished) => baseWeighting(finished, base, stats),
      log: options.log ?? (() => {}),
      started,
    });
    const manifest = encodeManifest({
      extra: { kind: 'delta', base: base.version, masked: delta.masked },
      version,
      docs: written.docs,
      docChunk: sizes.docChunk,
      buckets: written.buckets,
      fields: ['text', ...(written.finished.author ? ['author'] : [])],
      authors,
      chats: delta.chats,
      slots: source.slots,
      groups: source.groups,
    });
    const stored = await files.finish();
    // The pointer last: a client sees the new delta only once all its files are there.
    const bytes = stored.bytes + writeDeltaPointer(dataDir, manifest, sizes.level);
    removeDeltas(dataDir, [folder, previous]);
    const masked = delta.masked.reduce((n, v, i) => (i % 2 ? n + v : n), 0);
    result = {
      shards: stored.files + 1,
      bytes,
      ms: Math.round(performance.now() - started),
      docs: written.docs,
      terms: written.terms,
      buckets: written.buckets,
      parts: written.parts,
      docChunks: Math.ceil(written.docs / sizes.docChunk),
      version: base.version,
      delta: true,
      deltaVersion: version,
      reason: `${written.docs} messages since the base replace ${masked} of its ${base.docs}`,
    };
  } finally {
    source.close();
  }
  options.log?.(`search: delta ${result.deltaVersion}: ${result.reason} (${result.ms} ms)`);
  return result;
}

/** The base's statistics for the delta's terms (a term new to the base counts its delta documents). */
function baseWeighting(finished: FinishedIndex, base: BaseIndex, stats: BaseTermStats): Weighting {
  const usable = base.docs > 0 && Object.values(base.averages).every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!usable) return ownWeighting(finished);
  const documentsWithTerm = new Uint32Array(finished.terms.length);
  finished.terms.forEach((term, t) => {
    if (finished.documentsWithTerm[t] > 0) documentsWithTerm[t] = stats.documentsWithTerm(term) || finished.documentsWithTerm[t];
  });
  return { documentCount: base.docs, documentsWithTerm, averages: base.averages };
}

function emptyResult(base: BaseIndex, bytes: number, started: number): Omit<SearchUpdateResult, 'reason'> {
  return {
    shards: 1,
    bytes,
    ms: Math.round(performance.now() - started),
    docs: 0,
    terms: 0,
    buckets: 0,
    parts: 0,
    docChunks: 0,
    version: base.version,
    delta: true,
    deltaVersion: null,
  };
}

/** The folder of the delta delta.js names now (kept one more round for clients mid-query). */
function pointedFolder(dataDir: string): string | null {
  try {
    const bytes = decodeDataScript(readFileSync(join(dataDir, `${DELTA_KEY}.js`), 'utf8'), DELTA_KEY);
    if (bytes.length === 0) return null;
    const version = decodeManifest(bytes).json.version;
    return version ? deltaFolder(version) : null;
  } catch {
    return null;
  }
}

/** Removes every delta folder but `keep`. */
function removeDeltas(dataDir: string, keep: (string | null)[]): void {
  const kept = new Set(keep.filter((k): k is string => !!k).map((k) => k.replace(/\/$/, '')));
  for (const name of readdirSync(dataDir)) {
    if (DELTA_FOLDER.test(name) && !kept.has(name)) rmSync(join(dataDir, name), { recursive: true, force: true });
  }
}
