package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/gorilla/websocket"
)

type liveMsg struct {
	ID    int64           `json:"id"`
	Topic string          `json:"topic"`
	Type  string          `json:"type"`
	Data  json.RawMessage `json:"data"`
	HTML  string          `json:"html"`
}

// dialLive opens /live on a server from serveLoopback; origin "" sends the server's own.
func dialLive(t *testing.T, base, query, origin string, cookies map[string]string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	if origin == "" {
		origin = base
	}
	h := http.Header{"Origin": {origin}}
	var parts []string
	for k, v := range cookies {
		parts = append(parts, k+"="+v)
	}
	if len(parts) > 0 {
		h.Set("Cookie", strings.Join(parts, "; "))
	}
	ws, res, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/live?"+query, h)
	if err == nil {
		t.Cleanup(func() { ws.Close() })
	}
	return ws, res, err
}

// next reads one message, failing the test after a generous bound.
func next(t *testing.T, ws *websocket.Conn) liveMsg {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m liveMsg
	if err := ws.ReadJSON(&m); err != nil {
		t.Fatalf("read live message: %v", err)
	}
	return m
}

func TestLive_PostOverHTTPReceiveOverSocket(t *testing.T) {
	e := newEnv(t)
	base := serveLoopback(t, e)
	author := e.register("실시간 작성자")
	id := e.openProposal(author, "실시간 토론 제안", "본문")
	since, _ := e.st.LastEventID(context.Background())
	ws, _, err := dialLive(t, base, "topics=proposal:"+itoa(int(id))+"&since="+itoa(int(since)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := e.register("실시간 시민")
	if r := c.post("/proposals/"+itoa(int(id))+"/comments", url.Values{"stance": {"against"}, "body": {"**반대**합니다 <script>alert(1)</script>"}}); r.Status != 303 {
		t.Fatalf("comment: %d", r.Status)
	}
	m := next(t, ws)
	if m.Type != forum.EventCommentCreated || m.Topic != forum.ProposalTopic(id) || m.ID <= since {
		t.Fatalf("got %+v", m)
	}
	contains(t, "comment html", m.HTML, "<strong>반대</strong>합니다", `class="comment`, "반대")
	if bad := liveMarkup(m.HTML); len(bad) > 0 || strings.Contains(m.HTML, "<script") {
		t.Fatalf("live html carries markup: %v", bad)
	}
	var d struct {
		CommentID int64  `json:"comment_id"`
		Stance    string `json:"stance"`
		Comments  int    `json:"comments"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil || d.CommentID == 0 || d.Stance != "against" || d.Comments != 1 {
		t.Fatalf("data %s: %v", m.Data, err)
	}
	// The comment against is the strongest objection: the support confirms it was read (objection.go).
	c.post("/proposals/"+itoa(int(id))+"/support", url.Values{"seen": {"1"}, "against": {itoa(int(d.CommentID))}, "for": {"0"}})
	m2 := next(t, ws)
	if m2.Type != forum.EventProposalSupported || m2.ID <= m.ID || !strings.Contains(string(m2.Data), `"supports":1`) {
		t.Fatalf("support event %+v", m2)
	}
}

func TestLive_ReconnectWithSinceMissesNothing(t *testing.T) {
	e := newEnv(t)
	base := serveLoopback(t, e)
	author := e.register("재접속 작성자")
	id := e.openProposal(author, "재접속 시험 제안", "본문")
	topic := "topics=proposal:" + itoa(int(id))
	since, _ := e.st.LastEventID(context.Background())
	ws, _, err := dialLive(t, base, topic+"&since="+itoa(int(since)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := e.register("재접속 시민")
	post := func(body string) {
		if r := c.post("/proposals/"+itoa(int(id))+"/comments", url.Values{"stance": {"neutral"}, "body": {body}}); r.Status != 303 {
			t.Fatalf("comment: %d", r.Status)
		}
	}
	post("첫 의견")
	first := next(t, ws)
	ws.Close()
	for _, b := range []string{"둘", "셋", "넷", "다섯", "여섯"} {
		post(b + "째 의견")
	}
	ws2, _, err := dialLive(t, base, topic+"&since="+itoa(int(first.ID)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	last := first.ID
	for i, b := range []string{"둘", "셋", "넷", "다섯", "여섯"} {
		m := next(t, ws2)
		if m.ID <= last || m.Type != forum.EventCommentCreated || !strings.Contains(m.HTML, b+"째 의견") {
			t.Fatalf("replayed message %d: %+v (last %d)", i, m, last)
		}
		last = m.ID
	}
	post("실시간 의견")
	if m := next(t, ws2); !strings.Contains(m.HTML, "실시간 의견") || m.ID <= last {
		t.Fatalf("live after replay: %+v", m)
	}
}

func TestLive_HandshakeRules(t *testing.T) {
	e := newEnv(t)
	base := serveLoopback(t, e)
	author := e.register("규칙 작성자")
	gathering := author.propose("모집 중 제안입니다", "본문")
	open := e.openProposal(author, "공개 제안입니다", "본문")
	for _, tc := range []struct {
		name, query, origin string
		cookies             map[string]string
		status              int
	}{
		{"foreign origin", "topics=feed", "http://evil.example", nil, 403},
		{"origin of another port", "topics=feed", "http://127.0.0.1:1", nil, 403},
		{"no topics", "topics=", "", nil, 400},
		{"unknown topic", "topics=everything", "", nil, 400},
		{"bad since", "topics=feed&since=-4", "", nil, 400},
		{"me while signed out", "topics=me", "", nil, 403},
		{"private proposal", "topics=proposal:" + itoa(int(gathering)), "", nil, 404},
		{"missing debate", "topics=debate:999", "", nil, 404},
		{"too many topics", "topics=" + strings.Repeat("feed,", 21) + "feed", "", nil, 400},
		{"private proposal, its author", "topics=proposal:" + itoa(int(gathering)), "", author.cookies, 101},
		{"me, signed in", "topics=me,feed,proposal:" + itoa(int(open)), "", author.cookies, 101},
	} {
		ws, res, err := dialLive(t, base, tc.query, tc.origin, tc.cookies)
		got := 0
		if res != nil {
			got = res.StatusCode
		}
		if got != tc.status {
			t.Errorf("%s: status %d (%v), want %d", tc.name, got, err, tc.status)
		}
		if ws != nil {
			ws.Close()
		}
	}
	res, err := http.Get(base + "/live?topics=feed")
	if err != nil || res.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("plain GET: %v %v", err, res)
	}
}

func TestLive_OldGapAsksForReload(t *testing.T) {
	e := newEnv(t)
	base := serveLoopback(t, e)
	author := e.register("오래된 작성자")
	e.openProposal(author, "오래된 제안입니다", "본문")
	e.clock.Add(25 * time.Hour)
	ws, _, err := dialLive(t, base, "topics=feed&since=1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := next(t, ws); m.Type != "reload" {
		t.Fatalf("got %+v, want a reload", m)
	}
}

func TestLive_ShutdownSendsCloseFrame(t *testing.T) {
	e := newEnv(t)
	base := serveLoopback(t, e)
	ws, _, err := dialLive(t, base, "topics=feed", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.shutdown(ctx) }()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Fatalf("read after shutdown: %v, want close 1001", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestLive_DebateClosesAndConcludes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := serveLoopback(t, e)
	hash, _ := forum.HashPassword("official passphrase 1")
	official, err := e.st.CreateUser(ctx, forum.User{Tier: forum.TierEmailVerified, Role: forum.RoleOfficial, MinistryID: e.mins[0].ID, Name: "김하늘", Email: "o@example.org"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.st.CreateDebate(ctx, store.NewDebate{HostID: official.ID, Input: forum.DebateInput{Question: "야간 도서관이 필요합니까?",
		OpensAt: e.clock.Now(), ClosesAt: e.clock.Now().Add(time.Hour), MinistryID: e.mins[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	since, _ := e.st.LastEventID(ctx)
	ws, _, err := dialLive(t, base, "topics=debate:"+itoa(int(d.ID))+"&since="+itoa(int(since)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	if _, _, err := e.st.AdvanceDebates(ctx); err != nil {
		t.Fatal(err)
	}
	m := next(t, ws)
	if m.Type != forum.EventDebateClosed || !strings.Contains(m.HTML, "종료된 토론") {
		t.Fatalf("close: %+v", m)
	}
	if _, err := e.st.Conclude(ctx, d.ID, "야간 개방을 **시범 운영**합니다.", e.srv.md.Markdown("야간 개방을 **시범 운영**합니다.")); err != nil {
		t.Fatal(err)
	}
	m = next(t, ws)
	if m.Type != forum.EventDebateConcluded || !strings.Contains(m.HTML, "<strong>시범 운영</strong>") || !strings.Contains(m.HTML, "role-official") {
		t.Fatalf("conclusion: %+v", m)
	}
}

// The live renderer draws every event type without an error, in every
// language, and draws a partial for each type whose data alone cannot
// update a page: a comment, a status badge, a response, a conclusion.
func TestLive_RendersEveryEventType(t *testing.T) {
	f := newAnsFixture(t)
	e, ctx := f.e, context.Background()
	pid := f.awaiting("실시간으로 그려 볼 제안")
	body := "세 곳에서 **시범 운영**합니다."
	if err := e.st.PublishResponse(ctx, f.lead.user(), pid, forum.ResponseInput{Decision: forum.DecisionPartial, Summary: "시범 운영",
		Body: body, LegalBasis: "도서관법", ResponsibleUnit: "도서관정책기획단", Contact: "044-203-2612"}, e.srv.md.Markdown(body)); err != nil {
		t.Fatal(err)
	}
	in := forum.CommentInput{Stance: forum.StanceFor, Body: "실시간 **댓글**"}
	cm, err := e.st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(pid), AuthorID: f.citizen.user().ID, Input: in, Body: e.srv.md.Markdown(in.Body)})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.st.CreateDebate(ctx, store.NewDebate{HostID: f.lead.user().ID, Input: forum.DebateInput{Question: "야간 도서관이 필요합니까?",
		OpensAt: e.clock.Now(), ClosesAt: e.clock.Now().Add(time.Hour), MinistryID: f.mohw}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Hour)
	if _, _, err := e.st.AdvanceDebates(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Conclude(ctx, d.ID, "시범 운영합니다.", e.srv.md.Markdown("시범 운영합니다.")); err != nil {
		t.Fatal(err)
	}
	c := cm.ID
	render := NewEventRenderer(e.st, e.srv.cfg.Templates, nil)
	untested := map[string]bool{}
	for _, typ := range forum.EventTypes() {
		untested[typ] = true
	}
	for _, tc := range []struct {
		data forum.EventData
		want string // in the HTML drawn in Korean; "" when the event carries none
	}{
		{forum.ProposalCreatedEvent{AuthorID: f.author.ID, ProposalID: pid}, ""},
		{forum.ProposalStatusEvent{From: forum.StatusOpen, ProposalID: pid, Status: forum.StatusAwaiting}, "badge-awaiting_response"},
		{forum.ProposalEditedEvent{ProposalID: pid, Revision: 2}, `<div data-live="proposal-title">실시간으로 그려 볼 제안</div>`}, // issue 18: the edited title and text
		{forum.ProposalSponsoredEvent{ProposalID: pid, Sponsors: 1, Threshold: 2}, ""},
		{forum.ProposalSupportedEvent{ProposalID: pid, Supports: 2}, ""},
		{forum.ProposalHiddenEvent{ProposalID: pid, Reason: "spam"}, ""},
		{forum.ProposalRestoredEvent{ProposalID: pid}, ""},
		{forum.ProposalTransferredEvent{From: f.mohw, ProposalID: pid, To: f.moe}, ""},
		{forum.ProposalCoMinistryEvent{Ministry: f.moe, ProposalID: pid}, ""},
		{forum.ResponsePublishedEvent{Decision: forum.DecisionPartial, ProposalID: pid, Revision: 1}, "<strong>시범 운영</strong>"},
		{forum.CommentCreatedEvent{CommentID: c, Comments: 1, ProposalID: pid, Stance: forum.StanceFor}, "<strong>댓글</strong>"},
		{forum.CommentUpdatedEvent{CommentID: c, ProposalID: pid}, "<strong>댓글</strong>"},
		{forum.CommentDeletedEvent{CommentID: c, ProposalID: pid, Stance: forum.StanceFor}, "<strong>댓글</strong>"},
		{forum.CommentVotedEvent{CommentID: c, ProposalID: pid, Up: 1}, ""},
		{forum.CommentHiddenEvent{CommentID: c, ProposalID: pid, Reason: "spam", Stance: forum.StanceFor}, "<strong>댓글</strong>"},
		{forum.CommentRestoredEvent{CommentID: c, ProposalID: pid, Stance: forum.StanceFor}, "<strong>댓글</strong>"},
		{forum.ThreadLockedEvent{Locked: true, ProposalID: pid}, ""},
		{forum.DebateOpenedEvent{DebateID: d.ID, Status: forum.DebateOpen}, "badge-debate-open"},
		{forum.DebateClosedEvent{DebateID: d.ID, Status: forum.DebateClosed}, "종료된 토론"},
		{forum.DebateConcludedEvent{DebateID: d.ID}, "시범 운영합니다."},
		{forum.NotificationEvent{Kind: forum.NoteReply, NotificationID: 1, Unread: 1}, ""},
		{forum.ProposalMergedEvent{FromID: pid, IntoID: pid, MergeID: 1}, ""},
		{forum.MilestoneChangedEvent{Kind: forum.MilestonePlanned, MilestoneID: 1, ProposalID: pid}, ""}, // the page fetches its state
		{forum.AnswerRatedEvent{ProposalID: pid, Round: 1}, "지지자 평가"},
	} {
		typ := tc.data.EventType()
		raw, err := json.Marshal(tc.data)
		if err != nil {
			t.Fatal(err)
		}
		ev := forum.Event{ID: 1, Topic: forum.ProposalTopic(pid), Type: typ, Data: raw, Public: true, CreatedAt: e.clock.Now()}
		for _, lang := range Languages {
			html, err := render.html(ev, lang)
			switch {
			case err != nil:
				t.Errorf("%s in %s: %v", typ, lang, err)
			case tc.want == "" && html != "":
				t.Errorf("%s in %s: drew %.200q, want nothing", typ, lang, html)
			case tc.want != "" && html == "":
				t.Errorf("%s in %s: drew nothing", typ, lang)
			case lang == "ko" && !strings.Contains(html, tc.want):
				t.Errorf("%s: %.300q lacks %q", typ, html, tc.want)
			}
		}
		delete(untested, typ)
	}
	if len(untested) > 0 {
		t.Errorf("event types without a case: %v", untested)
	}
}
