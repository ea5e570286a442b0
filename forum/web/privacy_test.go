package web

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
)

// TestPolicyPages_ThreeLanguages renders the privacy policy, the terms and
// the accessibility statement in each language, with the live inactivity
// period, shareable by caches for visitors, and checks every page's footer
// links them and the open data page.
func TestPolicyPages_ThreeLanguages(t *testing.T) {
	e := newEnv(t)
	days := itoa(int(e.st.Settings().InactiveAfter / (24 * time.Hour)))
	for _, lang := range Languages {
		c := e.client()
		c.lang = lang
		cat := e.srv.views.catalogs[lang]
		for _, p := range []string{"privacy", "terms", "accessibility"} {
			r := c.get("/" + p)
			if r.Status != http.StatusOK {
				t.Fatalf("%s /%s: %d", lang, p, r.Status)
			}
			contains(t, lang+" /"+p, r.Body, "<h1 class=\"page-title\">"+cat["privacy."+p+".title"]+"</h1>")
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "public") {
				t.Errorf("%s /%s: Cache-Control %q, want public for a visitor", lang, p, cc)
			}
		}
		contains(t, lang+" privacy", c.get("/privacy").Body, days, "ep_session", "ep_csrf", "ep_lang", "ep_flash")
		contains(t, lang+" home footer", c.get("/").Body,
			`href="/privacy"`, `href="/terms"`, `href="/accessibility"`, `href="/open-data"`)
	}
	signed := e.register("정책 읽는 시민")
	if cc := signed.get("/privacy").Header.Get("Cache-Control"); strings.Contains(cc, "public") {
		t.Errorf("signed-in /privacy: Cache-Control %q names its user and must not be shared", cc)
	}
}

// unzip reads a download's files.
func unzip(t *testing.T, body string) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}

// TestDataDownload_OwnDataOnly downloads a citizen's data: every section is
// there with their rows, never their password hash or another person's rows,
// and the ZIP is not cached; a visitor is sent to sign in.
func TestDataDownload_OwnDataOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := e.register("Otherperson Zebra")
	opid := e.openProposal(other, "다른 사람의 제안 Zebraproposal", "다른 사람이 쓴 본문")
	me := e.register("Downloader Heron")
	pid := me.propose("내 제안 Heronproposal", "내가 쓴 본문 Heronbody")
	if r := me.post("/proposals/"+itoa(int(opid))+"/support", nil); r.Status != 303 {
		t.Fatalf("support: %d", r.Status)
	}
	if r := me.post("/proposals/"+itoa(int(opid))+"/comments", url.Values{"stance": {"for"}, "body": {"제 의견 Heroncomment"}}); r.Status != 303 {
		t.Fatalf("comment: %d %.300s", r.Status, r.Body)
	}
	r := me.get("/account/data.zip")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("download: %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
	}
	files := unzip(t, r.Body)
	for _, name := range store.DataFiles {
		if _, ok := files[name]; !ok {
			t.Errorf("download lacks %s", name)
		}
	}
	u := me.user()
	contains(t, "account.json", files["account.json"], u.Email, "Downloader Heron")
	contains(t, "proposals.json", files["proposals.json"], "Heronproposal", "Heronbody")
	contains(t, "proposal_revisions.json", files["proposal_revisions.json"], `"proposal_id":`+itoa(int(pid)))
	contains(t, "comments.json", files["comments.json"], "Heroncomment")
	contains(t, "supports.json", files["supports.json"], `"proposal_id":`+itoa(int(opid)))
	contains(t, "follows.json", files["follows.json"], `"item_id":`+itoa(int(opid)))
	contains(t, "sessions.json", files["sessions.json"], `"last_seen_at":"2026-`)
	hash := e.reader().Value(`SELECT password_hash FROM users WHERE id = ?`, u.ID)
	all := strings.Join(func() []string {
		var v []string
		for _, b := range files {
			v = append(v, b)
		}
		return v
	}(), "\n")
	for _, bad := range []string{hash, "argon2id", "Otherperson", "Zebraproposal", other.user().Email, "totp_secret", "password"} {
		if strings.Contains(all, bad) {
			t.Errorf("download holds %q", bad)
		}
	}
	if r := e.client().get("/account/data.zip"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
		t.Errorf("visitor: %d %q, want a redirect to sign in", r.Status, r.Header.Get("Location"))
	}
	_ = ctx
}

