// Live updates for e-people. Every page works without this script; it only
// adds what others post while the page is open, and posts votes and comments
// without a page load. It inserts only the server's sanitized HTML and never
// builds markup from data.
//
// Each socket message is {id, topic, type, data, html} (live.Message in
// forum/live/hub.go), or {type: "reload"} when missed events cannot be
// replayed. data is the event's payload, one Go struct per type in
// forum/event.go, which documents every field; html is the partial the
// server drew, if any. This script reads only these fields of data:
//   comment.created       comment_id, parent_id, stance, comments
//   comment.deleted       comment_id, stance, comments
//   comment.hidden        comment_id, stance
//   comment.restored      comment_id, stance
//   comment.updated       comment_id
//   comment.voted         comment_id, up, down
//   proposal.supported    supports
//   proposal.status       proposal_id, status
//   proposal.updated      (html only: the edited title and text)
//   thread.locked         locked
//   notification.created  unread
// The other types it handles use only html, or reload the page.
(function () {
  'use strict';

  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.content : '';
  }

  var csrf = meta('csrf-token');
  var userId = meta('user-id');
  var topics = meta('live-topics');
  var lastId = parseInt(meta('live-since'), 10) || 0;
  // The live status shows only on pages with live content (a proposal, a
  // debate), in its own line of the page; every live page, and every page a
  // signed-in reader opens, has the announcer, which holds the messages.
  var statusEl = document.getElementById('live-status');
  var announcer = document.getElementById('live-announcer');
  var msgs = announcer ? announcer.dataset : {};
  var numbers = new Intl.NumberFormat(document.documentElement.lang || 'ko');
  var socket = null;
  var connected = false;
  var backoff = 1000;
  var stopped = false;

  function setStatus(key) {
    if (!statusEl) return;
    statusEl.textContent = msgs['msg' + key.charAt(0).toUpperCase() + key.slice(1)] || '';
    statusEl.className = 'live-status live-' + key;
  }

  function announce(text) {
    if (!announcer || !text) return;
    announcer.textContent = '';
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function fromHTML(html) {
    var t = document.createElement('template');
    t.innerHTML = html;
    return t.content.firstElementChild;
  }

  // prepare makes server HTML drawn for every viewer fit this one: tokens,
  // and vote controls only for signed-in readers of others' comments.
  function prepare(root) {
    root.querySelectorAll('input[name="_csrf"]').forEach(function (i) {
      if (!i.value) i.value = csrf;
    });
    var comments = root.matches && root.matches('.comment') ? [root] : [];
    root.querySelectorAll('.comment').forEach(function (c) { comments.push(c); });
    comments.forEach(function (li) {
      var own = userId !== '' && li.dataset.author === userId;
      var actions = li.querySelector(':scope > article .comment-actions');
      if (!actions) return;
      actions.querySelectorAll('.member-only').forEach(function (el) {
        if (userId === '' || (own && el.matches('form.vote, .report-link'))) el.remove();
      });
      actions.querySelectorAll('.guest-only').forEach(function (el) {
        if (userId === '' || own) el.classList.remove('guest-only');
        else el.remove();
      });
    });
  }

  function setText(sel, value) {
    document.querySelectorAll(sel).forEach(function (el) { el.textContent = numbers.format(value); });
  }

  function bumpTally(stance, delta) {
    document.querySelectorAll('[data-tally="' + stance + '"]').forEach(function (el) {
      el.textContent = String(Math.max(0, (parseInt(el.textContent, 10) || 0) + delta));
    });
  }

  function insertComment(m) {
    var id = m.data.comment_id;
    if (!m.html || document.getElementById('c' + id)) return;
    var node = fromHTML(m.html);
    if (!node) return;
    prepare(node);
    bumpTally(m.data.stance, 1);
    var own = userId !== '' && node.dataset.author === userId;
    var list = document.querySelector('ol.comments');
    if (!list) return;
    if (m.data.parent_id) {
      // A reply goes under its parent, if this page shows the parent.
      var parent = document.getElementById('c' + m.data.parent_id);
      if (!parent) return elsewhere();
      list = parent.querySelector(':scope > ol.replies');
      if (!list) {
        list = document.createElement('ol');
        list.className = 'replies';
        parent.appendChild(list);
      }
      list.appendChild(node);
    } else if (list.dataset.order === 'newest') {
      // The newest first: it belongs at the top, if this page starts there.
      if (list.dataset.page !== '1' && !own) return elsewhere();
      list.prepend(node);
    } else {
      // The best first: a new comment has no votes yet and goes last, if
      // the last page is shown; the citizen's own always shows.
      if (document.querySelector('a[data-more]') && !own) return elsewhere();
      list.appendChild(node);
    }
    node.classList.add('is-new');
    var empty = document.querySelector('[data-live="no-comments"]');
    if (empty) empty.hidden = true;
    announce(msgs.msgNew);
  }

  // elsewhere counts new comments that belong where this page does not
  // show, in a notice that links to them.
  function elsewhere() {
    var note = document.querySelector('[data-live="elsewhere"]');
    if (!note) return;
    var count = note.querySelector('[data-count="elsewhere"]');
    if (count) count.textContent = numbers.format((parseInt(count.textContent.replace(/\D/g, ''), 10) || 0) + 1);
    note.hidden = false;
  }

  // The next page of comments, in place: the server draws it alone; the
  // link keeps working without script.
  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[data-more]');
    if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var list = document.querySelector('ol.comments');
    if (!list) return;
    e.preventDefault();
    if (link.getAttribute('aria-busy') === 'true') return;
    link.setAttribute('aria-busy', 'true');
    var pager = link.closest('[data-live="pager"]');
    fetch(link.dataset.more, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        return res.text();
      }).then(function (html) {
        var t = document.createElement('template');
        t.innerHTML = html;
        var first = null;
        Array.prototype.slice.call(t.content.children).forEach(function (el) {
          // A comment posted since the page was drawn may shift one into
          // the next page: show each once.
          if (!el.matches('li.comment') || document.getElementById(el.id)) return;
          list.appendChild(el);
          if (!first) first = el;
        });
        var next = t.content.querySelector('a[data-more]');
        if (next) link.replaceWith(next); else link.remove();
        if (first) {
          first.tabIndex = -1;
          first.focus();
        }
        announce(link.dataset.msgLoaded);
      }).catch(function () {
        link.removeAttribute('aria-busy');
        announce(pager && pager.dataset.msgError);
      });
  });

  function replaceComment(m) {
    var old = document.getElementById('c' + m.data.comment_id);
    if (!old || !m.html) return;
    var node = fromHTML(m.html);
    if (!node) return;
    prepare(node);
    var replies = old.querySelector(':scope > ol.replies');
    if (replies) node.appendChild(replies);
    old.replaceWith(node);
  }

  function setVotes(id, up, down) {
    var li = document.getElementById('c' + id);
    if (!li) return;
    li.querySelectorAll(':scope > article [data-count="up"]').forEach(function (el) { el.textContent = up; });
    li.querySelectorAll(':scope > article [data-count="down"]').forEach(function (el) { el.textContent = down; });
  }

  function readOnly() {
    document.querySelectorAll('form.comment-form, form.vote, [data-reply], [data-live="open-only"]').forEach(function (el) { el.remove(); });
    document.querySelectorAll('.guest-only').forEach(function (el) { el.classList.remove('guest-only'); });
    document.querySelectorAll('[data-live="closed-note"]').forEach(function (el) { el.hidden = false; });
  }

  function replaceInto(sel, html) {
    document.querySelectorAll(sel).forEach(function (el) {
      var t = document.createElement('template');
      t.innerHTML = html;
      el.replaceChildren(t.content);
    });
  }

  // refreshState redraws what a proposal page shows of its state (badge,
  // clock, timeline) from the server's fragment, region by region: the
  // clock and the timeline change with the state, and only the server
  // knows their words.
  function refreshState(id) {
    var regions = document.querySelectorAll('[data-live="clock"], [data-live="timeline"], [data-live="milestones"]');
    if (!regions.length) return;
    fetch('/proposals/' + encodeURIComponent(id) + '/state', { credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.text() : ''; })
      .then(function (html) {
        if (!html) return;
        var t = document.createElement('template');
        t.innerHTML = html;
        t.content.querySelectorAll('[data-live]').forEach(function (part) {
          replaceInto('[data-live="' + part.dataset.live + '"]', part.innerHTML);
        });
      })
      .catch(function () { /* the page is right again on the next load */ });
  }

  function onMessage(m) {
    if (m.type === 'status') { // the server lost (reconnecting) or regained (live) the other nodes
      setStatus(m.data && m.data.state === 'live' ? 'on' : 'off');
      return;
    }
    if (m.type === 'reload') {
      stopped = true;
      setStatus('reload');
      return;
    }
    if (m.id > lastId) lastId = m.id;
    var d = m.data || {};
    switch (m.type) {
      case 'comment.created':
        insertComment(m);
        if (typeof d.comments === 'number') setText('[data-live="comments"]', d.comments);
        break;
      case 'comment.updated':
        replaceComment(m);
        break;
      case 'comment.deleted':
        replaceComment(m);
        if (d.stance) bumpTally(d.stance, -1);
        if (typeof d.comments === 'number') setText('[data-live="comments"]', d.comments);
        break;
      case 'comment.hidden':
        replaceComment(m);
        if (d.stance) bumpTally(d.stance, -1);
        break;
      case 'comment.restored':
        replaceComment(m);
        if (d.stance) bumpTally(d.stance, 1);
        break;
      case 'proposal.hidden':
      case 'proposal.restored':
        stopped = true;
        location.reload();
        break;
      case 'answer.rated': // supporters' ratings of the answer (issue 18): the round's average and count
        if (m.html) replaceInto('[data-live="answer-score-' + d.round + '"]', m.html);
        break;
      case 'response.published':
        if (m.html) replaceInto('[data-live="response"]', m.html);
        announce(msgs.msgNote);
        break;
      case 'proposal.transferred':
      case 'proposal.co_ministry':
      case 'proposal.merged': // issue 18: a signpost appears (or goes), the counts move: the server draws the page anew
        stopped = true;
        location.reload();
        break;
      case 'thread.locked':
        if (d.locked) readOnly(); else location.reload();
        break;
      case 'notification.created':
        document.querySelectorAll('[data-live="unread"]').forEach(function (el) {
          el.textContent = numbers.format(d.unread);
          el.hidden = !d.unread;
        });
        announce(msgs.msgNote);
        break;
      case 'comment.voted':
        setVotes(d.comment_id, d.up, d.down);
        break;
      case 'proposal.supported':
        setText('[data-live="supports"]', d.supports);
        document.querySelectorAll('progress[data-live="support-bar"]').forEach(function (bar) {
          bar.value = Math.min(d.supports, bar.max);
        });
        setText('[data-live="unverified-supports"]', d.unverified || 0);
        document.querySelectorAll('[data-live="unverified-supports-wrap"]').forEach(function (el) { el.hidden = !d.unverified; });
        break;
      case 'proposal.status':
        if (d.status === 'awaiting_response' && (d.from === 'answered' || d.from === 'referred')) {
          // supporters' objections sent the answer back (issue 18): the answer, its feedback and the clock all change
          stopped = true;
          location.reload();
          break;
        }
        if (m.html) replaceInto('[data-live="status"]', m.html);
        if (d.status === 'closed' || d.status === 'withdrawn') readOnly();
        if (d.proposal_id) refreshState(d.proposal_id);
        break;
      case 'milestone.changed': // issue 18: the milestones and the timeline, drawn by the server
        if (d.proposal_id) refreshState(d.proposal_id);
        announce(msgs.msgNote);
        break;
      case 'proposal.updated': // an edit was shown: its title and text, drawn by the server
        if (m.html) {
          var t = document.createElement('template');
          t.innerHTML = m.html;
          t.content.querySelectorAll('[data-live]').forEach(function (part) {
            replaceInto('[data-live="' + part.dataset.live + '"]', part.innerHTML);
          });
          var body = document.querySelector('[data-live="proposal-body"]');
          if (body && body.dataset.msgEdited) announce(body.dataset.msgEdited);
        }
        break;
      case 'debate.opened': // the comment form and the time left appear: the server draws the page anew
        stopped = true;
        location.reload();
        break;
      case 'debate.closed':
        if (m.html) replaceInto('[data-live="debate-status"]', m.html);
        document.querySelectorAll('[data-live="debate-when"]').forEach(function (el) { el.remove(); });
        readOnly();
        break;
      case 'debate.concluded':
        if (m.html) replaceInto('[data-live="conclusion"]', m.html);
        document.querySelectorAll('[data-live="conclusion-pending"]').forEach(function (el) { el.remove(); });
        announce(msgs.msgNew);
        break;
    }
  }

  function connect() {
    if (stopped || !topics || !('WebSocket' in window)) return;
    var scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var url = scheme + '//' + location.host + '/live?topics=' + encodeURIComponent(topics) + '&since=' + lastId;
    socket = new WebSocket(url);
    socket.onopen = function () {
      connected = true;
      backoff = 1000;
      setStatus('on');
    };
    socket.onmessage = function (e) {
      try { onMessage(JSON.parse(e.data)); } catch (err) { /* a bad message must not stop the stream */ }
    };
    socket.onclose = function () {
      connected = false;
      if (stopped) return;
      setStatus('off');
      var wait = backoff + Math.floor(Math.random() * 500);
      backoff = Math.min(backoff * 2, 30000);
      window.setTimeout(connect, wait);
    };
  }

  // Before a comment or proposal is stored, warn its author that it seems to
  // contain personal data (a phone number, e-mail address, resident
  // registration number or card number). The server runs the very rule that
  // would hold the post for review (POST /screen), so there is one rule. The
  // warning shows in the form's status area; pressing the button again with
  // the same text posts anyway. Without script the post is held and the page
  // after it says why.
  function draft(form) {
    var title = form.querySelector('[name="title"]');
    var body = form.querySelector('[name="body"]');
    return { title: title ? title.value : '', body: body ? body.value : '' };
  }

  // mayHoldPersonalData is a necessary condition of the server's rule, folded
  // as the server folds (NFKC): every number it looks for has at least nine
  // digits (seven are asked for here, to spare), and an e-mail address an
  // @. Most posts have neither and go straight out, without asking first.
  function mayHoldPersonalData(text) {
    var t = text.normalize ? text.normalize('NFKC') : text;
    return t.indexOf('@') >= 0 || (t.match(/[0-9]/g) || []).length >= 7;
  }

  // Capture, so that this runs before the comment is posted by script below.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.matches || !form.matches('form[data-screen]')) return;
    var d = draft(form);
    var key = d.title + '\n\n' + d.body;
    if (form.dataset.screened === key) return; // checked, or warned and pressed again
    if (!mayHoldPersonalData(key)) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    var submitter = e.submitter;
    var pass = function () {
      form.dataset.screened = key;
      if (submitter) form.requestSubmit(submitter); else form.requestSubmit();
    };
    fetch('/screen', {
      method: 'POST',
      body: new URLSearchParams(d),
      headers: { 'X-CSRF-Token': csrf, 'Accept': 'application/json' },
      credentials: 'same-origin'
    }).then(function (res) {
      return res.ok ? res.json() : null;
    }).then(function (j) {
      if (!j || !j.personal_data) {
        pass();
        return;
      }
      form.dataset.screened = key;
      var box = form.querySelector('.form-status');
      if (box) {
        box.textContent = j.message;
        box.hidden = false;
      }
      var field = form.querySelector('[name="body"]');
      if (field) field.focus();
    }).catch(pass); // the server still holds the post and says why
  }, true);

  // A civil request's files are checked before they are sent: more files
  // than data-max-files, or one larger than data-max-bytes, the server would
  // refuse after the upload (or, past its body limit, before reading the
  // form at all). The message goes beside the field and nothing is sent;
  // the server checks every file again by its content.
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var input = form.querySelector && form.querySelector('input[type=file][data-max-files]');
    if (!input || !input.files) return;
    var box = document.getElementById(input.id + '-check');
    var msg = '';
    if (input.files.length > Number(input.dataset.maxFiles)) {
      msg = input.dataset.msgCount;
    } else {
      for (var i = 0; i < input.files.length && !msg; i++) {
        if (input.files[i].size > Number(input.dataset.maxBytes)) {
          msg = input.dataset.msgSize.replace('{name}', input.files[i].name);
        }
      }
    }
    if (!msg) {
      if (box) box.hidden = true;
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    input.setAttribute('aria-invalid', 'true');
    if (box) {
      box.textContent = msg;
      box.hidden = false;
    } else {
      announce(msg);
    }
    input.focus();
  }, true);

  // Votes and comments go to the same routes as the plain forms, by script.
  function showError(form, text) {
    var box = form.querySelector('.form-status');
    if (box) {
      box.textContent = text;
      box.hidden = false;
    } else {
      announce(text);
    }
  }

  function afterVote(form, j) {
    var li = form.closest('.comment');
    if (!li) return;
    setVotes(j.comment_id, j.up, j.down);
    li.querySelectorAll(':scope > article form.vote').forEach(function (f) {
      var btn = f.querySelector('button');
      var up = btn.dataset.vote === 'up';
      var mine = up ? j.value === 1 : j.value === -1;
      btn.setAttribute('aria-pressed', mine ? 'true' : 'false');
      f.querySelector('input[name="value"]').value = mine ? '0' : (up ? '1' : '-1');
    });
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form.matches || !form.matches('form[data-enhance]')) return;
    var kind = form.dataset.enhance;
    if (kind === 'comment' && !connected) return; // without the live channel, post the plain form
    e.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    // The attribute, not form.action: a control named "action" (the
    // Preview button) shadows that property.
    fetch(form.getAttribute('action'), {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { 'X-CSRF-Token': csrf, 'Accept': 'application/json' },
      credentials: 'same-origin'
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) { return { res: res, j: j }; });
    }).then(function (r) {
      if (button) button.disabled = false;
      if (r.res.status === 401) {
        location.href = '/login?next=' + encodeURIComponent(location.pathname);
        return;
      }
      if (!r.res.ok) {
        showError(form, (r.j.error && r.j.error.message) || msgs.msgError || '');
        return;
      }
      if (kind === 'vote') {
        afterVote(form, r.j);
      } else if (kind === 'comment') {
        form.reset();
        var box = form.querySelector('.form-status');
        if (box) {
          box.textContent = r.j.notice || ''; // held for review: say why
          box.hidden = !r.j.notice;
        }
        if (form.querySelector('input[name="parent"]')) {
          if (r.j.notice) announce(r.j.notice);
          form.remove();
          history.replaceState(null, '', location.pathname + '#c' + r.j.comment_id);
        }
      }
    }).catch(function () {
      if (button) button.disabled = false;
      form.submit();
    });
  });

  // Similar proposals as a citizen types a title: the server draws the list.
  var titleField = document.getElementById('f-title');
  var similarBox = document.querySelector('[data-live="similar"]');
  if (titleField && similarBox) {
    var timer = null;
    // aria-busy marks the region while its list is about to change, so
    // assistive technology (and anything else waiting for the layout to
    // hold still) knows the content below it may move.
    var asked = 0;
    titleField.addEventListener('input', function () {
      window.clearTimeout(timer);
      var q = titleField.value.trim();
      var mine = ++asked;
      var box = document.querySelector('[data-live="similar"]');
      if (q.length < 2) {
        if (box) box.removeAttribute('aria-busy');
        return;
      }
      if (box) box.setAttribute('aria-busy', 'true');
      var done = function () {
        var b = document.querySelector('[data-live="similar"]');
        if (b && mine === asked) b.removeAttribute('aria-busy');
      };
      timer = window.setTimeout(function () {
        fetch('/proposals/similar?title=' + encodeURIComponent(q), { credentials: 'same-origin' })
          .then(function (res) { return res.ok ? res.text() : ''; })
          .then(function (html) { if (html && mine === asked) replaceInto('[data-live="similar"]', html); })
          .catch(function () { /* the button still works without this */ })
          .then(done);
      }, 400);
    });
  }

  // Error summary links move focus to their field (the plain link only
  // scrolls in some browsers, and focus must land where the problem is).
  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('.error-summary a[href^="#"]');
    if (!link) return;
    var field = document.getElementById(link.getAttribute('href').slice(1));
    if (!field) return;
    e.preventDefault();
    field.focus();
    field.scrollIntoView({ block: 'center' });
    // Chromium follows a link on the Enter keydown; the keypress that comes
    // next would reach the field and submit its form again. Swallow the rest
    // of that one key stroke.
    if (e.detail === 0) {
      var swallow = function (k) { if (k.key === 'Enter') k.preventDefault(); };
      var done = function () {
        field.removeEventListener('keypress', swallow);
        field.removeEventListener('keyup', done);
      };
      field.addEventListener('keypress', swallow);
      field.addEventListener('keyup', done);
    }
  });

  // Preview: the server draws a draft as it will be published (the same
  // Markdown renderer and sanitizer, POST /preview) into the region beside
  // its field. Without script the same button posts its form with
  // action=preview, and the server draws the form again with the preview;
  // neither saves anything. The click is taken before it can submit, so the
  // comment form's script never sees it.
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('button[data-preview]');
    if (!button) return;
    var field = document.getElementById(button.dataset.preview);
    var region = document.getElementById(button.getAttribute('aria-controls'));
    if (!field || !region) return;
    e.preventDefault();
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    var fail = function (text) {
      region.textContent = text || region.dataset.msgError || '';
      region.hidden = false;
      announce(region.textContent);
    };
    fetch('/preview', {
      method: 'POST',
      body: new URLSearchParams({ body: field.value }),
      headers: { 'X-CSRF-Token': csrf, 'Accept': 'application/json' },
      credentials: 'same-origin'
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) { return { res: res, j: j }; });
    }).then(function (r) {
      if (r.res.status === 401) {
        location.href = '/login?next=' + encodeURIComponent(location.pathname);
        return;
      }
      if (!r.res.ok || typeof r.j.html !== 'string') {
        fail(r.j.error && r.j.error.message);
        return;
      }
      var t = document.createElement('template');
      t.innerHTML = r.j.html;
      region.replaceChildren(t.content);
      region.hidden = false;
      announce(region.dataset.msgShown);
    }).catch(function () {
      fail('');
    }).then(function () {
      button.removeAttribute('aria-busy');
    });
  });

  // Copy buttons (the co-sponsor link): hidden without script, where the
  // link stays plain selectable text. The Clipboard API where the browser
  // offers it (secure origins), else the selection and the copy command; if
  // both fail the text is left selected and the status says to copy it.
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = document.querySelector('[data-copy-status="' + button.dataset.copy + '"]');
    if (!source) return;
    button.hidden = false;
    var say = function (text) { if (status) status.textContent = text || ''; };
    var fallback = function () {
      selectText(source);
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
      say(ok ? button.dataset.msgCopied : button.dataset.msgFailed);
    };
    button.addEventListener('click', function () {
      say('');
      var text = source.textContent.trim();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () {
          say(button.dataset.msgCopied);
        }, fallback);
      } else {
        fallback();
      }
    });
  });


  // On phones the header's search and menu fold behind two buttons. Without
  // script each is a link to its panel, which CSS opens as the :target;
  // here each becomes a button that opens and closes its panel in place and
  // says so (aria-expanded). Escape closes the open one.
  var header = document.querySelector('.site-header');
  function folds(id) {
    return document.querySelectorAll('.header-buttons [data-toggle="' + id + '"]');
  }
  function setFold(panel, open) {
    panel.classList.toggle('is-open', open);
    folds(panel.id).forEach(function (b) { b.setAttribute('aria-expanded', open ? 'true' : 'false'); });
  }
  if (header) {
    header.querySelectorAll('.header-buttons a[data-toggle]').forEach(function (a) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = a.className;
      b.dataset.toggle = a.dataset.toggle;
      b.setAttribute('aria-controls', a.getAttribute('aria-controls'));
      b.setAttribute('aria-expanded', 'false');
      while (a.firstChild) b.appendChild(a.firstChild);
      a.replaceWith(b);
    });
    header.classList.add('is-scripted');
    header.addEventListener('click', function (e) {
      var t = e.target.closest && e.target.closest('[data-toggle]');
      if (!t) return;
      var panel = document.getElementById(t.dataset.toggle);
      if (!panel) return;
      e.preventDefault();
      var open = !panel.classList.contains('is-open');
      header.querySelectorAll('.fold.is-open').forEach(function (p) { if (p !== panel) setFold(p, false); });
      setFold(panel, open);
      if (open) {
        var first = panel.querySelector('input, a[href], button');
        if (first && panel.matches('form')) first.focus();
      } else if (!t.closest('.header-buttons')) {
        var back = folds(panel.id)[0];
        if (back) back.focus();
      }
    });
    header.addEventListener('keydown', function (e) {
      if (e.key !== 'Escape') return;
      var panel = header.querySelector('.fold.is-open');
      if (!panel) return;
      setFold(panel, false);
      var back = folds(panel.id)[0];
      if (back) back.focus();
    });
  }

  // The page comes drawn for its viewer: nothing to walk here.
  connect();
})();
