/*
 * chatchannels search: the engine. Loads only the data files a query needs (term buckets and
 * parts, the manifest, the doc-store chunks of the hits shown, sometimes a month's time file),
 * scores exactly as one Lunr index over every message's text would (Lunr's BM25 weights are
 * stored per posting; a score is the sum of boost × weight over the query's terms, divided by the
 * query vector's magnitude), filters and orders. The last word typed also matches as a prefix
 * (its terms' union counts as one query term). No DOM: ui.js drives it in the browser, the tests
 * drive it in Node. Data layouts: site/search/shards.ts.
 */
(function (root) {
  'use strict';

  var FORMAT = 3;
  var DATED_MIN = new Date(0).setUTCFullYear(1, 0, 1);
  var DATED_END = new Date(0).setUTCFullYear(10000, 0, 1);
  /** Positive query terms are tracked in a 32-bit mask per document. */
  var MAX_TERMS = 30;
  var decoder = new TextDecoder();

  // ---------------------------------------------------------------- bytes

  function Reader(bytes) {
    this.b = bytes;
    this.i = 0;
  }
  Reader.prototype.uint = function () {
    var b = this.b;
    var byte = b[this.i++];
    if (byte < 0x80) return byte;
    var v = byte & 0x7f;
    var scale = 128;
    do {
      byte = b[this.i++];
      v += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte >= 0x80);
    return v;
  };
  Reader.prototype.int = function () {
    var v = this.uint();
    return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
  };
  Reader.prototype.string = function () {
    var n = this.uint();
    var s = decoder.decode(this.b.subarray(this.i, this.i + n));
    this.i += n;
    return s;
  };
  /** Skips n varints. */
  Reader.prototype.skip = function (n) {
    var b = this.b;
    var i = this.i;
    while (n > 0) if (b[i++] < 0x80) n--;
    this.i = i;
  };

  function fromBase64(text) {
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  /**
   * Inflates a data file's payload: small ones at once (inflate.js), larger ones with the native
   * DecompressionStream, whose few task hops then cost less than decoding in script (a cold
   * decoder, the first file of a page, is slow).
   */
  function inflate(bytes) {
    if (bytes.length <= 8192 || typeof DecompressionStream === 'undefined') {
      try {
        return Promise.resolve(root.ccSearchInflate(bytes));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      return new Uint8Array(buffer);
    });
  }

  /** A data file's payload (site/search/bytes.ts): base64 of deflated bytes, or of the bytes themselves after `~`. */
  function decodePayload(text) {
    if (text.charAt(0) === '~') return Promise.resolve(fromBase64(text.slice(1)));
    return inflate(fromBase64(text));
  }

  // ---------------------------------------------------------------- dates and paths

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = '0' + s;
    return s;
  }

  function slotRange(label) {
    if (label === 'early') return [-Infinity, DATED_MIN];
    if (label === 'late') return [DATED_END, Infinity];
    var y = Number(label.slice(0, label.length - 3));
    var m = Number(label.slice(-2)) - 1;
    return [new Date(0).setUTCFullYear(y, m, 1), new Date(0).setUTCFullYear(y, m + 1, 1)];
  }

  /** A message's archive page within its chat folder (collector/store/periods.ts pagePathOf). */
  function pagePath(slotLabel, byDay, time) {
    if (slotLabel === 'early') return 'out-of-range/early/';
    if (slotLabel === 'late') return 'out-of-range/late/';
    var d = new Date(time);
    var path = pad(d.getUTCFullYear(), 4) + '/' + pad(d.getUTCMonth() + 1, 2) + '/';
    return byDay ? path + pad(d.getUTCDate(), 2) + '/' : path;
  }

  /** Milliseconds to add to UTC to get wall time in `zone` at `time`. */
  function zoneOffset(time, zone) {
    var parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    }).formatToParts(new Date(time));
    var v = {};
    for (var i = 0; i < parts.length; i++) v[parts[i].type] = Number(parts[i].value);
    var wall = new Date(0).setUTCFullYear(v.year, v.month - 1, v.day);
    wall += ((v.hour % 24) * 3600 + v.minute * 60 + v.second) * 1000;
    return wall - (time - (time % 1000 + 1000) % 1000);
  }

  /**
   * `2021`, `2021-03` or `2021-03-31` → the instant that period starts in `zone` (ms), or null.
   */
  function parseDate(text, zone) {
    var m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(String(text).trim());
    if (!m) return null;
    var y = Number(m[1]);
    var mo = m[2] ? Number(m[2]) : 1;
    var d = m[3] ? Number(m[3]) : 1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
    var guess = new Date(0).setUTCFullYear(y, mo - 1, d);
    if (!zone || zone === 'UTC') return guess;
    try {
      var t = guess - zoneOffset(guess, zone);
      return guess - zoneOffset(t, zone);
    } catch (e) {
      return guess;
    }
  }

  // ---------------------------------------------------------------- query language

  var FIELDS = { author: 'author', chat: 'chat', after: 'after', before: 'before' };

  /**
   * What a person typed → { words: [text…], excluded: [text…], authors: [text…], chats: [text…],
   * after, before }. Never throws: characters Lunr's parser would choke on (: * ~ ^ + -) are
   * either syntax here or dropped by the tokenizer; an unclosed quote runs to the end.
   */
  function parseQuery(input) {
    // open: the index in words of the word still being typed (the input's last, unquoted), or -1.
    var q = { words: [], excluded: [], authors: [], chats: [], after: null, before: null, open: -1 };
    var s = String(input === null || input === undefined ? '' : input);
    var i = 0;
    var n = s.length;
    while (i < n) {
      while (i < n && /\s/.test(s.charAt(i))) i++;
      if (i >= n) break;
      var sign = '';
      if ((s.charAt(i) === '-' || s.charAt(i) === '+') && i + 1 < n && !/\s/.test(s.charAt(i + 1))) sign = s.charAt(i++);
      var field = null;
      var named = /^([A-Za-z]+):/.exec(s.slice(i, i + 20));
      if (named && FIELDS.hasOwnProperty(named[1].toLowerCase())) {
        field = FIELDS[named[1].toLowerCase()];
        i += named[0].length;
      }
      var value;
      var quoted = s.charAt(i) === '"';
      if (quoted) {
        var close = s.indexOf('"', i + 1);
        if (close < 0) close = n; // an unclosed quote runs to the end
        value = s.slice(i + 1, close);
        i = close + 1;
      } else {
        var start = i;
        while (i < n && !/\s/.test(s.charAt(i)) && s.charAt(i) !== '"') i++;
        value = s.slice(start, i);
      }
      if (!value.trim()) continue;
      if (field === 'author') q.authors.push(value);
      else if (field === 'chat') q.chats.push(value);
      else if (field === 'after') q.after = value;
      else if (field === 'before') q.before = value;
      else if (sign === '-') q.excluded.push(value);
      else {
        q.words.push(value);
        if (!quoted && i >= n) q.open = q.words.length - 1;
      }
    }
    return q;
  }

  /**
   * The matching rule of a query, shared with the CLI's full-text search (collector/store/
   * search.ts) so both find the same messages: `order`, the positive index terms (each required
   * in 'all' mode) with `boosts`; `prefix`, the one of them that also matches every index term it
   * begins (the last term of the word being typed, when pipeline.prefixable says so) or null;
   * `excluded` terms; `authorTerms`, per author: value, its terms.
   */
  function planQuery(pipeline, q) {
    var boosts = new Map();
    var order = [];
    var prefix = null;
    var truncated = false;
    for (var i = 0; i < q.words.length; i++) {
      var ts = pipeline.terms(q.words[i], true);
      for (var k = 0; k < ts.length; k++) {
        if (!boosts.has(ts[k])) {
          if (order.length >= MAX_TERMS) {
            truncated = true;
            continue;
          }
          order.push(ts[k]);
          boosts.set(ts[k], 0);
        }
        boosts.set(ts[k], boosts.get(ts[k]) + 1);
      }
      if (i === q.open && ts.length && boosts.has(ts[ts.length - 1]) && root.ccSearchPipeline.prefixable(ts[ts.length - 1])) prefix = ts[ts.length - 1];
    }
    var excluded = [];
    for (i = 0; i < q.excluded.length; i++) excluded = excluded.concat(pipeline.terms(q.excluded[i], true));
    var authorTerms = q.authors.map(function (a) {
      return pipeline.terms(a, true);
    }).filter(function (ts) {
      return ts.length > 0;
    });
    return { order: order, boosts: boosts, prefix: prefix, excluded: excluded, authorTerms: authorTerms, truncated: truncated };
  }

  // ---------------------------------------------------------------- the engine

  /**
   * options.load(key, fresh) → Promise<string>: the base64 payload of data file `key` (e.g.
   *   `t/12`); `fresh`: past any cache (the delta manifest, which changes while a page is open).
   * options.info: { version, buckets, docChunk } of the base index when the page knows them
   *   before its manifest (search.js carries them): a query's term buckets then load beside the
   *   manifest.
   * options.stem, options.isStopWord: Lunr's (bundled with the client).
   *
   * An index is the base plus, when search/data/delta.js names one, a delta (site/search/delta.ts):
   * the engine numbers the delta's documents after the base's, drops the base documents the
   * delta replaces ("dead"), and treats both as one index (a "view").
   */
  function Engine(options) {
    this.load = options.load;
    this.info = options.info || null;
    this.pipeline = root.ccSearchPipeline.createPipeline(options.stem, options.isStopWord);
    this.files = new Map();
    this.buckets = new Map();
    this.entries = new Map();
    this.postings = new Map();
    this.times = new Map();
    this.docChunks = new Map();
    this.manifestPromise = null;
    this.deltaText = null;
    this.deltaParsed = null;
    this.prefetched = null;
    this.latest = null;
    this.viewCache = null;
  }

  var DELTA_KEY = 'delta';

  Engine.prototype.file = function (key) {
    var promise = this.files.get(key);
    if (!promise) {
      promise = Promise.resolve(this.load(key, false)).then(decodePayload);
      this.files.set(key, promise);
      var files = this.files;
      promise.catch(function () {
        files.delete(key); // a failed load may be retried
      });
    }
    return promise;
  };

  /** A promise that removes itself from `cache` when it fails, so a later call retries. */
  function cached(cache, key, make) {
    var promise = cache.get(key);
    if (promise) return promise;
    promise = make();
    cache.set(key, promise);
    promise.catch(function () {
      cache.delete(key);
    });
    return promise;
  }

  /** The base index's manifest (see parseManifest). */
  Engine.prototype.manifest = function () {
    if (!this.manifestPromise) {
      var self = this;
      this.manifestPromise = this.file('manifest').then(function (bytes) {
        return parseManifest(bytes, '');
      });
      this.manifestPromise.catch(function () {
        self.manifestPromise = null;
      });
    }
    return this.manifestPromise;
  };

  /**
   * The delta's manifest (null: none), read afresh from delta.js: a new delta may have been
   * written since the last query. A site without delta.js (built before deltas existed) has none.
   */
  Engine.prototype.delta = function () {
    var self = this;
    return Promise.resolve(this.load(DELTA_KEY, true)).then(
      function (text) {
        if (!text) return null;
        if (text !== self.deltaText) {
          self.deltaText = text;
          self.deltaParsed = decodePayload(text).then(function (bytes) {
            var info = JSON.parse(new Reader(bytes).string());
            return parseManifest(bytes, 'delta-' + info.version + '/');
          });
          self.deltaParsed.catch(function () {
            self.deltaText = null;
          });
        }
        return self.deltaParsed;
      },
      function () {
        return null;
      },
    );
  };

  /** How long a prefetched delta manifest stays good for the next query (ms). */
  var PREFETCH_FRESH = 10000;

  /**
   * Starts loading what a query for `text` will need (the manifests, its terms' buckets), so that
   * the search that follows finds them loaded or on their way. The next search within a few
   * seconds uses the delta manifest loaded here.
   */
  Engine.prototype.prefetch = function (text) {
    var self = this;
    // The manifests first: their requests go out before the query is analysed.
    this.manifest().catch(function () {});
    if (!this.prefetched || Date.now() - this.prefetched.at > PREFETCH_FRESH) this.prefetched = { at: Date.now(), delta: this.delta() };
    var terms = this.termsOf(parseQuery(text).words.join(' '));
    var info = this.info;
    if (info) terms.forEach(function (t) { self.entry({ prefix: '', buckets: info.buckets }, t).catch(function () {}); });
    this.prefetched.delta.then(function (d) {
      if (d) terms.forEach(function (t) { self.entry(d, t).catch(function () {}); });
    }, function () {});
  };

  /**
   * The index a query runs on: the base and the current delta merged (see makeView), rebuilt only
   * when the delta changed.
   */
  Engine.prototype.view = function () {
    var self = this;
    var fresh = this.prefetched && Date.now() - this.prefetched.at <= PREFETCH_FRESH;
    var delta = fresh ? this.prefetched.delta : this.delta();
    this.prefetched = null;
    var promise = Promise.all([this.manifest(), delta]).then(function (got) {
      var base = got[0];
      var d = got[1] && got[1].info.base === base.info.version ? got[1] : null;
      var key = d ? d.info.version : '';
      if (!self.viewCache || self.viewCache.key !== key || self.viewCache.base !== base) {
        self.viewCache = { key: key, base: base, view: makeView(base, d) };
      }
      return self.viewCache.view;
    });
    this.latest = promise;
    return promise;
  };

  /**
   * One index's manifest: its JSON, and the group table (documents are numbered by slot, then
   * chat, then time: a group is one chat's documents in one slot), in typed arrays.
   */
  function parseManifest(bytes, prefix) {
    var r = new Reader(bytes);
    var info = JSON.parse(r.string());
    if (info.format !== FORMAT) throw new Error('search data has format ' + info.format + ', this page reads ' + FORMAT);
    // A group takes two varints at least: an upper bound for the arrays.
    var max = Math.max(1, (bytes.length - r.i) >> 1);
    var start = new Int32Array(max), count = new Int32Array(max), chat = new Int32Array(max), slot = new Int32Array(max);
    var byDay = new Uint8Array(max);
    var slots = info.slots.length;
    var slotFirst = new Int32Array(slots), slotEnd = new Int32Array(slots);
    var doc = 0, gi = 0;
    for (var s = 0; s < slots; s++) {
      slotFirst[s] = doc;
      var n = r.uint();
      var c = 0;
      for (var k = 0; k < n; k++, gi++) {
        c += r.uint();
        var v = r.uint();
        start[gi] = doc;
        count[gi] = Math.floor(v / 2);
        chat[gi] = c;
        slot[gi] = s;
        byDay[gi] = v % 2;
        doc += count[gi];
      }
      slotEnd[s] = doc;
    }
    return {
      info: info,
      prefix: prefix,
      buckets: info.buckets,
      groups: { length: gi, start: start.subarray(0, gi), count: count.subarray(0, gi), chat: chat.subarray(0, gi), slot: slot.subarray(0, gi), byDay: byDay.subarray(0, gi) },
      slotFirst: slotFirst,
      slotEnd: slotEnd,
    };
  }

  /** Sort key of a slot label: early, then months in order, then late. */
  function slotOrder(a, b) {
    var ka = a === 'early' ? 0 : a === 'late' ? 2 : 1;
    var kb = b === 'early' ? 0 : b === 'late' ? 2 : 1;
    return ka - kb || (a < b ? -1 : a > b ? 1 : 0);
  }

  function newSlot(label, index) {
    var range = slotRange(label);
    return { label: label, start: range[0], end: range[1], index: index, rank: index, segments: [], size: 0 };
  }

  function addSegment(slot, part, local, first, end) {
    if (end <= first) return;
    slot.segments.push({ part: part, local: local, first: first, end_: end });
    slot.size += end - first;
  }

  /**
   * The base and the delta as one index (the base alone when there is no delta: its arrays as
   * they are). Documents: the base's, then the delta's (ids offset by the base's count); so are
   * groups, and a document's group is still a binary search. Chats are matched by slug (a delta
   * may add chats, and its titles are newer), slots by label: the base's keep their index, a
   * delta's new ones come after, and `rank` gives every slot its place in time order. A slot's
   * documents are then up to two ranges, its "segments". What only some queries need (groups by
   * chat, by slot) is made on first use.
   */
  function makeView(base, delta) {
    var N = base.info.docs;
    var bg = base.groups;
    var m = {
      version: base.info.version,
      docs: N,
      fields: base.info.fields,
      authors: base.info.authors,
      chats: base.info.chats.map(function (c, i) { return { index: i, slug: c[0], title: c[1] }; }),
      slots: base.info.slots.map(newSlot),
      slotByRank: null,
      parts: [{ index: 0, prefix: base.prefix, buckets: base.buckets, docBase: 0, docs: N, docChunk: base.info.docChunk, firstGroup: 0 }],
      dead: null,
      groupStart: bg.start,
      groupCount: bg.count,
      groupChat: bg.chat,
      groupSlot: bg.slot,
      groupByDay: bg.byDay,
      bySlot: null,
    };
    for (var s = 0; s < m.slots.length; s++) addSegment(m.slots[s], 0, s, base.slotFirst[s], base.slotEnd[s]);
    m.slotByRank = m.slots.slice();
    if (!delta) return m;

    var dg = delta.groups;
    var nb = bg.length, nd = dg.length;
    var chatBySlug = new Map();
    m.chats.forEach(function (c) { chatBySlug.set(c.slug, c); });
    var chatMap = delta.info.chats.map(function (c) {
      var chat = chatBySlug.get(c[0]);
      if (!chat) {
        chat = { index: m.chats.length, slug: c[0], title: c[1] };
        m.chats.push(chat);
        chatBySlug.set(c[0], chat);
      }
      chat.title = c[1];
      return chat.index;
    });
    var slotByLabel = new Map();
    m.slots.forEach(function (slot) { slotByLabel.set(slot.label, slot); });
    var slotMap = delta.info.slots.map(function (label, s) {
      var slot = slotByLabel.get(label);
      if (!slot) {
        slot = newSlot(label, m.slots.length);
        m.slots.push(slot);
        slotByLabel.set(label, slot);
      }
      addSegment(slot, 1, s, N + delta.slotFirst[s], N + delta.slotEnd[s]);
      return slot.index;
    });
    m.slotByRank = m.slots.slice().sort(function (a, b) { return slotOrder(a.label, b.label); });
    m.slotByRank.forEach(function (slot, rank) { slot.rank = rank; });

    var start = new Int32Array(nb + nd), count = new Int32Array(nb + nd), chat = new Int32Array(nb + nd), slotOf = new Int32Array(nb + nd);
    var byDay = new Uint8Array(nb + nd);
    start.set(bg.start);
    count.set(bg.count);
    chat.set(bg.chat);
    slotOf.set(bg.slot);
    byDay.set(bg.byDay);
    count.set(dg.count, nb);
    byDay.set(dg.byDay, nb);
    for (var k = 0; k < nd; k++) {
      start[nb + k] = N + dg.start[k];
      chat[nb + k] = chatMap[dg.chat[k]];
      slotOf[nb + k] = slotMap[dg.slot[k]];
    }
    m.groupStart = start;
    m.groupCount = count;
    m.groupChat = chat;
    m.groupSlot = slotOf;
    m.groupByDay = byDay;
    m.docs = N + delta.info.docs;
    m.parts.push({ index: 1, prefix: delta.prefix, buckets: delta.buckets, docBase: N, docs: delta.info.docs, docChunk: delta.info.docChunk, firstGroup: nb });
    m.dead = new Uint8Array(m.docs);
    var masked = delta.info.masked || [];
    for (var i = 0; i + 1 < masked.length; i += 2) m.dead.fill(1, masked[i], Math.min(masked[i] + masked[i + 1], N));
    return m;
  }

  /** The groups of each slot (by slot index). */
  function slotGroups(m) {
    if (!m.bySlot) {
      var bySlot = m.slots.map(function () { return []; });
      for (var g = 0; g < m.groupSlot.length; g++) bySlot[m.groupSlot[g]].push(g);
      m.bySlot = bySlot;
    }
    return m.bySlot;
  }

  /** The group (index) holding document `doc`. */
  function groupOf(m, doc) {
    var lo = 0, hi = m.groupStart.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (m.groupStart[mid] <= doc) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The index part (base or delta) holding document `doc`. */
  function partOf(m, doc) {
    return m.parts.length > 1 && doc >= m.parts[1].docBase ? m.parts[1] : m.parts[0];
  }

  /** Parses a term bucket into term → entry (postings decoded later, on demand). */
  function parseBucket(bytes) {
    var r = new Reader(bytes);
    var map = new Map();
    var n = r.uint();
    for (var k = 0; k < n; k++) {
      var e = { term: r.string(), nText: 0, nAuthor: 0, parts: 0, textW: null, authorW: null, bytes: bytes, at: 0, firstPart: 0, partStarts: null };
      e.nText = r.uint();
      e.nAuthor = r.uint();
      e.parts = r.uint();
      if (e.nText) e.textW = readClasses(r);
      if (e.nAuthor) e.authorW = readClasses(r);
      if (e.parts === 0) {
        e.at = r.i;
        skipPostings(r, e.nText, e.textW);
        skipPostings(r, e.nAuthor, e.authorW);
      } else {
        e.firstPart = r.uint();
        e.partStarts = [0];
        for (var p = 1; p < e.parts; p++) e.partStarts.push(e.partStarts[p - 1] + r.uint());
      }
      map.set(e.term, e);
    }
    return map;
  }

  function readClasses(r) {
    var n = r.uint();
    var w = new Float64Array(n);
    for (var i = 0; i < n; i++) w[i] = r.uint() / 1000;
    return w;
  }

  function skipPostings(r, n, classes) {
    if (!n) return;
    r.skip(classes.length > 1 ? 2 * n : n);
  }

  /** Reads n postings: { docs: Int32Array, w: Float64Array }. */
  function readPostings(r, n, classes, base) {
    var docs = new Int32Array(n);
    var w = new Float64Array(n);
    var doc = base;
    for (var i = 0; i < n; i++) {
      doc += r.uint();
      docs[i] = doc;
    }
    if (classes.length > 1) for (var j = 0; j < n; j++) w[j] = classes[r.uint()];
    else w.fill(classes[0]);
    return { docs: docs, w: w };
  }

  function concat(lists) {
    var n = 0;
    for (var i = 0; i < lists.length; i++) n += lists[i].docs.length;
    var docs = new Int32Array(n);
    var w = new Float64Array(n);
    var at = 0;
    for (var k = 0; k < lists.length; k++) {
      docs.set(lists[k].docs, at);
      w.set(lists[k].w, at);
      at += lists[k].docs.length;
    }
    return { docs: docs, w: w };
  }

  /**
   * The entry of an index term in one index (`where`: { prefix, buckets }: a part of a view, a
   * parsed manifest, or what search.js knows of the base), or null when no message has it.
   */
  Engine.prototype.entry = function (where, term) {
    var self = this;
    var bucketKey = where.prefix + 't/' + root.ccSearchPipeline.bucketOf(term, where.buckets);
    return cached(this.entries, where.prefix + where.buckets + '\u0000' + term, function () {
      return cached(self.buckets, bucketKey, function () {
        return self.file(bucketKey).then(parseBucket);
      }).then(function (map) {
        return map.get(term) || null;
      });
    });
  };

  /** The postings of an entry of `part`, document ids in the view: { text, author } (each { docs, w } or null). */
  Engine.prototype.postingsOf = function (part, e) {
    var self = this;
    return cached(this.postings, part.prefix + e.term, function () {
      if (e.parts === 0) {
        var r = new Reader(e.bytes);
        r.i = e.at;
        return Promise.resolve({
          text: e.nText ? readPostings(r, e.nText, e.textW, part.docBase) : null,
          author: e.nAuthor ? readPostings(r, e.nAuthor, e.authorW, part.docBase) : null,
        });
      }
      var loads = [];
      for (var p = 0; p < e.parts; p++) loads.push(self.file(part.prefix + 'p/' + (e.firstPart + p)));
      return Promise.all(loads).then(function (parts) {
        var text = [], author = [];
        for (var p = 0; p < parts.length; p++) {
          var r = new Reader(parts[p]);
          var nt = r.uint(), na = r.uint();
          if (nt) text.push(readPostings(r, nt, e.textW, part.docBase + e.partStarts[p]));
          if (na) author.push(readPostings(r, na, e.authorW, part.docBase + e.partStarts[p]));
        }
        return { text: e.nText ? concat(text) : null, author: e.nAuthor ? concat(author) : null };
      });
    });
  };

  /** Seconds of each document of a slot's segment (Float64Array indexed by doc - seg.first). */
  Engine.prototype.segmentTimes = function (m, seg) {
    var self = this;
    var part = m.parts[seg.part];
    return cached(this.times, part.prefix + seg.local, function () {
      return self.file(part.prefix + 'm/' + seg.local).then(function (bytes) {
        var r = new Reader(bytes);
        var n = seg.end_ - seg.first;
        var t = new Float64Array(n);
        var previous = 0;
        for (var i = 0; i < n; i++) t[i] = previous = previous + r.int();
        return t;
      });
    });
  };

  Engine.prototype.docChunk = function (part, chunk) {
    var self = this;
    var key = part.prefix + 'd/' + chunk;
    return cached(this.docChunks, key, function () {
      return self.file(key).then(function (bytes) {
        var r = new Reader(bytes);
        var n = r.uint();
        var anchors = [], names = [], who = [], times = [], texts = [];
        var i;
        for (i = 0; i < n; i++) anchors.push(r.string());
        var nn = r.uint();
        for (i = 0; i < nn; i++) names.push(r.string());
        for (i = 0; i < n; i++) who.push(r.uint());
        var previous = 0;
        for (i = 0; i < n; i++) times.push((previous = previous + r.int()));
        for (i = 0; i < n; i++) texts.push(r.string());
        return { anchors: anchors, names: names, who: who, times: times, texts: texts };
      });
    });
  };

  /**
   * A document's display record: { doc, chat: {slug, title}, author, time, text, path } where
   * path is site-root-relative: `chats/<slug>/<page>/#<anchor>`.
   */
  function documentOf(engine, m, doc) {
    var part = partOf(m, doc);
    var local = doc - part.docBase;
    return engine.docChunk(part, Math.floor(local / part.docChunk)).then(function (c) {
      var i = local % part.docChunk;
      var g = groupOf(m, doc);
      var chat = m.chats[m.groupChat[g]];
      var slot = m.slots[m.groupSlot[g]];
      var time = c.times[i];
      return {
        doc: doc,
        chat: chat,
        author: c.who[i] ? c.names[c.who[i] - 1] : null,
        time: time,
        text: c.texts[i],
        anchor: c.anchors[i],
        path: 'chats/' + chat.slug + '/' + pagePath(slot.label, m.groupByDay[g], time) + '#' + c.anchors[i],
      };
    });
  }

  /** A document of the latest query's index (a Result's own `document` is safer across deltas). */
  Engine.prototype.document = function (doc) {
    var self = this;
    return (this.latest || this.view()).then(function (m) {
      return documentOf(self, m, doc);
    });
  };

  /** Index terms of some query text (CJK as bigrams). */
  Engine.prototype.termsOf = function (text) {
    return this.pipeline.terms(text, true);
  };

  /** Chats a `chat:` value names: by slug, else every chat whose title holds all its terms. */
  function chatsNamed(engine, m, value) {
    var v = String(value).trim();
    var found = [];
    var lower = v.toLowerCase();
    for (var i = 0; i < m.chats.length; i++) if (m.chats[i].slug === lower) found.push(i);
    if (found.length) return found;
    var want = engine.pipeline.terms(v, false);
    if (!want.length) return found;
    for (var c = 0; c < m.chats.length; c++) {
      var have = m.chats[c].terms || (m.chats[c].terms = new Set(engine.pipeline.terms(m.chats[c].title, false)));
      var all = true;
      for (var k = 0; k < want.length && all; k++) all = have.has(want[k]);
      if (all) found.push(c);
    }
    return found;
  }

  /**
   * Runs a query. `input`: what was typed; `filters`: { chat: slug, author, after, before } from
   * the form (merged with the typed ones); `options`: { sort: 'best'|'newest'|'oldest',
   * timeZone, mode: 'all'|'any', prefetchDocs: the first page's size, to load a rare word's
   * snippets early }. Resolves to a Result (see below); never rejects for a bad
   * query, only when data files cannot be loaded.
   */
  Engine.prototype.search = function (input, filters, options) {
    var self = this;
    filters = filters || {};
    options = options || {};
    var q = parseQuery(input);
    if (filters.chat) q.chats.push(filters.chat);
    if (filters.author && String(filters.author).trim()) q.authors.push(filters.author);
    if (filters.after) q.after = filters.after;
    if (filters.before) q.before = filters.before;
    var notes = [];
    var zone = options.timeZone || 'UTC';
    var after = q.after ? parseDate(q.after, zone) : null;
    var before = q.before ? parseDate(q.before, zone) : null;
    if (q.after && after === null) notes.push('ignored after:' + q.after + ' (use YYYY-MM-DD)');
    if (q.before && before === null) notes.push('ignored before:' + q.before + ' (use YYYY-MM-DD)');

    // Positive terms with their boosts (a repeated term adds up, as in Lunr's query vector).
    var plan = planQuery(this.pipeline, q);
    var order = plan.order, boosts = plan.boosts, prefix = plan.prefix, excluded = plan.excluded, authorTerms = plan.authorTerms;
    if (order.length >= MAX_TERMS) notes.push('only the first ' + MAX_TERMS + ' words were used');
    var hasFilter = q.chats.length > 0 || authorTerms.length > 0 || after !== null || before !== null;
    if (order.length === 0 && !hasFilter) {
      return Promise.resolve(emptyResult(self, q, notes, q.words.length ? 'stopwords' : 'empty'));
    }

    var want = [];
    var seen = new Set();
    order.concat(excluded).concat([].concat.apply([], authorTerms)).forEach(function (t) {
      if (!seen.has(t)) {
        seen.add(t);
        want.push(t);
      }
    });
    // The base's buckets need not wait for its manifest when search.js knows their number.
    var info = this.info;
    if (info) want.forEach(function (t) { self.entry({ prefix: '', buckets: info.buckets }, t); });
    // A rare single word: its messages are the first page whatever the order, so their snippets
    // can load as soon as its bucket is read, beside the manifests.
    if (info && info.docChunk && options.prefetchDocs && order.length === 1 && !excluded.length && !hasFilter) {
      this.prefetchDocs({ prefix: '', buckets: info.buckets, docBase: 0, docChunk: info.docChunk }, order[0], options.prefetchDocs);
    }
    return this.view().then(function (m) {
      return Promise.all(m.parts.map(function (part) {
        return Promise.all(want.map(function (t) {
          if (t === prefix) return self.entriesWithPrefix(part, t);
          return self.entry(part, t).then(function (e) { return e ? [e] : []; });
        }));
      })).then(function (found) {
        var needed = [];
        // query term → the index terms it matches (itself, or for the prefix every term it begins)
        var matches = new Map();
        for (var p = 0; p < m.parts.length; p++) {
          for (var k = 0; k < want.length; k++) {
            var terms = matches.get(want[k]);
            if (!terms) matches.set(want[k], (terms = []));
            for (var x = 0; x < found[p][k].length; x++) {
              var e = found[p][k][x];
              needed.push({ term: e.term, part: m.parts[p], entry: e });
              if (terms.indexOf(e.term) < 0) terms.push(e.term);
            }
          }
        }
        return Promise.all(needed.map(function (n) { return self.postingsOf(n.part, n.entry); })).then(function (lists) {
          // index term → [{ entry, part, lists }…], one per index that has the term
          var postings = new Map();
          var seenAt = new Set();
          for (var i = 0; i < needed.length; i++) {
            // The prefix's own term can also be asked for exactly (an author: value, an exclusion).
            var at = needed[i].part.index + '\u0000' + needed[i].term;
            if (seenAt.has(at)) continue;
            seenAt.add(at);
            var list = postings.get(needed[i].term);
            if (!list) postings.set(needed[i].term, (list = []));
            list.push({ entry: needed[i].entry, part: needed[i].part, lists: lists[i] });
          }
          return self.filterMask(m, q, authorTerms, postings, after, before).then(function (allow) {
            return evaluate(self, m, q, order, boosts, matches, excluded, postings, allow, options, notes);
          });
        });
      });
    });
  };

  /** The entries of every index term of `where` that begins with `prefix` (one bucket: pipeline.js bucketOf). */
  Engine.prototype.entriesWithPrefix = function (where, prefix) {
    var self = this;
    var bucketKey = where.prefix + 't/' + root.ccSearchPipeline.bucketOf(prefix, where.buckets);
    return cached(self.buckets, bucketKey, function () {
      return self.file(bucketKey).then(parseBucket);
    }).then(function (map) {
      var out = [];
      map.forEach(function (e, term) {
        if (term.lastIndexOf(prefix, 0) === 0) out.push(e);
      });
      return out;
    });
  };

  /** Loads the doc-store chunks of a term's messages when it has at most `limit`. */
  Engine.prototype.prefetchDocs = function (part, term, limit) {
    var self = this;
    var noop = function () {};
    this.entry(part, term).then(function (e) {
      if (!e || e.parts !== 0 || e.nText > limit) return;
      return self.postingsOf(part, e).then(function (lists) {
        if (lists.text) lists.text.docs.forEach(function (d) { self.docChunk(part, Math.floor(d / part.docChunk)).catch(noop); });
      });
    }).catch(noop);
  };

  /** Uint8Array(docs) of documents the chat/author/date filters let through, or null (all). */
  Engine.prototype.filterMask = function (m, q, authorTerms, postings, after, before) {
    var self = this;
    var n = m.docs;
    if (!q.chats.length && !authorTerms.length && after === null && before === null) return Promise.resolve(null);
    var allow = new Uint8Array(n);
    var chatOk = null;
    if (q.chats.length) {
      chatOk = new Uint8Array(m.chats.length);
      for (var i = 0; i < q.chats.length; i++) {
        var named = chatsNamed(self, m, q.chats[i]);
        for (var k = 0; k < named.length; k++) chatOk[named[k]] = 1;
      }
    }
    var lo = after === null ? -Infinity : after;
    var hi = before === null ? Infinity : before;
    var partial = [];
    var bySlot = slotGroups(m);
    for (var s = 0; s < m.slots.length; s++) {
      var slot = m.slots[s];
      if (slot.end <= lo || slot.start >= hi) continue;
      var whole = slot.start >= lo && slot.end <= hi;
      for (var g = 0; g < bySlot[s].length; g++) {
        var gi = bySlot[s][g];
        if (chatOk && !chatOk[m.groupChat[gi]]) continue;
        allow.fill(whole ? 1 : 2, m.groupStart[gi], m.groupStart[gi] + m.groupCount[gi]);
      }
      if (!whole) for (var sg = 0; sg < slot.segments.length; sg++) partial.push(slot.segments[sg]);
    }
    var loSeconds = lo / 1000, hiSeconds = hi / 1000;
    return Promise.all(partial.map(function (seg) { return self.segmentTimes(m, seg); })).then(function (times) {
      for (var p = 0; p < partial.length; p++) {
        var seg = partial[p];
        var t = times[p];
        for (var d = seg.first; d < seg.end_; d++) {
          if (allow[d] === 2) allow[d] = t[d - seg.first] >= loSeconds && t[d - seg.first] < hiSeconds ? 1 : 0;
        }
      }
      if (authorTerms.length) {
        // author:x — every term of x in the author field; several author: filters — any of them.
        var byAuthor = new Uint8Array(n);
        for (var a = 0; a < authorTerms.length; a++) {
          var ts = authorTerms[a];
          var count = new Uint8Array(n);
          var ok = true;
          for (var k = 0; k < ts.length && ok; k++) {
            var got = postings.get(ts[k]) || [];
            ok = false;
            for (var x = 0; x < got.length; x++) {
              if (!got[x].lists.author) continue;
              ok = true;
              var docs = got[x].lists.author.docs;
              for (var j = 0; j < docs.length; j++) if (count[docs[j]] === k) count[docs[j]] = k + 1;
            }
          }
          if (!ok) continue;
          for (var d2 = 0; d2 < n; d2++) if (count[d2] === ts.length) byAuthor[d2] = 1;
        }
        for (var d3 = 0; d3 < n; d3++) allow[d3] = allow[d3] === 1 && byAuthor[d3] ? 1 : 0;
      }
      return allow;
    });
  };

  function emptyResult(engine, q, notes, reason) {
    return {
      query: q, count: 0, mode: 'all', reason: reason, notes: notes, terms: [], missing: [],
      take: function () { return Promise.resolve([]); },
      document: function (doc) { return engine.document(doc); },
    };
  }

  /**
   * Scores, filters and orders; returns a Result. `matches`: query term → the index terms it
   * matches; only the text field counts (the author field serves the author: filter).
   */
  function evaluate(engine, m, q, order, boosts, matches, excluded, postings, allow, options, notes) {
    var n = m.docs;
    var dead = m.dead;
    var textOf = function (t) {
      return (matches.get(t) || []).filter(function (it) {
        return (postings.get(it) || []).some(function (p) { return p.lists.text; });
      });
    };
    var found = order.filter(function (t) { return textOf(t).length > 0; });
    var missing = order.filter(function (t) { return textOf(t).length === 0; });
    var matched = [];
    var mode = options.mode === 'any' ? 'any' : 'all';
    var score = new Float64Array(n);
    var hits = new Uint32Array(n);
    var magnitude = 0;
    for (var i = 0; i < found.length; i++) magnitude += boosts.get(found[i]) * boosts.get(found[i]);
    magnitude = Math.sqrt(magnitude);

    // The text postings of each found query term (a prefix: of every index term it begins).
    var lists = found.map(function (t) {
      var out = [];
      textOf(t).forEach(function (it) {
        if (matched.indexOf(it) < 0) matched.push(it);
        postings.get(it).forEach(function (p) { if (p.lists.text) out.push(p.lists.text); });
      });
      return out;
    });
    // Documents some posting reached, in arrival order: the candidates come from these.
    var reached = 0;
    for (i = 0; i < lists.length; i++) for (var x = 0; x < lists[i].length; x++) reached += lists[i][x].docs.length;
    var touched = new Int32Array(reached);
    var nTouched = 0;
    for (i = 0; i < found.length; i++) {
      var boost = boosts.get(found[i]);
      var bit = 1 << i;
      for (x = 0; x < lists[i].length; x++) {
        var list = lists[i][x];
        for (var j = 0; j < list.docs.length; j++) {
          var d = list.docs[j];
          if (hits[d] === 0) touched[nTouched++] = d;
          score[d] += boost * list.w[j];
          hits[d] |= bit;
        }
      }
    }
    var banned = null;
    for (i = 0; i < excluded.length; i++) {
      var ex = postings.get(excluded[i]) || [];
      for (var y = 0; y < ex.length; y++) {
        if (!ex[y].lists.text) continue;
        banned = banned || new Uint8Array(n);
        var exDocs = ex[y].lists.text.docs;
        for (var k = 0; k < exDocs.length; k++) banned[exDocs[k]] = 1;
      }
    }

    var all = found.length === 0 ? 0 : found.length >= 32 ? 0xffffffff : (1 << found.length) - 1;
    var candidates;
    var count = 0;
    var out;
    var keep = function (d) {
      var h = hits[d];
      if (h === 0) return false;
      if (mode === 'all' && (h >>> 0) !== (all >>> 0)) return false;
      if (allow && allow[d] !== 1) return false;
      if (banned && banned[d]) return false;
      return !(dead && dead[d]);
    };
    if (order.length === 0) {
      // Filters only: every message they let through.
      out = new Int32Array(n);
      for (var d3 = 0; d3 < n; d3++) if ((!allow || allow[d3] === 1) && !(banned && banned[d3]) && !(dead && dead[d3])) out[count++] = d3;
    } else if (mode === 'all' && missing.length > 0) {
      out = new Int32Array(0);
    } else {
      out = touched.subarray(0, nTouched).sort();
      for (var t = 0; t < nTouched; t++) if (keep(out[t])) out[count++] = out[t];
    }
    candidates = out.subarray(0, count);
    if (magnitude > 0) for (i = 0; i < count; i++) score[candidates[i]] /= magnitude;

    var sort = options.sort === 'newest' || options.sort === 'oldest' ? options.sort : order.length ? 'best' : 'newest';
    var result = {
      query: q,
      count: count,
      mode: mode,
      sort: sort,
      notes: notes,
      // The index terms that matched (what snippets highlight).
      terms: matched,
      missing: missing,
      reason: count ? 'ok' : 'none',
      candidates: candidates,
      score: score,
      take: null,
      /** A document of this result's index (stays right when a newer delta arrives meanwhile). */
      document: function (doc) {
        return documentOf(engine, m, doc);
      },
    };
    result.take = sort === 'best' ? takeBest(result) : takeByTime(engine, m, result, sort === 'newest');
    return result;
  }

  function takeBest(result) {
    var sorted = null;
    return function (from, size) {
      if (!sorted) {
        var score = result.score;
        sorted = Array.prototype.slice.call(result.candidates);
        sorted.sort(function (a, b) {
          return score[b] - score[a] || b - a;
        });
      }
      return Promise.resolve(sorted.slice(from, from + size));
    };
  }

  /**
   * Newest (or oldest) first. Documents are numbered by month (the base's, then the delta's), so
   * candidates put in slot order come month by month; inside the month where the page ends,
   * messages of different chats interleave: their times come from the documents themselves when
   * few, else from the month's time files.
   */
  function takeByTime(engine, m, result, newest) {
    var cand = result.candidates;
    var n = cand.length;
    // Each candidate's slot, by rank in time order (candidates and groups both ascend: one walk).
    var keys = new Int32Array(n);
    for (var i = 0, g = 0; i < n; i++) {
      while (g + 1 < m.groupStart.length && m.groupStart[g + 1] <= cand[i]) g++;
      keys[i] = m.slots[m.groupSlot[g]].rank;
    }
    var ordered = cand;
    if (m.parts.length > 1) {
      // Base and delta candidates are each in slot order: merge them.
      var split = 0;
      while (split < n && cand[split] < m.parts[1].docBase) split++;
      var docs2 = new Int32Array(n), keys2 = new Int32Array(n);
      for (var a = 0, b = split, o = 0; o < n; o++) {
        var fromBase = a < split && (b >= n || keys[a] <= keys[b]);
        var at = fromBase ? a++ : b++;
        docs2[o] = cand[at];
        keys2[o] = keys[at];
      }
      ordered = docs2;
      keys = keys2;
    }
    var resolved = [];
    var pos = newest ? n : 0;
    var pending = Promise.resolve();

    function step(need) {
      if (resolved.length >= need || (newest ? pos <= 0 : pos >= n)) return Promise.resolve();
      var key = keys[newest ? pos - 1 : pos];
      var lo, hi;
      if (newest) {
        hi = pos;
        lo = hi;
        while (lo > 0 && keys[lo - 1] === key) lo--;
        pos = lo;
      } else {
        lo = pos;
        hi = lo;
        while (hi < n && keys[hi] === key) hi++;
        pos = hi;
      }
      var slot = m.slotByRank[key];
      var docs = Array.prototype.slice.call(ordered.subarray(lo, hi));
      var shownHere = Math.min(docs.length, need - resolved.length);
      var times;
      if (docs.length === 1) {
        times = Promise.resolve(null);
      } else if (docs.length === shownHere || docs.length * 1200 <= slot.size) {
        // All of them are shown anyway, or their chunks cost less than the month's time files.
        times = Promise.all(docs.map(function (d) { return documentOf(engine, m, d); })).then(function (records) {
          var t = new Map();
          for (var i = 0; i < records.length; i++) t.set(records[i].doc, records[i].time / 1000);
          return function (d) { return t.get(d); };
        });
      } else {
        times = Promise.all(slot.segments.map(function (seg) { return engine.segmentTimes(m, seg); })).then(function (ts) {
          return function (d) {
            for (var s = 0; s < slot.segments.length; s++) {
              var seg = slot.segments[s];
              if (d >= seg.first && d < seg.end_) return ts[s][d - seg.first];
            }
            return 0;
          };
        });
      }
      return times.then(function (timeOf) {
        if (timeOf) {
          docs.sort(function (x, y) {
            var dt = timeOf(x) - timeOf(y) || x - y;
            return newest ? -dt : dt;
          });
        }
        for (var i = 0; i < docs.length; i++) resolved.push(docs[i]);
        return step(need);
      });
    }

    return function (from, size) {
      pending = pending.then(function () { return step(from + size); });
      return pending.then(function () {
        return resolved.slice(from, from + size);
      });
    };
  }

  // ---------------------------------------------------------------- snippets

  var HIGHLIGHT_WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'\u2019\u02BC]*|\p{Extended_Pictographic}/gu;

  /**
   * The part of `text` to show (about `size` characters around the first match) as
   * [{ text, mark }] pieces; a piece is marked when its word's index term is one of `terms`.
   */
  Engine.prototype.snippet = function (text, terms, size) {
    size = size || 280;
    var set = new Set(terms);
    var pipeline = this.pipeline;
    var ranges = [];
    var m;
    HIGHLIGHT_WORD.lastIndex = 0;
    while ((m = HIGHLIGHT_WORD.exec(text)) !== null) {
      var word = m[0];
      var at = m.index;
      if (root.ccSearchPipeline.isCjk(word)) {
        var chars = Array.from(word);
        var offset = at;
        var ends = [];
        for (var c = 0; c < chars.length; c++) {
          ends.push(offset);
          offset += chars[c].length;
        }
        ends.push(offset);
        for (var c2 = 0; c2 < chars.length; c2++) {
          var low = root.ccSearchPipeline.normalize(chars[c2]);
          if (set.has(low)) ranges.push([ends[c2], ends[c2 + 1]]);
          if (c2 + 1 < chars.length && set.has(low + root.ccSearchPipeline.normalize(chars[c2 + 1]))) ranges.push([ends[c2], ends[c2 + 2]]);
        }
        continue;
      }
      var words = pipeline.tokenize(word);
      for (var w = 0; w < words.length; w++) {
        if (set.has(pipeline.term(words[w]))) {
          ranges.push([at, at + word.length]);
          break;
        }
      }
    }
    ranges.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var merged = [];
    for (var r = 0; r < ranges.length; r++) {
      var last = merged[merged.length - 1];
      if (last && ranges[r][0] <= last[1]) last[1] = Math.max(last[1], ranges[r][1]);
      else merged.push([ranges[r][0], ranges[r][1]]);
    }
    var start = 0, end = text.length;
    if (text.length > size) {
      var first = merged.length ? merged[0][0] : 0;
      start = Math.max(0, first - Math.floor(size / 4));
      if (start > 0) {
        var space = text.lastIndexOf(' ', start);
        if (space > start - 20 && space >= 0) start = space + 1;
      }
      end = Math.min(text.length, start + size);
      if (end < text.length) {
        var space2 = text.lastIndexOf(' ', end);
        if (space2 > end - 20 && space2 > start) end = space2;
      }
      start = safeIndex(text, start);
      end = safeIndex(text, end);
    }
    var pieces = [];
    if (start > 0) pieces.push({ text: '…', mark: false });
    var cursor = start;
    for (var k = 0; k < merged.length; k++) {
      var a = Math.max(merged[k][0], start), b = Math.min(merged[k][1], end);
      if (b <= a) continue;
      if (a > cursor) pieces.push({ text: text.slice(cursor, a), mark: false });
      pieces.push({ text: text.slice(a, b), mark: true });
      cursor = b;
    }
    if (cursor < end) pieces.push({ text: text.slice(cursor, end), mark: false });
    if (end < text.length) pieces.push({ text: '…', mark: false });
    return pieces;
  };

  function safeIndex(text, i) {
    var code = text.charCodeAt(i);
    return code >= 0xdc00 && code <= 0xdfff ? i + 1 : i;
  }

  root.ccSearchEngine = {
    Engine: Engine,
    parseQuery: parseQuery,
    planQuery: planQuery,
    parseDate: parseDate,
    pagePath: pagePath,
    zoneOffset: zoneOffset,
  };
})(typeof globalThis !== 'undefined' ? globalThis : this);
