// The answer form of a civil request (views/request_handle.html): a refusal
// (in whole or in part) must give its legal basis and at least one remedy,
// so while a refusing decision is chosen those fields are required and the
// browser will not submit the form without them. The server checks the
// same rule (forum.RequestAnswerInput.Validate); this only says it sooner.
(function () {
  'use strict';

  function sync(form) {
    var chosen = form.querySelector('input[name="decision"]:checked');
    var refusal = !!chosen && chosen.getAttribute('data-refusal') === '1';
    var basis = form.querySelector('[name="legal_basis"]');
    if (basis) basis.required = refusal;
    var boxes = form.querySelectorAll('input[name="remedies"]');
    var any = false;
    boxes.forEach(function (b) { if (b.checked) any = true; });
    boxes.forEach(function (b, i) {
      b.required = refusal && !any;
      // One message on the first box, which the browser shows.
      if (i === 0) b.setCustomValidity(refusal && !any ? form.getAttribute('data-remedy-message') || '' : '');
    });
    form.classList.toggle('is-refusal', refusal);
  }

  document.querySelectorAll('form[data-request-answer]').forEach(function (form) {
    sync(form);
    form.addEventListener('change', function () { sync(form); });
  });
})();
