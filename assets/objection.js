// The strongest objection before a support (issue 18). Without this script
// the support form posts, and the server answers with a page that shows the
// strongest argument against (and for) the proposal before the support is
// recorded. With it, the same arguments open in the page's own <dialog>
// (drawn by the server, hidden until now), whose form confirms the support
// (seen=1 and the ids shown) or closes it (its "back" button submits with
// method=dialog). The browser's modal dialog keeps focus inside, closes on
// Escape and gives focus back to the support button.
(function () {
  'use strict';
  document.querySelectorAll('form[data-objection-dialog]').forEach(function (form) {
    var dialog = document.getElementById(form.getAttribute('data-objection-dialog'));
    if (!dialog || typeof dialog.showModal !== 'function') return; // the confirmation page stays the way
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!dialog.open) dialog.showModal();
    });
  });
})();
