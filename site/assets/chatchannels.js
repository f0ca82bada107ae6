/*
 * chatchannels client script (plain ES5-ish JavaScript, no build step).
 * - Highlights the message named by the URL's #anchor (on load and on hashchange).
 * - On a chat's landing page, resolves `chats/<slug>/#<anchor>` to the message's archive page by
 *   loading the chat's anchor map file (a script, because fetch() fails from file://).
 * - Opened from disk (file://), makes links to folders open their index.html, and the search
 *   forms submit to search/index.html: browsers show a folder as a file listing. Every href and
 *   action is rewritten as soon as the page is parsed (so middle-click, "open in new tab" and the
 *   keyboard work too), and again on click for links added later.
 * - Over http(s), loads the search page's script when the header's search box is first focused:
 *   it prefetches what the search will need while someone types (site/client/search/warm.js).
 */
(function () {
  'use strict';
  var doc = document;
  var loc = window.location;
  var ANCHOR = /^#m[0-9a-f]{4,64}$/;
  var fromDisk = loc.protocol === 'file:';

  function withIndex(href) {
    // `2021/09/#m1` → `2021/09/index.html#m1` for file:// only.
    var hash = href.indexOf('#');
    var path = hash < 0 ? href : href.slice(0, hash);
    var rest = hash < 0 ? '' : href.slice(hash);
    // `search/?after=2021-09` (the home page's activity links): the query stays after index.html.
    var query = path.indexOf('?');
    if (query > 0) {
      rest = path.slice(query) + rest;
      path = path.slice(0, query);
    }
    if (path === '' || /^[a-z][a-z0-9+.-]*:/i.test(path)) return href;
    if (path.charAt(path.length - 1) === '/') path += 'index.html';
    else if (path === '.' || path === '..' || /\/\.\.?$/.test(path)) path += '/index.html';
    return path + rest;
  }

  function highlight() {
    var old = doc.querySelectorAll('.cc-highlight');
    for (var i = 0; i < old.length; i++) old[i].classList.remove('cc-highlight');
    if (!ANCHOR.test(loc.hash)) return null;
    var target = doc.getElementById(loc.hash.slice(1));
    if (!target) return null;
    // An anchor a message had before a merge: an empty element inside it (site/render/messages.ts).
    if (target.className === 'cc-alias') target = target.parentNode;
    target.classList.add('cc-highlight');
    if (target.scrollIntoView) target.scrollIntoView({ block: 'center' });
    return target;
  }

  function status(message) {
    var box = doc.querySelector('.cc-anchor-status');
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  function resolveAnchor(width) {
    var hex = loc.hash.slice(2);
    var prefix = hex.slice(0, width);
    window.ccAnchorMap = function (map) {
      for (var path in map) {
        if (Object.prototype.hasOwnProperty.call(map, path) && (',' + map[path] + ',').indexOf(',' + hex + ',') >= 0) {
          if (!/^[0-9a-z\/-]+$/.test(path)) return;
          var target = path + loc.hash;
          loc.replace(fromDisk ? withIndex(target) : target);
          return;
        }
      }
      status('This message is not in the archive.');
    };
    var script = doc.createElement('script');
    script.src = 'anchors/' + (prefix || 'all') + '.js';
    script.onerror = function () {
      status('Could not look up this message.');
    };
    doc.head.appendChild(script);
  }

  function fixFolderLinks() {
    var links = doc.querySelectorAll('a[href]');
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute('href');
      var fixed = withIndex(href);
      if (fixed !== href) links[i].setAttribute('href', fixed);
    }
    for (var j = 0; j < doc.forms.length; j++) {
      var action = doc.forms[j].getAttribute('action');
      if (action !== null && action !== '') {
        var fixedAction = withIndex(action);
        if (fixedAction !== action) doc.forms[j].setAttribute('action', fixedAction);
      }
    }
  }

  if (fromDisk) {
    // The script is deferred: the document is parsed by now.
    fixFolderLinks();
    var onLink = function (event) {
      var link = event.target && event.target.closest ? event.target.closest('a[href]') : null;
      if (!link) return;
      var href = link.getAttribute('href');
      var fixed = withIndex(href);
      if (fixed !== href) link.setAttribute('href', fixed);
    };
    // Links added after load (search results): fixed when clicked, middle-clicked too.
    doc.addEventListener('click', onLink);
    doc.addEventListener('auxclick', onLink);
  }

  // The header's search box: search/search.js, loaded on first use, gets the search page's files
  // ready while someone types. Not from disk: nothing to cache there, every file is at hand.
  var searchForm = doc.querySelector('form.cc-search[role="search"]');
  if (searchForm && !fromDisk) {
    var warmSearch = function () {
      searchForm.removeEventListener('focusin', warmSearch);
      var script = doc.createElement('script');
      script.async = true;
      script.src = new URL('search.js', searchForm.action).href;
      doc.head.appendChild(script);
    };
    searchForm.addEventListener('focusin', warmSearch);
  }

  var width = doc.body.getAttribute('data-cc-anchor-width');
  if (!highlight() && width !== null && ANCHOR.test(loc.hash)) resolveAnchor(Number(width) || 0);
  window.addEventListener('hashchange', highlight);
})();
