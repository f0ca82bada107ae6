/*
 * chatchannels search: the engine. Loads only the data files a query needs (term buckets and
 * parts, the manifest, the doc-store chunks of the hits shown, sometimes a month's time file),
 * scores exactly as one Lunr index over every message would (Lunr's BM25 weights are stored per
 * posting; a score is the sum of boost × weight over the query's terms and fields, divided by the
 * query vector's magnitude), filters and orders. No DOM: ui.js drives it in the browser, the tests
 * drive it in Node. Data layouts: site/search/shards.ts.
 */
(function (root) {
  'use strict';

  var FORMAT = 1;
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
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      return new Uint8Array(buffer);
    });
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
    var q = { words: [], excluded: [], authors: [], chats: [], after: null, before: null };
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
      if (s.charAt(i) === '"') {
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
      else q.words.push(value);
    }
    return q;
  }

  // ---------------------------------------------------------------- the engine

  /**
   * options.load(key) → Promise<string>: the base64 payload of data file `key` (e.g. `t/12`).
   * options.stem, options.isStopWord: Lunr's (bundled with the client).
   */
  function Engine(options) {
    this.load = options.load;
    this.pipeline = root.ccSearchPipeline.createPipeline(options.stem, options.isStopWord);
    this.files = new Map();
    this.buckets = new Map();
    this.entries = new Map();
    this.postings = new Map();
    this.times = new Map();
    this.docChunks = new Map();
    this.manifestPromise = null;
  }

  Engine.prototype.file = function (key) {
    var promise = this.files.get(key);
    if (!promise) {
      promise = Promise.resolve(this.load(key)).then(function (text) {
        return inflate(fromBase64(text));
      });
      this.files.set(key, promise);
      var files = this.files;
      promise.catch(function () {
        files.delete(key); // a failed load may be retried
      });
    }
    return promise;
  };

  Engine.prototype.manifest = function () {
    if (!this.manifestPromise) {
      this.manifestPromise = this.file('manifest').then(parseManifest);
    }
    return this.manifestPromise;
  };

  function parseManifest(bytes) {
    var r = new Reader(bytes);
    var info = JSON.parse(r.string());
    if (info.format !== FORMAT) throw new Error('search data has format ' + info.format + ', this page reads ' + FORMAT);
    var chats = info.chats.map(function (c, i) {
      return { index: i, slug: c[0], title: c[1], groups: [] };
    });
    var slots = info.slots.map(function (label) {
      var range = slotRange(label);
      return { label: label, start: range[0], end: range[1], first: 0, end_: 0, groups: [] };
    });
    var starts = [], counts = [], chatOf = [], slotOf = [], byDay = [];
    var doc = 0;
    for (var s = 0; s < slots.length; s++) {
      slots[s].first = doc;
      var n = r.uint();
      var chat = 0;
      for (var g = 0; g < n; g++) {
        chat += r.uint();
        var v = r.uint();
        var count = Math.floor(v / 2);
        var gi = starts.length;
        starts.push(doc);
        counts.push(count);
        chatOf.push(chat);
        slotOf.push(s);
        byDay.push(v % 2 === 1);
        chats[chat].groups.push(gi);
        slots[s].groups.push(gi);
        doc += count;
      }
      slots[s].end_ = doc;
    }
    return {
      version: info.version,
      docs: info.docs,
      docChunk: info.docChunk,
      buckets: info.buckets,
      fields: info.fields,
      authors: info.authors,
      chats: chats,
      slots: slots,
      groupStart: Int32Array.from(starts),
      groupCount: Int32Array.from(counts),
      groupChat: Int32Array.from(chatOf),
      groupSlot: Int32Array.from(slotOf),
      groupByDay: byDay,
    };
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

  function slotOfDoc(m, doc) {
    var lo = 0, hi = m.slots.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (m.slots[mid].first <= doc) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Parses a term bucket into term → entry (postings decoded later, on demand). */
  function parseBucket(bytes) {
    var r = new Reader(bytes);
    var map = new Map();
    var n = r.uint();
    for (var k = 0; k < n; k++) {
      var e = { term: r.string(), chats: [], nText: 0, nAuthor: 0, parts: 0, textW: null, authorW: null, bytes: bytes, at: 0, firstPart: 0, partStarts: null };
      var nc = r.uint();
      var chat = 0;
      for (var c = 0; c < nc; c++) {
        chat += r.uint();
        e.chats.push([chat, r.uint() / 1000]);
      }
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

  /** The entry of an index term, or null when no message has it. */
  Engine.prototype.entry = function (term) {
    var self = this;
    var cached = this.entries.get(term);
    if (cached) return cached;
    var promise = this.manifest().then(function (m) {
      var bucket = root.ccSearchPipeline.hashTerm(term) % m.buckets;
      var parsed = self.buckets.get(bucket);
      if (!parsed) {
        parsed = self.file('t/' + bucket).then(parseBucket);
        self.buckets.set(bucket, parsed);
        parsed.catch(function () {
          self.buckets.delete(bucket);
        });
      }
      return parsed;
    }).then(function (map) {
      return map.get(term) || null;
    });
    this.entries.set(term, promise);
    var entries = this.entries;
    promise.catch(function () {
      entries.delete(term);
    });
    return promise;
  };

  /** The postings of an entry: { text, author } (each { docs, w } or null). */
  Engine.prototype.postingsOf = function (e) {
    var self = this;
    var cached = this.postings.get(e.term);
    if (cached) return cached;
    var promise;
    if (e.parts === 0) {
      var r = new Reader(e.bytes);
      r.i = e.at;
      promise = Promise.resolve({
        text: e.nText ? readPostings(r, e.nText, e.textW, 0) : null,
        author: e.nAuthor ? readPostings(r, e.nAuthor, e.authorW, 0) : null,
      });
    } else {
      var loads = [];
      for (var p = 0; p < e.parts; p++) loads.push(this.file('p/' + (e.firstPart + p)));
      promise = Promise.all(loads).then(function (parts) {
        var text = [], author = [];
        for (var p = 0; p < parts.length; p++) {
          var r = new Reader(parts[p]);
          var nt = r.uint(), na = r.uint();
          if (nt) text.push(readPostings(r, nt, e.textW, e.partStarts[p]));
          if (na) author.push(readPostings(r, na, e.authorW, e.partStarts[p]));
        }
        return { text: e.nText ? concat(text) : null, author: e.nAuthor ? concat(author) : null };
      });
    }
    this.postings.set(e.term, promise);
    promise.catch(function () {
      self.postings.delete(e.term);
    });
    return promise;
  };

  /** Seconds of each document of a slot (Float64Array indexed by doc - slot.first). */
  Engine.prototype.slotTimes = function (slot) {
    var cached = this.times.get(slot);
    if (cached) return cached;
    var self = this;
    var promise = Promise.all([this.manifest(), this.file('m/' + slot)]).then(function (got) {
      var s = got[0].slots[slot];
      var r = new Reader(got[1]);
      var n = s.end_ - s.first;
      var t = new Float64Array(n);
      var previous = 0;
      for (var i = 0; i < n; i++) t[i] = previous = previous + r.int();
      return t;
    });
    this.times.set(slot, promise);
    promise.catch(function () {
      self.times.delete(slot);
    });
    return promise;
  };

  Engine.prototype.docChunk = function (chunk) {
    var cached = this.docChunks.get(chunk);
    if (cached) return cached;
    var self = this;
    var promise = this.file('d/' + chunk).then(function (bytes) {
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
    this.docChunks.set(chunk, promise);
    promise.catch(function () {
      self.docChunks.delete(chunk);
    });
    return promise;
  };

  /**
   * A document's display record: { doc, chat: {slug, title}, author, time, text, path } where
   * path is site-root-relative: `chats/<slug>/<page>/#<anchor>`.
   */
  Engine.prototype.document = function (doc) {
    var self = this;
    return this.manifest().then(function (m) {
      return self.docChunk(Math.floor(doc / m.docChunk)).then(function (c) {
        var i = doc % m.docChunk;
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
   * timeZone, mode: 'all'|'any' }. Resolves to a Result (see below); never rejects for a bad
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
    var boosts = new Map();
    var order = [];
    for (var i = 0; i < q.words.length; i++) {
      var ts = this.termsOf(q.words[i]);
      for (var k = 0; k < ts.length; k++) {
        if (!boosts.has(ts[k])) {
          if (order.length >= MAX_TERMS) continue;
          order.push(ts[k]);
          boosts.set(ts[k], 0);
        }
        boosts.set(ts[k], boosts.get(ts[k]) + 1);
      }
    }
    if (order.length >= MAX_TERMS) notes.push('only the first ' + MAX_TERMS + ' words were used');
    var excluded = [];
    for (i = 0; i < q.excluded.length; i++) excluded = excluded.concat(this.termsOf(q.excluded[i]));
    var authorTerms = q.authors.map(function (a) {
      return self.pipeline.terms(a, true);
    }).filter(function (ts) {
      return ts.length > 0;
    });
    var hasFilter = q.chats.length > 0 || authorTerms.length > 0 || after !== null || before !== null;
    if (order.length === 0 && !hasFilter) {
      return Promise.resolve(emptyResult(q, notes, q.words.length ? 'stopwords' : 'empty'));
    }

    var want = order.concat(excluded);
    for (i = 0; i < authorTerms.length; i++) want = want.concat(authorTerms[i]);
    return Promise.all([this.manifest()].concat(want.map(function (t) { return self.entry(t); }))).then(function (got) {
      var m = got[0];
      var entries = new Map();
      for (var i = 0; i < want.length; i++) entries.set(want[i], got[i + 1]);
      var needed = [];
      entries.forEach(function (e) {
        if (e) needed.push(e);
      });
      return Promise.all(needed.map(function (e) { return self.postingsOf(e); })).then(function (lists) {
        var postings = new Map();
        for (var i = 0; i < needed.length; i++) postings.set(needed[i].term, { entry: needed[i], lists: lists[i] });
        return self.filterMask(m, q, authorTerms, postings, after, before).then(function (allow) {
          return evaluate(self, m, q, order, boosts, excluded, postings, allow, options, notes);
        });
      });
    });
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
    for (var s = 0; s < m.slots.length; s++) {
      var slot = m.slots[s];
      if (slot.end <= lo || slot.start >= hi) continue;
      var whole = slot.start >= lo && slot.end <= hi;
      if (!whole) partial.push(s);
      for (var g = 0; g < slot.groups.length; g++) {
        var gi = slot.groups[g];
        if (chatOk && !chatOk[m.groupChat[gi]]) continue;
        if (whole) allow.fill(1, m.groupStart[gi], m.groupStart[gi] + m.groupCount[gi]);
        else allow.fill(2, m.groupStart[gi], m.groupStart[gi] + m.groupCount[gi]);
      }
    }
    var loSeconds = lo / 1000, hiSeconds = hi / 1000;
    return Promise.all(partial.map(function (s) { return self.slotTimes(s); })).then(function (times) {
      for (var p = 0; p < partial.length; p++) {
        var slot = m.slots[partial[p]];
        var t = times[p];
        for (var d = slot.first; d < slot.end_; d++) {
          if (allow[d] === 2) allow[d] = t[d - slot.first] >= loSeconds && t[d - slot.first] < hiSeconds ? 1 : 0;
        }
      }
      if (authorTerms.length) {
        // author:x — every term of x in the author field; several author: filters — any of them.
        var byAuthor = new Uint8Array(n);
        for (var a = 0; a < authorTerms.length; a++) {
          var ts = authorTerms[a];
          var count = new Uint8Array(n);
          var ok = true;
          for (var k = 0; k < ts.length; k++) {
            var got = postings.get(ts[k]);
            if (!got || !got.lists.author) {
              ok = false;
              break;
            }
            var docs = got.lists.author.docs;
            for (var j = 0; j < docs.length; j++) if (count[docs[j]] === k) count[docs[j]] = k + 1;
          }
          if (!ok) continue;
          for (var d2 = 0; d2 < n; d2++) if (count[d2] === ts.length) byAuthor[d2] = 1;
        }
        for (var d3 = 0; d3 < n; d3++) allow[d3] = allow[d3] === 1 && byAuthor[d3] ? 1 : 0;
      }
      return allow;
    });
  };

  function emptyResult(q, notes, reason) {
    return { query: q, count: 0, mode: 'all', reason: reason, notes: notes, terms: [], missing: [], take: function () { return Promise.resolve([]); } };
  }

  /** Scores, filters and orders; returns a Result. */
  function evaluate(engine, m, q, order, boosts, excluded, postings, allow, options, notes) {
    var n = m.docs;
    var found = order.filter(function (t) { return postings.has(t); });
    var missing = order.filter(function (t) { return !postings.has(t); });
    var mode = options.mode === 'any' ? 'any' : 'all';
    var score = new Float64Array(n);
    var hits = new Uint32Array(n);
    var magnitude = 0;
    for (var i = 0; i < found.length; i++) magnitude += boosts.get(found[i]) * boosts.get(found[i]);
    magnitude = Math.sqrt(magnitude);

    for (i = 0; i < found.length; i++) {
      var term = found[i];
      var boost = boosts.get(term);
      var bit = 1 << i;
      var p = postings.get(term);
      var fields = [p.lists.text, p.lists.author];
      for (var f = 0; f < 2; f++) {
        var list = fields[f];
        if (!list) continue;
        for (var j = 0; j < list.docs.length; j++) {
          var d = list.docs[j];
          score[d] += boost * list.w[j];
          hits[d] |= bit;
        }
      }
      var chats = p.entry.chats;
      for (var c = 0; c < chats.length; c++) {
        var groups = m.chats[chats[c][0]].groups;
        var add = boost * chats[c][1];
        for (var g = 0; g < groups.length; g++) {
          var from = m.groupStart[groups[g]], to = from + m.groupCount[groups[g]];
          for (var d2 = from; d2 < to; d2++) {
            score[d2] += add;
            hits[d2] |= bit;
          }
        }
      }
    }
    var banned = null;
    for (i = 0; i < excluded.length; i++) {
      var ex = postings.get(excluded[i]);
      if (!ex) continue;
      banned = banned || new Uint8Array(n);
      var lists = [ex.lists.text, ex.lists.author];
      for (var f2 = 0; f2 < 2; f2++) if (lists[f2]) for (var k = 0; k < lists[f2].docs.length; k++) banned[lists[f2].docs[k]] = 1;
      for (var c2 = 0; c2 < ex.entry.chats.length; c2++) {
        var gs = m.chats[ex.entry.chats[c2][0]].groups;
        for (var g2 = 0; g2 < gs.length; g2++) banned.fill(1, m.groupStart[gs[g2]], m.groupStart[gs[g2]] + m.groupCount[gs[g2]]);
      }
    }

    var all = found.length === 0 ? 0 : found.length >= 32 ? 0xffffffff : (1 << found.length) - 1;
    var candidates;
    var count = 0;
    var out = new Int32Array(n);
    if (order.length === 0) {
      // Filters only: every message they let through.
      for (var d3 = 0; d3 < n; d3++) if ((!allow || allow[d3] === 1) && !(banned && banned[d3])) out[count++] = d3;
    } else if (mode === 'all' && missing.length > 0) {
      count = 0;
    } else {
      for (var d4 = 0; d4 < n; d4++) {
        var h = hits[d4];
        if (h === 0) continue;
        if (mode === 'all' && (h >>> 0) !== (all >>> 0)) continue;
        if (allow && allow[d4] !== 1) continue;
        if (banned && banned[d4]) continue;
        out[count++] = d4;
      }
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
      terms: found,
      missing: missing,
      reason: count ? 'ok' : 'none',
      candidates: candidates,
      score: score,
      take: null,
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
   * Newest (or oldest) first. Documents are numbered by month, so months come in order for free;
   * inside the month where the page ends, messages of different chats interleave: their times come
   * from the documents themselves when few, else from the month's time file.
   */
  function takeByTime(engine, m, result, newest) {
    var cand = result.candidates;
    var resolved = [];
    var pos = newest ? cand.length : 0;
    var pending = Promise.resolve();

    function lowerBound(doc) {
      var lo = 0, hi = cand.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (cand[mid] < doc) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }

    function step(need) {
      if (resolved.length >= need || (newest ? pos <= 0 : pos >= cand.length)) return Promise.resolve();
      var s = slotOfDoc(m, cand[newest ? pos - 1 : pos]);
      var slot = m.slots[s];
      var a, b;
      if (newest) {
        b = pos;
        a = lowerBound(slot.first);
        pos = a;
      } else {
        a = pos;
        b = lowerBound(slot.end_);
        pos = b;
      }
      var docs = Array.prototype.slice.call(cand.subarray(a, b));
      var shownHere = Math.min(docs.length, need - resolved.length);
      var times;
      if (docs.length === 1) {
        times = Promise.resolve(null);
      } else if (docs.length === shownHere || docs.length * 1200 <= slot.end_ - slot.first) {
        // All of them are shown anyway, or their chunks cost less than the month's time file.
        times = Promise.all(docs.map(function (d) { return engine.document(d); })).then(function (records) {
          var t = new Map();
          for (var i = 0; i < records.length; i++) t.set(records[i].doc, records[i].time / 1000);
          return function (d) { return t.get(d); };
        });
      } else {
        times = engine.slotTimes(s).then(function (t) {
          return function (d) { return t[d - slot.first]; };
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
    parseDate: parseDate,
    pagePath: pagePath,
    zoneOffset: zoneOffset,
  };
})(typeof globalThis !== 'undefined' ? globalThis : this);
