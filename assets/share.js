// Share buttons (issue 18): the browser's own share sheet, where there is
// one. Without navigator.share the button stays hidden and the plain share
// links and the copy button (live.js) do the work; nothing here talks to
// another site.
(function () {
  'use strict';
  if (typeof navigator.share !== 'function') return;
  document.querySelectorAll('[data-share-native]').forEach(function (item) {
    var button = item.querySelector('button[data-share-url]');
    if (!button) return;
    item.hidden = false;
    button.addEventListener('click', function () {
      var data = { title: button.dataset.shareTitle, url: button.dataset.shareUrl };
      if (navigator.canShare && !navigator.canShare(data)) return;
      navigator.share(data).catch(function () { /* dismissed: nothing to do */ });
    });
  });
})();
