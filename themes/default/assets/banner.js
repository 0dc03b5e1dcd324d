/* herald's website banner. Put one tag on any page, on any site:

     <script src="https://status.example.com/banner.js" async></script>

   While the status site has an unresolved incident or a maintenance in
   progress, a notice shows at the top of the page, linking to it; when all
   is well, nothing shows. It reads banner.json from beside this script
   (the status host must send Access-Control-Allow-Origin: * with it), sets
   no cookie and no global, and remembers a dismissal in localStorage until
   the incident changes. */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src || !window.fetch || !window.URL) return;
  var source = new URL('banner.json', script.src).href;
  var key = 'herald-banner:' + source;
  var mark = 'data-herald-banner';
  var colours = { critical: '#b91c1c', major: '#b91c1c', minor: '#854d0e', none: '#854d0e', maintenance: '#1e40af' };

  function load(k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } }
  function save(k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* storage blocked: dismiss for this page only */ } }

  function el(tag, style, text) {
    var e = document.createElement(tag);
    if (style) e.style.cssText = style;
    if (text) e.textContent = text;
    return e;
  }

  function show(data) {
    var items = data && Array.isArray(data.active) ? data.active : [];
    if (!items.length || document.querySelector('[' + mark + ']')) return;
    var stamp = items.map(function (i) { return i.id + '@' + i.updated_at; }).join(' ');
    if (load(key) === stamp) return;
    var item = items[0];
    var href = new URL(String(item.path || ''), source);
    var site = (data.page && data.page.name) || 'the status page';

    var box = el('div', 'position:relative;z-index:2147483647;box-sizing:border-box;margin:0;padding:10px 56px 10px 16px;' +
      'background:' + (colours[item.impact] || colours.major) + ';color:#fff;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;text-align:left');
    box.setAttribute(mark, '');
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', 'Status notice from ' + site);
    box.setAttribute('aria-live', 'polite');

    var p = el('p', 'margin:0;padding:0;color:inherit;font:inherit');
    p.appendChild(el('strong', 'font-weight:700', item.kind === 'maintenance' ? 'Maintenance: ' : 'Incident: '));
    var link = el('a', 'color:#fff;text-decoration:underline;font-weight:600', String(item.name || ''));
    if (href.protocol === 'http:' || href.protocol === 'https:') link.href = href.href;
    p.appendChild(link);
    if (item.status_label) p.appendChild(document.createTextNode(' — ' + item.status_label));
    if (items.length > 1) {
      p.appendChild(document.createTextNode(' · '));
      var all = el('a', 'color:#fff;text-decoration:underline', (items.length - 1) + ' more on ' + site);
      all.href = new URL('./', source).href;
      p.appendChild(all);
    }
    box.appendChild(p);

    var close = el('button', 'position:absolute;top:50%;right:8px;transform:translateY(-50%);min-width:36px;min-height:36px;margin:0;padding:0 8px;' +
      'background:transparent;border:1px solid rgba(255,255,255,.6);border-radius:4px;color:#fff;font:20px/1 system-ui,sans-serif;cursor:pointer', '\u00d7');
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss status notice');
    close.addEventListener('click', function () {
      save(key, stamp);
      if (box.parentNode) box.parentNode.removeChild(box);
    });
    box.appendChild(close);

    document.body.insertBefore(box, document.body.firstChild);
  }

  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }

  fetch(source, { credentials: 'omit', cache: 'no-cache' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) { ready(function () { show(data); }); })
    .catch(function () { /* the status site is unreachable: show nothing */ });
})();
