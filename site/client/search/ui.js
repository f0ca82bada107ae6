// @ts-check
/*
 * chatchannels search: the search page. Reads ?q=&chat=&author=&after=&before=&sort= (the search
 * box on every page submits ?q= here), runs the engine, shows results per message with chat,
 * author, time and a highlighted snippet, each linking to the message's anchor on its archive
 * page. Data files are scripts inserted on demand (fetch() of a file fails from file:// in
 * Chromium), found relative to this script, so the site works under any path prefix and from disk.
 * Nothing is loaded before someone searches: a page opened with ?q= starts loading the query's
 * files as soon as this script runs (from the start of the page's head, before the page is parsed
 * and laid out), and typing starts loading the manifests and the buckets of the words finished so
 * far.
 */
import { Engine } from './engine.js';
import { scriptLoader } from './loader.js';
import { warmSearchBox } from './warm.js';

/** @typedef {import('./score.js').SearchResult} SearchResult */

const PAGE_SIZE = 10;

/** Starts the page's search: loading at once for a page opened with ?q=, the form once parsed. */
function start() {
  var script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  var scriptUrl = script && script.src ? script.src : document.baseURI;
  var fromDisk = location.protocol === 'file:';
  var loader = scriptLoader(new URL('data/', scriptUrl).href, fromDisk);
  /** The index version, from this script's own `?v=` (the page writes the same in data-version). */
  var scriptVersion = new URL(scriptUrl).searchParams.get('v') || '';
  /** @type {Engine | null} */
  var engine = null;

  /** @param {string} version */
  function getEngine(version) {
    if (!engine) {
      // search.js names the base index it was built with (its bucket count): see site/search/bundle.ts.
      var info = window.ccSearchIndex && window.ccSearchIndex.version === version ? window.ccSearchIndex : null;
      engine = new Engine({
        load: loader(version),
        info: info,
        stem: window.ccSearchLunr.stem,
        isStopWord: window.ccSearchLunr.isStopWord,
      });
    }
    return engine;
  }

  // A page opened with a query starts loading its data now, before the document is parsed: the
  // search the page runs once parsed (fromUrl, search) reads these same filters and options.
  var initial = new URLSearchParams(location.search);
  var initialQuery = initial.get('q');
  if (initialQuery && scriptVersion) {
    try {
      /** @param {string} name */
      var param = function (name) {
        return initial.get(name) || '';
      };
      var filters = { chat: param('chat'), author: param('author'), after: param('after'), before: param('before') };
      getEngine(scriptVersion).prefetch(initialQuery, true, { filters: filters, options: { sort: param('sort') || 'best', prefetchDocs: PAGE_SIZE } });
    } catch (e) {
      // The search proper reports any problem.
    }
  }

  function init() {
    var box = document.querySelector('[data-cc-search]');
    if (!box) {
      // Another page, loading this script as its header's search box is used (site/assets/chatchannels.js).
      var header = /** @type {HTMLFormElement | null} */ (document.querySelector('form.cc-search[role="search"]'));
      if (header && window.ccSearchIndex && !fromDisk) warmSearchBox(header, scriptUrl, window.ccSearchIndex, window.ccSearchLunr);
      return;
    }
    // The page's search box (site/search/page.ts).
    foldFiltersOnPhones(box);
    var form = /** @type {HTMLFormElement} */ (box.querySelector('form'));
    var input = /** @type {HTMLInputElement | null} */ (form.elements.namedItem('q'));
    var status = /** @type {HTMLElement} */ (box.querySelector('.cc-search-status'));
    var list = /** @type {HTMLElement} */ (box.querySelector('.cc-search-results'));
    var more = /** @type {HTMLElement} */ (box.querySelector('.cc-search-more'));
    var root = box.getAttribute('data-root') || '../';
    var zone = box.getAttribute('data-time-zone') || 'UTC';
    var lang = box.getAttribute('data-lang') || undefined;
    var version = box.getAttribute('data-version') || scriptVersion;
    var chatOptions = /** @type {HTMLTemplateElement | null} */ (box.querySelector('template.cc-search-chat-options'));
    var run = 0;
    /** @type {SearchResult | null} */
    var current = null;
    var shown = 0;
    /** @type {Intl.DateTimeFormat | null} */
    var timeFormat = null;
    /** @type {Intl.NumberFormat | null} */
    var numberFormat = null;

    /** The Intl formats (time, count). */
    function formats() {
      if (timeFormat) return;
      // As the pages write times (site/render/time.ts): `14 Sep 2021, 14:05`, a 24-hour clock.
      /** @type {Intl.DateTimeFormatOptions} */
      var parts = { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
      try {
        timeFormat = new Intl.DateTimeFormat(lang, Object.assign({ timeZone: zone }, parts));
      } catch (e) {
        timeFormat = new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: 'UTC' }, parts));
      }
      numberFormat = new Intl.NumberFormat(lang);
    }

    /**
     * Moves the chats' options from their <template> (site/search/page.ts) into the chat select,
     * once, keeping its value: after the first results, or before anything reads or sets the chat.
     */
    function fillChats() {
      var select = control('chat');
      if (!chatOptions || !select) return;
      var holder = chatOptions;
      chatOptions = null;
      holder.remove();
      select.appendChild(holder.content);
    }

    /** @param {string} name */
    function control(name) {
      return /** @type {HTMLInputElement | HTMLSelectElement | null} */ (form.elements.namedItem(name));
    }

    /** @param {string} name */
    function field(name) {
      var el = control(name);
      return el ? el.value : '';
    }

    /**
     * @param {string} name
     * @param {string | null} value
     */
    function setField(name, value) {
      if (name === 'chat' && value) fillChats();
      var el = control(name);
      if (el && value !== null) el.value = value;
    }

    function params() {
      var p = new URLSearchParams();
      ['q', 'chat', 'author', 'after', 'before', 'sort'].forEach(function (name) {
        var v = field(name);
        if (v && !(name === 'sort' && v === 'best')) p.set(name, v);
      });
      return p;
    }

    /** Performance marks (first one of each name per search) for measuring. */
    /** @type {Record<string, boolean>} */
    var marked = {};
    /** @param {string} name */
    function mark(name) {
      if (marked[name] || !window.performance || !performance.mark) return;
      marked[name] = true;
      performance.mark(name);
    }

    /** @param {string} text */
    function say(text) {
      status.textContent = text;
    }

    /** @param {string} path */
    function href(path) {
      // From disk a folder link shows a directory listing: point at its index.html.
      if (fromDisk) path = path.replace(/\/(#|$)/, '/index.html$1');
      return root + path;
    }

    /**
     * The first Intl format a page creates costs 30–100 ms (ICU loads its data). So the first
     * results are shown without their times; the times, and the status line with its count, are
     * filled in right after those results are painted.
     */
    /** @type {[HTMLTimeElement, number][]} */
    var untimed = [];
    /** @type {(() => void) | null} */
    var announce = null;
    var finishing = false;

    /** @param {() => void} fn */
    function afterPaint(fn) {
      var done = false;
      var once = function () {
        if (done) return;
        done = true;
        fn();
      };
      if (typeof requestAnimationFrame === 'function') {
        requestAnimationFrame(function () {
          setTimeout(once, 0);
        });
      }
      // Hidden pages get no animation frames.
      setTimeout(once, 100);
    }

    function finishText() {
      if (finishing) return;
      finishing = true;
      afterPaint(function () {
        finishing = false;
        formats();
        for (var i = 0; i < untimed.length; i++) untimed[i][0].textContent = formatTime(untimed[i][1]);
        untimed = [];
        var line = announce;
        announce = null;
        if (line) line();
      });
    }

    /** @param {number} time */
    function formatTime(time) {
      formats();
      try {
        return /** @type {Intl.DateTimeFormat} */ (timeFormat).format(new Date(time));
      } catch (e) {
        return new Date(time).toISOString();
      }
    }

    /** @param {number} time */
    function iso(time) {
      try {
        return new Date(time).toISOString();
      } catch (e) {
        return '';
      }
    }

    /**
     * @param {HTMLLIElement} li
     * @param {import('./documents.js').SearchRecord} record
     * @param {string[]} terms
     */
    function renderItem(li, record, terms) {
      li.className = 'cc-search-result';
      li.textContent = '';
      var a = document.createElement('a');
      a.className = 'cc-search-link';
      a.href = href(record.path);
      var meta = document.createElement('p');
      meta.className = 'cc-search-result-meta';
      var chat = document.createElement('span');
      chat.className = 'cc-search-chat';
      chat.textContent = record.chat.title;
      meta.appendChild(chat);
      if (record.author) {
        var who = document.createElement('bdi');
        who.className = 'cc-search-author';
        who.textContent = record.author;
        meta.appendChild(who);
      }
      var when = document.createElement('time');
      when.dateTime = iso(record.time);
      if (timeFormat) {
        when.textContent = formatTime(record.time);
      } else {
        untimed.push([when, record.time]);
        finishText();
      }
      meta.appendChild(when);
      a.appendChild(meta);
      var p = document.createElement('p');
      p.className = 'cc-search-snippet';
      p.setAttribute('dir', 'auto');
      var pieces = getEngine(version).snippet(record.text, terms);
      for (var i = 0; i < pieces.length; i++) {
        if (pieces[i].mark) {
          var mark = document.createElement('mark');
          mark.textContent = pieces[i].text;
          p.appendChild(mark);
        } else {
          p.appendChild(document.createTextNode(pieces[i].text));
        }
      }
      a.appendChild(p);
      li.appendChild(a);
    }

    /**
     * Shows the next page of `result`; items appear as their data arrives, in order.
     * @param {SearchResult} result
     * @param {number} id the search it belongs to
     */
    function showMore(result, id) {
      more.hidden = true;
      list.setAttribute('aria-busy', 'true');
      var from = shown;
      return result.take(from, PAGE_SIZE).then(function (docs) {
        if (id !== run) return;
        shown += docs.length;
        var items = docs.map(function (doc) {
          var li = document.createElement('li');
          li.className = 'cc-search-result cc-search-pending';
          li.textContent = 'Loading…';
          list.appendChild(li);
          return result.document(doc).then(function (record) {
            if (id !== run) return;
            renderItem(li, record, result.terms);
            mark('cc-search-first-result');
          });
        });
        return Promise.all(items).then(function () {
          if (id !== run) return;
          more.hidden = shown >= result.count;
          list.removeAttribute('aria-busy');
          if (announce) finishText();
        });
      });
    }

    /**
     * @param {SearchResult} result
     * @param {string} text
     */
    function describe(result, text) {
      formats();
      var n = /** @type {Intl.NumberFormat} */ (numberFormat).format(result.count);
      var line;
      if (result.reason === 'empty') line = 'Type something to search for.';
      else if (result.reason === 'stopwords') line = 'Those words are too common to search for; add another word.';
      else if (result.count === 0) line = 'No messages found' + (text ? ' for “' + text + '”' : '') + '.';
      else line = (result.count === 1 ? '1 message' : n + ' messages') + (text ? ' for “' + text + '”' : '') + '.';
      if (result.mode === 'any' && result.count) line = 'No message has all the words; ' + line.charAt(0).toLowerCase() + line.slice(1).replace(/\.$/, '') + ' with any of them.';
      if (result.notes && result.notes.length) line += ' (' + result.notes.join('; ') + ')';
      return line;
    }

    /** @param {boolean} push whether the search is a new history entry */
    function search(push) {
      var id = ++run;
      var text = field('q').trim();
      if (push) {
        try {
          var query = params().toString();
          history.pushState(null, '', query ? '?' + query : location.pathname);
        } catch (e) {
          // Some browsers refuse history entries for file:// pages; the search still runs.
        }
      }
      list.textContent = '';
      more.hidden = true;
      shown = 0;
      current = null;
      var filters = { chat: field('chat'), author: field('author'), after: field('after'), before: field('before') };
      list.removeAttribute('aria-busy');
      if (!text && !filters.chat && !filters.author && !filters.after && !filters.before) {
        afterPaint(fillChats);
        say('');
        return Promise.resolve();
      }
      say('Searching…');
      announce = null;
      marked = {};
      mark('cc-search-start');
      /** @type {import('./score.js').SearchOptions} */
      var options = { sort: field('sort') || 'best', timeZone: zone, prefetchDocs: PAGE_SIZE };
      var e = getEngine(version);
      return e
        .search(text, filters, options)
        .then(function (result) {
          if (id !== run) return null;
          if (result.count === 0 && result.reason === 'none' && (result.terms.length > 1 || result.missing.length > 0) && result.terms.length > 0) {
            options.mode = 'any';
            return e.search(text, filters, options);
          }
          return result;
        })
        .then(function (result) {
          if (!result || id !== run) return;
          current = result;
          mark('cc-search-scored');
          var line = function () {
            if (id === run) say(describe(result, text));
          };
          // With results, the count is announced once they are painted (see finishText).
          if (timeFormat || !result.count) line();
          else announce = line;
          return showMore(result, id);
        })
        .catch(function (error) {
          if (id !== run) return;
          list.removeAttribute('aria-busy');
          say('Search failed: ' + (error && error.message ? error.message : String(error)) + '.');
        })
        .then(function () {
          afterPaint(fillChats);
        });
    }

    function fromUrl() {
      var p = new URLSearchParams(location.search);
      setField('q', p.get('q') || '');
      setField('chat', p.get('chat') || '');
      setField('author', p.get('author') || '');
      setField('after', p.get('after') || '');
      setField('before', p.get('before') || '');
      setField('sort', p.get('sort') || 'best');
    }

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      search(true);
    });
    ['chat', 'after', 'before', 'sort', 'author'].forEach(function (name) {
      var el = control(name);
      if (el) {
        el.addEventListener('change', function () {
          if (field('q').trim() || field('chat') || field('author') || field('after') || field('before')) search(true);
        });
      }
    });
    // Start loading on the first keystrokes: the manifests, and the buckets of finished words.
    if (input) {
      var typing = input;
      typing.addEventListener('input', function () {
        var typed = typing.value;
        var finished = typed.slice(0, Math.max(typed.lastIndexOf(' '), 0));
        try {
          getEngine(version).prefetch(finished);
        } catch (e) {
          // The search proper reports any problem.
        }
      });
    }
    var chatSelect = control('chat');
    if (chatSelect) {
      // Someone reaching for the select before the first results were painted.
      chatSelect.addEventListener('focus', fillChats);
      chatSelect.addEventListener('pointerdown', fillChats);
    }
    more.addEventListener('click', function () {
      if (current) showMore(current, run);
    });
    window.addEventListener('popstate', function () {
      fromUrl();
      search(false);
    });
    fromUrl();
    if (location.search) search(false);
    else {
      afterPaint(fillChats);
      if (input && !input.value) input.focus();
    }
  }

  // Once the document is parsed ('interactive'): not at DOMContentLoaded, which also waits for the
  // page's deferred scripts (the site's chatchannels.js) and so for its stylesheets.
  if (document.readyState === 'loading') {
    var parsed = function () {
      if (document.readyState === 'loading') return;
      document.removeEventListener('readystatechange', parsed);
      init();
    };
    document.addEventListener('readystatechange', parsed);
  } else init();
}

/**
 * The filters fold away on narrow screens unless the URL sets one, so that the results start near
 * the top. Here, before the first results are shown (the search runs once the page is parsed,
 * ahead of the site's deferred chatchannels.js): folded later, they would move under the reader.
 * @param {Element} box
 */
function foldFiltersOnPhones(box) {
  var filters = /** @type {HTMLDetailsElement | null} */ (box.querySelector('details.cc-search-filters-box'));
  if (filters && window.matchMedia && window.matchMedia('(max-width: 40rem)').matches &&
      !/[?&](chat|author|after|before|sort)=[^&]/.test(location.search)) {
    filters.open = false;
  }
}

if (typeof document !== 'undefined') start();