// personalNeedles are the values of an account no table, download or feed
// may hold once it is deleted.
type personalNeedles struct {
	id                        int64
	name, email, hash, ua, ip string
}

func needlesOf(t *testing.T, e *env, c *client) personalNeedles {
	t.Helper()
	u := c.user()
	rd := e.reader()
	return personalNeedles{id: u.ID, name: u.Name, email: u.Email,
		hash: rd.Value(`SELECT password_hash FROM users WHERE id = ?`, u.ID),
		ua:   rd.Value(`SELECT user_agent FROM sessions WHERE user_id = ? ORDER BY id DESC LIMIT 1`, u.ID),
		ip:   rd.Value(`SELECT ip FROM sessions WHERE user_id = ? ORDER BY id DESC LIMIT 1`, u.ID)}
}

// assertNoPersonalData walks every column of every table for n's values
// (the address only in rows of n's own: other people's sessions share the
// test's loopback address).
func assertNoPersonalData(t *testing.T, e *env, n personalNeedles) {
	t.Helper()
	rd := e.reader()
	// The catalogs differ: SQLite's sqlite_master and table_info, PostgreSQL's information_schema.
	tablesQ := `SELECT group_concat(name, char(31)) FROM sqlite_master WHERE type = 'table'`
	colsQ := `SELECT group_concat(name, char(31)) FROM pragma_table_info(?)`
	instr := "instr"
	if storetest.Postgres() {
		tablesQ = `SELECT string_agg(table_name, chr(31)) FROM information_schema.tables WHERE table_schema = 'public'`
		colsQ = `SELECT string_agg(column_name, chr(31)) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?`
		instr = "strpos"
	}
	tables := strings.Split(rd.Value(tablesQ), "\x1f")
	checked := 0
	for _, table := range tables {
		cols := strings.Split(rd.Value(colsQ, table), "\x1f")
		for _, col := range cols {
			if col == "" || col == "NULL" {
				continue
			}
			for _, needle := range []string{n.name, n.email, n.hash, n.ua} {
				if needle == "" || needle == "NULL" {
					continue
				}
				q := `SELECT count(*) FROM "` + table + `" WHERE ` + instr + `(CAST("` + col + `" AS TEXT), ?) > 0`
				if got := rd.Value(q, needle); got != "0" {
					t.Errorf("%s.%s still holds %q", table, col, needle)
				}
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d columns × values", checked)
	}
	if got := rd.Value(`SELECT count(*) FROM sessions WHERE user_id = ? OR ip = ? AND user_id = ?`, n.id, n.ip, n.id); got != "0" {
		t.Errorf("%s sessions left", got)
	}
	if got := rd.Value(`SELECT totp_secret || COALESCE(identity_hash, '') || lang || COALESCE(CAST(last_seen_at AS TEXT), '') FROM users WHERE id = ?`, n.id); got != "" {
		t.Errorf("users row keeps %q", got)
	}
}

// assertNotPublished fetches what others can read and download and looks for n's values.
func assertNotPublished(t *testing.T, e *env, reader *client, n personalNeedles, paths ...string) {
	t.Helper()
	for _, p := range paths {
		r := reader.get(p)
		if r.Status != 200 {
			t.Errorf("%s: %d", p, r.Status)
			continue
		}
		body := r.Body
		if strings.HasSuffix(p, ".zip") {
			var b bytes.Buffer
			for _, f := range unzip(t, body) {
				b.WriteString(f)
			}
			body = b.String()
		}
		for _, needle := range []string{n.name, n.email, n.hash, n.ua} {
			if needle != "" && needle != "NULL" && strings.Contains(body, needle) {
				t.Errorf("%s holds %q", p, needle)
			}
		}
	}
}

// TestDeleteAccount_ErasesPersonalData deletes a citizen with history: a
// wrong password changes nothing; then nothing personal is left in any
// table, download, feed or API answer, supports and votes are taken back
// with the counters right, the comment stays as a withdrawn member's, and
// the browser is signed out.
func TestDeleteAccount_ErasesPersonalData(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := e.register("Keeper Otter")
	opid := e.openProposal(other, "남는 제안 Otterproposal", "남는 본문")
	if r := other.post("/proposals/"+itoa(int(opid))+"/comments", url.Values{"stance": {"for"}, "body": {"다른 사람 댓글"}}); r.Status != 303 {
		t.Fatalf("comment: %d", r.Status)
	}
	leaver := e.register("Leaving Quokka")
	mypid := e.openProposal(leaver, "떠나는 사람의 제안", "그래도 남는 본문 Quokkabody")
	if r := leaver.post("/proposals/"+itoa(int(opid))+"/support", nil); r.Status != 303 {
		t.Fatalf("support: %d", r.Status)
	}
	if r := leaver.post("/proposals/"+itoa(int(opid))+"/comments", url.Values{"stance": {"against"}, "body": {"떠나기 전 의견 Quokkacomment"}}); r.Status != 303 {
		t.Fatalf("comment: %d", r.Status)
	}
	cid := atoi64(e.reader().Value(`SELECT min(id) FROM comments WHERE proposal_id = ?`, opid))
	if r := leaver.post("/comments/"+itoa(int(cid))+"/vote", url.Values{"value": {"1"}}); r.Status != 303 {
		t.Fatalf("vote: %d %.200s", r.Status, r.Body)
	}
	// One more sign-in from a browser with a name of its own.
	leaver.do("POST", "/login", url.Values{"email": {leaver.user().Email}, "password": {"correct horse battery staple"}, "_csrf": {leaver.csrf()}},
		"User-Agent", "QuokkaBrowser/7.1 (privacy test)")
	n := needlesOf(t, e, leaver)
	if n.ua != "QuokkaBrowser/7.1 (privacy test)" {
		t.Fatalf("session device %q", n.ua)
	}
	before, _ := e.st.Proposal(ctx, opid)
	c0, _ := e.st.Comment(ctx, cid)

	r := leaver.post("/account/delete", url.Values{"password": {"not my password"}})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("wrong password: %d", r.Status)
	}
	contains(t, "wrong password", r.Body, e.srv.views.catalogs["ko"]["err.delete_wrong_password"])
	if u, err := e.st.User(ctx, n.id); err != nil || u.Deleted {
		t.Fatalf("a wrong password deleted the account: %v %v", u, err)
	}

	r = leaver.post("/account/delete", url.Values{"password": {"correct horse battery staple"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		t.Fatalf("delete: %d %q %.300s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if _, ok := leaver.cookies[SessionCookie]; ok {
		t.Error("the session cookie survived the deletion")
	}
	if r := leaver.get("/account/privacy"); r.Status != http.StatusSeeOther {
		t.Errorf("after deletion /account/privacy answers %d, want a redirect to sign in", r.Status)
	}
	if r := e.client().post("/login", url.Values{"email": {n.email}, "password": {"correct horse battery staple"}}); r.Status != http.StatusUnauthorized {
		t.Errorf("sign-in with the old address: %d", r.Status)
	}
	if r := e.client().post("/login", url.Values{"email": {"deleted-" + itoa(int(n.id)) + "@invalid"}, "password": {""}}); r.Status >= 500 {
		t.Errorf("sign-in as the erased address: %d", r.Status)
	}

	after, _ := e.st.Proposal(ctx, opid)
	if after.Supports != before.Supports-1 {
		t.Errorf("supports %d → %d, want one fewer", before.Supports, after.Supports)
	}
	if c1, _ := e.st.Comment(ctx, cid); c1.Up != c0.Up-1 {
		t.Errorf("comment up votes %d → %d, want one fewer", c0.Up, c1.Up)
	}
	if err := e.st.CheckCounters(ctx); err != nil {
		t.Errorf("counters: %v", err)
	}
	page := e.client().get("/proposals/" + itoa(int(opid))).Body
	contains(t, "thread", page, "Quokkacomment", "탈퇴한 사용자")
	contains(t, "the leaver's proposal", e.client().get("/proposals/"+itoa(int(mypid))).Body, "Quokkabody", "탈퇴한 사용자")

	assertNoPersonalData(t, e, n)
	assertNotPublished(t, e, other, n, "/account/data.zip", "/feeds/proposals.atom", "/feeds/answers.atom",
		"/api/v1/proposals", "/api/v1/proposals/"+itoa(int(mypid)), "/api/v1/proposals/"+itoa(int(opid)),
		"/open-data/proposals.ndjson", "/open-data/proposals.csv", "/open-data/responses.ndjson",
		"/open-data/moderation-log.ndjson", "/users/"+itoa(int(n.id)), "/proposals/"+itoa(int(opid)))
	en := e.client()
	en.lang = "en"
	contains(t, "English feed", en.get("/feeds/proposals.atom").Body, "<name>Withdrawn member</name>")
}

// TestDeleteAccount_WithPosts deletes the comments and replaces the
// proposals' text (and every revision's) when asked, out of search too.
func TestDeleteAccount_WithPosts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	leaver := e.register("Erasing Pangolin")
	pid := e.openProposal(leaver, "지워질 제안 Pangolintitle", "지워질 본문 Pangolinbody")
	if r := leaver.post("/proposals/"+itoa(int(pid))+"/comments", url.Values{"stance": {"for"}, "body": {"지워질 댓글 Pangolincomment"}}); r.Status != 303 {
		t.Fatalf("comment: %d", r.Status)
	}
	n := needlesOf(t, e, leaver)
	if r := leaver.post("/account/delete", url.Values{"password": {"correct horse battery staple"}, "posts": {"1"}}); r.Status != 303 {
		t.Fatalf("delete: %d %.300s", r.Status, r.Body)
	}
	rd := e.reader()
	for _, q := range []string{
		`SELECT count(*) FROM comments WHERE body_src LIKE '%Pangolin%' OR (author_id = ? AND status <> 'deleted')`,
		`SELECT count(*) FROM proposals WHERE title LIKE '%Pangolin%' OR body_src LIKE '%Pangolin%' OR body_html LIKE '%Pangolin%' OR ? = 0`,
		`SELECT count(*) FROM proposal_revisions WHERE title LIKE '%Pangolin%' OR body_src LIKE '%Pangolin%' OR ? = 0`,
	} {
		if got := rd.Value(q, n.id); got != "0" {
			t.Errorf("%s: %s rows", q, got)
		}
	}
	p, err := e.st.Proposal(ctx, pid)
	if err != nil || p.Title != store.WithdrawnPost {
		t.Fatalf("proposal after deletion: %v %v", p, err)
	}
	if r := e.client().get("/search?q=Pangolintitle"); strings.Contains(r.Body, "/proposals/"+itoa(int(pid))+`"`) {
		t.Error("search still finds the erased proposal")
	}
	if err := e.st.CheckCounters(ctx); err != nil {
		t.Errorf("counters: %v", err)
	}
	assertNoPersonalData(t, e, n)
}

// adminWithPassword creates an administrator who signs in with a password
// alone (no second factor enrolled) and returns the signed-in client.
func (e *env) adminWithPassword(name string) *client {
	e.t.Helper()
	userSeq++
	email := "admin" + itoa(userSeq) + "@example.org"
	hash, _ := forum.HashPassword("staff passphrase 1")
	if _, err := e.st.CreateUser(context.Background(), forum.User{Role: forum.RoleAdmin, Name: name, Email: email, Tier: forum.TierEmailVerified}, hash); err != nil {
		e.t.Fatal(err)
	}
	c := e.client()
	if r := c.post("/login", url.Values{"email": {email}, "password": {"staff passphrase 1"}}); r.Status != http.StatusSeeOther {
		e.t.Fatalf("admin sign-in: %d", r.Status)
	}
	return c
}

// TestDeleteAccount_LastAdmin refuses to delete the only administrator
// with a clear message, and deletes one who has a successor.
func TestDeleteAccount_LastAdmin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.adminWithPassword("유일한 관리자")
	r := admin.post("/account/delete", url.Values{"password": {"staff passphrase 1"}})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("last admin: %d", r.Status)
	}
	contains(t, "last admin", r.Body, e.srv.views.catalogs["ko"]["err.last_admin_delete"])
	if u, _ := e.st.User(ctx, admin.user().ID); u.Deleted {
		t.Fatal("the last admin was deleted")
	}
	e.adminWithPassword("다음 관리자")
	if r := admin.post("/account/delete", url.Values{"password": {"staff passphrase 1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("admin with a successor: %d %.300s", r.Status, r.Body)
	}
	if n, _ := e.st.CountUsers(ctx, forum.RoleAdmin); n != 1 {
		t.Errorf("%d admins left, want 1", n)
	}
}

// An account with a second factor is deleted only with a code as well as
// the password: a stolen password alone cannot erase it.
func TestDeleteAccount_AsksForTheCode(t *testing.T) {
	e := newEnv(t)
	me := e.register("두 단계 시민").user()
	e.enrol(me.ID) // which signs the account out everywhere: it signs in anew, with a code
	c := e.signInStaff(me.Email, "correct horse battery staple")
	for _, code := range []string{"", "000000"} {
		r := c.post("/account/delete", url.Values{"password": {"correct horse battery staple"}, "code": {code}})
		if r.Status != http.StatusBadRequest {
			t.Fatalf("code %q: %d, want 400", code, r.Status)
		}
		contains(t, "wrong code", r.Body, e.srv.views.catalogs["ko"]["err.delete_wrong_code"])
	}
	if u, _ := e.st.User(context.Background(), me.ID); u.Deleted {
		t.Fatal("deleted without the second factor")
	}
	if r := c.post("/account/delete", url.Values{"password": {"correct horse battery staple"}, "code": {e.nextCode(me.Email)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("with the code: %d %.300s", r.Status, r.Body)
	}
	if u, _ := e.st.User(context.Background(), me.ID); !u.Deleted {
		t.Error("not deleted with the password and the code")
	}
}

// TestRetireInactive mails the notice once, in the account's language,
// anonymises after the notice period, spares an account that signed in
// between and the last administrator.
func TestRetireInactive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	set := e.st.Settings()
	idle := e.register("Idle Marmot")
	back := e.register("Returning Marmot")
	backEmail := back.user().Email
	admin := e.adminWithPassword("잠든 관리자")
	adminID := admin.user().ID
	idleN := needlesOf(t, e, idle)
	backID := back.user().ID

	e.clock.Add(set.InactiveAfter - set.InactiveNotice - time.Hour)
	if noticed, _, err := e.st.RetireInactive(ctx); err != nil || noticed != 0 {
		t.Fatalf("before the notice is due: %d %v", noticed, err)
	}
	e.clock.Add(2 * time.Hour)
	noticed, gone, err := e.st.RetireInactive(ctx)
	if err != nil || noticed != 3 || gone != 0 {
		t.Fatalf("notice: %d noticed, %d anonymised, %v; want 3, 0", noticed, gone, err)
	}
	if again, _, _ := e.st.RetireInactive(ctx); again != 0 {
		t.Errorf("the notice went out %d more times", again)
	}
	mails, err := e.st.Outbox(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	var notice *store.Mail
	for i, m := range mails {
		if m.Kind == store.MailInactiveNotice && m.UserID == idleN.id {
			notice = &mails[i]
		}
	}
	if notice == nil {
		t.Fatal("no notice for the idle account")
	}
	_, body, err := e.srv.ComposeMail(ctx, *notice)
	if err != nil {
		t.Fatal(err)
	}
	due := e.clock.Now().Add(set.InactiveNotice)
	contains(t, "notice", body, formatDate("ko", due), "/login", "/privacy")

	// One signs in during the notice period.
	e.clock.Add(set.InactiveNotice / 2)
	again := e.client()
	if r := again.post("/login", url.Values{"email": {backEmail}, "password": {"correct horse battery staple"}}); r.Status != 303 {
		t.Fatalf("sign-in: %d", r.Status)
	}
	e.clock.Add(set.InactiveNotice/2 + time.Hour)
	if _, gone, err = e.st.RetireInactive(ctx); err != nil || gone != 1 {
		t.Fatalf("anonymised %d, %v; want 1", gone, err)
	}
	for id, want := range map[int64]bool{idleN.id: true, backID: false, adminID: false} {
		if u, _ := e.st.User(ctx, id); u.Deleted != want {
			t.Errorf("user %d deleted = %v, want %v", id, u.Deleted, want)
		}
	}
	assertNoPersonalData(t, e, idleN)
}
