// federationd's page script: an enhancement only — the page is complete without it.
// Filters apply as they change and the page refreshes itself every data-refresh seconds, by
// fetching this same page (same query, same lottery seed) and swapping its sections, so the
// server renders everything. Open detail panels stay open across refreshes.
(function () {
  'use strict';
  document.documentElement.classList.add('js');
  var body = document.body;
  var form = document.getElementById('filter-form');
  var refreshMs = Math.max(5, parseInt(body.getAttribute('data-refresh') || '30', 10)) * 1000;
  var sections = ['stats', 'book', 'coordinators'];
  var inFlight = null;

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== '' && !(key === 'currency' && value === '0') && !(key === 'type' && value === '2')) {
        params.set(key, value);
      }
    });
    return params.toString();
  }

  function openPanels() {
    var open = [];
    document.querySelectorAll('#coordinators details[open]').forEach(function (d) { open.push(d.id); });
    return open;
  }

  function load() {
    var q = query();
    if (inFlight) inFlight.abort();
    var controller = new AbortController();
    inFlight = controller;
    return fetch('/?' + q, { signal: controller.signal, credentials: 'omit' })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var open = openPanels();
        sections.forEach(function (id) {
          var fresh = doc.getElementById(id);
          var old = document.getElementById(id);
          if (fresh && old) old.replaceWith(fresh);
        });
        open.forEach(function (id) {
          var d = document.getElementById(id);
          if (d) d.open = true;
        });
        history.replaceState(null, '', '/?' + q);
        body.setAttribute('data-loaded', String(Date.now()));
      })
      .catch(function () { /* a failed refresh keeps the page as it is */ })
      .finally(function () { if (inFlight === controller) inFlight = null; });
  }

  var typing = null;
  form.addEventListener('change', function () { load(); });
  form.addEventListener('input', function (e) {
    if (e.target.tagName !== 'INPUT') return;
    clearTimeout(typing);
    typing = setTimeout(load, 400);
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); load(); });
  setInterval(load, refreshMs);
})();
