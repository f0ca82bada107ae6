/*
 * chatchannels search: the search page. Reads ?q=&chat=&author=&after=&before=&sort= (the search
 * box on every page submits ?q= here), runs the engine, shows results per message with chat,
 * author, time and a highlighted snippet, each linking to the message's anchor on its archive
 * page. Data files are scripts inserted on demand (fetch() of a file fails from file:// in
 * Chromium), found relative to this script, so the site works under any path prefix and from disk.
 * Nothing is loaded before the first search.
 */
(function () {
  'use strict';
  if (typeof document === 'undefined') return;

  var PAGE_SIZE = 10;
  var script = document.currentScript;
  var scriptUrl = script && script.src ? script.src : document.baseURI;
  var dataBase = new URL('data/', scriptUrl).href;
  var fromDisk = location.protocol === 'file:';
  var waiting = new Map();

  /** Every data file calls this with its key and payload. */
  window.ccSearchData = function (key, payload) {
    var w = waiting.get(key);
    if (!w) return;
    waiting.delete(key);
    w.resolve(payload);
  };

  function loader(version) {
    return function (key) {
      return new Promise(function (resolve, reject) {
        waiting.set(key, { resolve: resolve });
        var tag = document.createElement('script');
        tag.async = true;
        tag.src = dataBase + key + '.js' + (fromDisk ? '' : '?v=' + encodeURIComponent(version));
        tag.onload = function () {
          tag.remove();
          if (waiting.has(key)) {
            waiting.delete(key);
            reject(new Error('search data file ' + key + ' did not register'));
          }
        };
        tag.onerror = function () {
          tag.remove();
          waiting.delete(key);
          reject(new Error('could not load search data (' + key + ')'));
        };
        document.head.appendChild(tag);
      });
    };
  }

  function init() {
    var box = document.querySelector('[data-cc-search]');
    if (!box) return;
    var form = box.querySelector('form');
    var input = form.elements.namedItem('q');
    var status = box.querySelector('.cc-search-status');
    var list = box.querySelector('.cc-search-results');
    var more = box.querySelector('.cc-search-more');
    var root = box.getAttribute('data-root') || '../';
    var zone = box.getAttribute('data-time-zone') || 'UTC';
    var lang = box.getAttribute('data-lang') || undefined;
    var version = box.getAttribute('data-version') || '';
    var engine = null;
    var run = 0;
    var current = null;
    var shown = 0;
    var timeFormat;
    try {
      timeFormat = new Intl.DateTimeFormat(lang, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' });
    } catch (e) {
      timeFormat = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });
    }
    var numberFormat = new Intl.NumberFormat(lang);

    function getEngine() {
      if (!engine) {
        engine = new window.ccSearchEngine.Engine({
          load: loader(version),
          stem: window.ccSearchLunr.stem,
          isStopWord: window.ccSearchLunr.isStopWord,
        });
      }
      return engine;
    }

    function field(name) {
      var el = form.elements.namedItem(name);
      return el ? el.value : '';
    }

    function setField(name, value) {
      var el = form.elements.namedItem(name);
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
    var marked = {};
    function mark(name) {
      if (marked[name] || !window.performance || !performance.mark) return;
      marked[name] = true;
      performance.mark(name);
    }

    function say(text) {
      status.textContent = text;
    }

    function href(path) {
      // From disk a folder link shows a directory listing: point at its index.html.
      if (fromDisk) path = path.replace(/\/(#|$)/, '/index.html$1');
      return root + path;
    }

    function formatTime(time) {
      try {
        return timeFormat.format(new Date(time));
      } catch (e) {
        return new Date(time).toISOString();
      }
    }

    function iso(time) {
      try {
        return new Date(time).toISOString();
      } catch (e) {
        return '';
      }
    }

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
      when.textContent = formatTime(record.time);
      meta.appendChild(when);
      a.appendChild(meta);
      var p = document.createElement('p');
      p.className = 'cc-search-snippet';
      p.setAttribute('dir', 'auto');
      var pieces = engine.snippet(record.text, terms);
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

    /** Shows the next page of `result`; items appear as their data arrives, in order. */
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
          return getEngine().document(doc).then(function (record) {
            if (id !== run) return;
            renderItem(li, record, result.terms);
            mark('cc-search-first-result');
          });
        });
        return Promise.all(items).then(function () {
          if (id !== run) return;
          more.hidden = shown >= result.count;
          list.removeAttribute('aria-busy');
        });
      });
    }

    function describe(result, text) {
      var n = numberFormat.format(result.count);
      var line;
      if (result.reason === 'empty') line = 'Type something to search for.';
      else if (result.reason === 'stopwords') line = 'Those words are too common to search for; add another word.';
      else if (result.count === 0) line = 'No messages found' + (text ? ' for “' + text + '”' : '') + '.';
      else line = (result.count === 1 ? '1 message' : n + ' messages') + (text ? ' for “' + text + '”' : '') + '.';
      if (result.mode === 'any' && result.count) line = 'No message has all the words; ' + line.charAt(0).toLowerCase() + line.slice(1).replace(/\.$/, '') + ' with any of them.';
      if (result.notes && result.notes.length) line += ' (' + result.notes.join('; ') + ')';
      return line;
    }

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
        say('');
        return Promise.resolve();
      }
      say('Searching…');
      marked = {};
      mark('cc-search-start');
      var options = { sort: field('sort') || 'best', timeZone: zone };
      var e = getEngine();
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
          say(describe(result, text));
          return showMore(result, id);
        })
        .catch(function (error) {
          if (id !== run) return;
          list.removeAttribute('aria-busy');
          say('Search failed: ' + (error && error.message ? error.message : String(error)) + '.');
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
      var el = form.elements.namedItem(name);
      if (el) {
        el.addEventListener('change', function () {
          if (field('q').trim() || field('chat') || field('author') || field('after') || field('before')) search(true);
        });
      }
    });
    more.addEventListener('click', function () {
      if (current) showMore(current, run);
    });
    window.addEventListener('popstate', function () {
      fromUrl();
      search(false);
    });
    fromUrl();
    if (location.search) search(false);
    else if (input && !input.value) input.focus();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
