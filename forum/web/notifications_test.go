package web

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
	"github.com/gorilla/websocket"
)

// nextOf reads messages until one of type typ arrives, and returns it; the
// ones before it must be of the types in skip.
func nextOf(t *testing.T, ws *websocket.Conn, typ string, skip ...string) liveMsg {
	t.Helper()
	for {
		m := next(t, ws)
		if m.Type == typ {
			return m
		}
		ok := false
		for _, s := range skip {
			ok = ok || m.Type == s
		}
		if !ok {
			t.Fatalf("got %s on %s (%s) while waiting for %s", m.Type, m.Topic, m.Data, typ)
		}
	}
}

// TestLive_MinistryTopicAndMe (issue 16, items 2 and 3): ministry:SLUG
// receives its proposals' supports and transfers (the old and the new
// ministry both), and a user's notifications arrive under "me", each
// naming its notification, a follower of both the proposal and the new
// ministry told once.
func TestLive_MinistryTopicAndMe(t *testing.T) {
	f := newAnsFixture(t)
	e := f.e
	base := serveLoopback(t, e)
	author := e.register("주제 작성자")
	id := e.openProposal(author, "야간 진료소 확대", "본문")
	since, _ := e.st.LastEventID(context.Background())
	q := "&since=" + itoa(int(since))
	mohw, _, err := dialLive(t, base, "topics=ministry:mohw"+q, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	moe, _, err := dialLive(t, base, "topics=ministry:moe"+q, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	fan := e.register("소식 받는 시민")
	if r := fan.post("/follow", url.Values{"kind": {"ministry"}, "id": {itoa(int(f.moe))}, "on": {"1"}}); r.Status != 303 {
		t.Fatalf("follow the ministry: %d", r.Status)
	}
	me, _, err := dialLive(t, base, "topics=me"+q, "", fan.cookies)
	if err != nil {
		t.Fatal(err)
	}

	// A support: on the lead ministry's topic, with the proposal's figures.
	if r := fan.post("/proposals/"+itoa(int(id))+"/support", nil); r.Status != 303 {
		t.Fatalf("support: %d", r.Status)
	}
	m := next(t, mohw)
	if m.Type != forum.EventProposalSupported || m.Topic != "ministry:mohw" || !strings.Contains(string(m.Data), `"proposal_id":`+itoa(int(id))) ||
		!strings.Contains(string(m.Data), `"supports":1`) {
		t.Fatalf("ministry topic got %+v", m)
	}
	// The second support reaches the threshold: the supporter is told, under "me", with the notification's id.
	if r := e.register("두 번째 지지자").post("/proposals/"+itoa(int(id))+"/support", nil); r.Status != 303 {
		t.Fatalf("second support: %d", r.Status)
	}
	note := func(kind string) {
		t.Helper()
		m := nextOf(t, me, forum.EventNotification)
		var d forum.NotificationEvent
		if err := json.Unmarshal(m.Data, &d); err != nil || m.Topic != "me" || d.Kind != kind || d.NotificationID == 0 {
			t.Fatalf("on me: %+v (%v), want a %s naming its notification under \"me\"", m, err, kind)
		}
		if owner := e.reader().Value(`SELECT user_id FROM notifications WHERE id = ? AND kind = ?`, d.NotificationID, kind); owner != itoa(int(fan.user().ID)) {
			t.Fatalf("notification %d: owner %s", d.NotificationID, owner)
		}
	}
	note(forum.NoteThresholdReached)

	// A transfer: on both ministries' topics; the fan, who follows the
	// proposal (by supporting it) and the new ministry, is told once.
	if r := f.lead.post(ansPath(id, "/transfer"), url.Values{"ministry": {itoa(int(f.moe))}, "reason": {"소관 부처로 이관합니다"}}); r.Status != 303 {
		t.Fatalf("transfer: %d %.300s", r.Status, r.Body)
	}
	for name, ws := range map[string]*websocket.Conn{"mohw": mohw, "moe": moe} {
		m := nextOf(t, ws, forum.EventProposalTransferred, forum.EventProposalSupported, forum.EventProposalStatus)
		if m.Topic != "ministry:"+name || !strings.Contains(string(m.Data), `"to":`+itoa(int(f.moe))) {
			t.Errorf("%s: %+v", name, m)
		}
	}
	note(forum.NoteTransferred)
	if told := e.reader().Value(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, fan.user().ID, forum.NoteTransferred); told != "1" {
		t.Errorf("the fan got %s transfer notifications, want 1", told)
	}

	// The page names the proposal and links to it, in every language.
	for lang, want := range map[string]string{
		"ko": "제안이 이관되었습니다(보건복지부 → 교육부): “야간 진료소 확대”",
		"en": "A proposal was transferred (Ministry of Health and Welfare → Ministry of Education): “야간 진료소 확대”",
		"zh": "提案已移轉（保健福祉部 → ",
	} {
		fan.lang = lang
		r := fan.get("/notifications")
		contains(t, lang+" notifications", r.Body, want, `href="/proposals/`+itoa(int(id))+`"`)
	}
}

// TestNotifications_GroupedNamedAndLinked (issue 16, item 3): twenty
// replies to one comment are one entry ("3 new replies on <title>")
// linking to the newest reply; marking it read marks them all and nothing
// else.
func TestNotifications_GroupedNamedAndLinked(t *testing.T) {
	e := newEnv(t)
	author := e.register("답글 받는 시민")
	id := e.openProposal(author, "마을버스 증차", "본문")
	path := "/proposals/" + itoa(int(id))
	if r := author.post(path+"/comments", url.Values{"stance": {"for"}, "body": {"배차 간격이 너무 깁니다"}}); r.Status != 303 {
		t.Fatalf("comment: %d", r.Status)
	}
	parent := atoi64(e.reader().Value(`SELECT max(id) FROM comments`))
	var last int64
	for i := range 3 {
		c := e.register("답글 " + itoa(i))
		if r := c.post(path+"/comments", url.Values{"stance": {"for"}, "parent": {itoa(int(parent))}, "body": {"저도 그렇게 생각합니다 " + itoa(i)}}); r.Status != 303 {
			t.Fatalf("reply: %d", r.Status)
		}
		last = atoi64(e.reader().Value(`SELECT max(id) FROM comments`))
	}
	for lang, want := range map[string]string{"ko": "새 답글 3개: “마을버스 증차”", "en": "3 new replies on “마을버스 증차”", "zh": "3 則新回覆：「마을버스 증차」"} {
		author.lang = lang
		r := author.get("/notifications")
		if r.Status != 200 {
			t.Fatalf("%s: %d", lang, r.Status)
		}
		contains(t, lang, r.Body, want, `href="/comments/`+itoa(int(last))+`"`, "저도 그렇게 생각합니다 2")
		if n := strings.Count(r.Body, `name="subject" value="comment:`+itoa(int(parent))+`"`); n != 1 {
			t.Errorf("%s: %d entries for the replies, want one", lang, n)
		}
	}
	author.lang = "ko"
	// Another comment's reply: another entry, which stays unread.
	if r := author.post(path+"/comments", url.Values{"stance": {"against"}, "body": {"다른 의견"}}); r.Status != 303 {
		t.Fatalf("comment: %d", r.Status)
	}
	other := e.reader().Value(`SELECT max(id) FROM comments`)
	if r := e.register("다른 답글").post(path+"/comments", url.Values{"stance": {"for"}, "parent": {other}, "body": {"그렇군요"}}); r.Status != 303 {
		t.Fatalf("reply: %d", r.Status)
	}

	unread := func() int {
		n, err := e.st.UnreadNotifications(context.Background(), author.user().ID)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := unread()
	if r := author.post("/notifications/read", url.Values{"kind": {forum.NoteReply}, "subject": {"comment:" + itoa(int(parent))}}); r.Status != 303 {
		t.Fatalf("mark the group read: %d", r.Status)
	}
	if got := unread(); got != before-3 || got != 1 {
		t.Errorf("unread %d after marking the replies read, want %d", got, before-3)
	}
	r := author.get("/notifications")
	if strings.Contains(r.Body, `name="subject" value="comment:`+itoa(int(parent))+`"`) || !strings.Contains(r.Body, "내 의견에 답글이 달렸습니다: “마을버스 증차”") {
		t.Errorf("after marking read: the replies are not three read entries")
	}
}

// TestDescribeNote: each kind names its item and links to the exact place;
// rows from before notifications named their items (no subject, no title)
// still read as before and link where they can.
func TestDescribeNote(t *testing.T) {
	e := newEnv(t)
	mins := func(id int64) forum.Ministry {
		for _, m := range e.mins {
			if m.ID == id {
				return m
			}
		}
		return forum.Ministry{}
	}
	mohw := itoa(int(e.mins[0].ID))
	for _, tc := range []struct {
		kind, data string
		count      int
		lang       string
		text, link string
	}{
		{forum.NoteResponse, `{"proposal_id":7,"decision":"accepted","revision":1}`, 1, "ko", "소식을 받는 제안에 부처의 공식 답변이 올라왔습니다.", "/proposals/7#response"},
		{forum.NoteResponse, `{"proposal_id":7,"decision":"accepted","revision":2,"title":"야간 개방"}`, 1, "en", "A ministry revised its official answer (Accepted): “야간 개방”", "/proposals/7#response"},
		{forum.NoteResponse, `{"proposal_id":7,"decision":"accepted","revision":3,"part":true,"ministry":` + mohw + `,"title":"야간 개방"}`, 1, "ko", "공동 답변 부처인 보건복지부가 답변 부분을 올렸습니다(수용): “야간 개방”", "/proposals/7#response-" + e.mins[0].Slug},
		{forum.NoteReply, `{"kind":"comment","id":12,"proposal_id":7}`, 1, "ko", "내 의견에 답글이 달렸습니다.", "/comments/12"},
		{forum.NoteReply, `{"kind":"comment","id":12,"proposal_id":7,"title":"야간 개방","excerpt":"좋아요"}`, 20, "ko", "새 답글 20개: “야간 개방”", "/comments/12"},
		{forum.NoteContentHidden, `{"kind":"comment","id":12,"reason":"spam","title":"야간 개방","excerpt":"광고 글"}`, 1, "zh", "您的留言已被隱藏", "/appeals/new?kind=comment&id=12"},
		{forum.NoteAppealDecided, `{"kind":"proposal","id":7,"granted":true,"title":"야간 개방"}`, 1, "en", "Your appeal was granted; your proposal is visible again: “야간 개방”", "/proposals/7"},
		{forum.NoteDebateConcluded, `{"debate_id":3,"title":"주4일제"}`, 1, "ko", "정책토론의 결론이 발표되었습니다: “주4일제”", "/debates/3#conclusion"},
		{forum.NoteRouted, `{"proposal_id":7,"ministry":` + mohw + `,"title":"야간 개방"}`, 1, "ko", "보건복지부에 함께 답변할 제안이 배정되었습니다: “야간 개방”", "/proposals/7"},
		{forum.NoteThresholdReached, `{"proposal_id":7,"title":"야간 개방"}`, 2, "en", "A proposal you support reached its goal; the ministry must now answer: “야간 개방” (2 of the same)", "/proposals/7"},
		{forum.NoteSuspended, `{"reason":"spam","until":0}`, 1, "ko", "계정 이용이 영구 정지되었습니다.", ""},
		{"something_new", `not json`, 1, "en", "You have a new notification.", ""},
	} {
		n := forum.Notification{Kind: tc.kind, Data: []byte(tc.data), Count: tc.count}
		got := describeNote(e.srv.views.catalogs[tc.lang], tc.lang, n, mins)
		if !strings.Contains(got.Text, tc.text) || got.Link != tc.link || strings.Contains(got.Text, "note.") {
			t.Errorf("%s %s: %q → %q; want %q → %q", tc.kind, tc.data, got.Text, got.Link, tc.text, tc.link)
		}
	}
}
