package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/dialect"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
)

// clusterFixture is what seedCluster put in the cluster's database.
type clusterFixture struct {
	thread    int64 // an open proposal the test comments on
	author    int64 // its author, who proposes the one that lapses
	category  forum.Category
	supporter int64     // supports the proposal that lapses
	accounts  []Account // citizens with sessions, who post comments
}

// shiftedClock is a store's clock that may be moved: the test proposes,
// at a moment of its choosing, a proposal whose support window ends soon.
type shiftedClock struct{ by atomic.Int64 }

func (c *shiftedClock) now() time.Time { return time.Now().Add(time.Duration(c.by.Load())) }

// seedCluster fills the empty PostgreSQL database at dbURL through the
// store, as serve would find it: a ministry and a category, an open
// proposal, citizens signed in with sessions (as bench seeds them), the
// daily comment caps lifted, and a support window of one day with a
// threshold no test reaches.
func seedCluster(t *testing.T, st *store.Store) *clusterFixture {
	t.Helper()
	ctx := context.Background()
	if err := st.SetSettings(ctx, map[string]string{forum.SettingCapComments: "100000", forum.SettingCapCommentsFirstDay: "100000",
		forum.SettingSupportWindow: "1", forum.SettingSupportThreshold: "1000"}); err != nil {
		t.Fatal(err)
	}
	m, err := st.CreateMinistry(ctx, forum.Ministry{Slug: "molit", NameKO: "국토교통부", NameEN: "Ministry of Land"})
	if err != nil {
		t.Fatal(err)
	}
	fx := &clusterFixture{}
	if fx.category, err = st.CreateCategory(ctx, forum.Category{Slug: "transport", NameKO: "교통", NameEN: "Transport", MinistryID: m.ID}); err != nil {
		t.Fatal(err)
	}
	user := func(i int) *forum.User {
		u, err := st.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: fmt.Sprintf("시민 %d", i),
			Email: fmt.Sprintf("citizen%d@cluster.example", i), Tier: forum.TierEmailVerified}, "x")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	fx.author, fx.supporter = user(0).ID, user(1).ID
	for i := range 6 {
		u := user(10 + i)
		token, csrf := fmt.Sprintf("cluster-session-%d-%d", i, time.Now().UnixNano()), fmt.Sprintf("cluster-csrf-%d", i)
		if err := st.CreateSession(ctx, store.NewSession{TokenHash: forum.TokenHash(token), UserID: u.ID, CSRF: csrf, TTL: time.Hour}); err != nil {
			t.Fatal(err)
		}
		fx.accounts = append(fx.accounts, Account{Email: u.Email, UserID: u.ID, Session: token, CSRF: csrf})
	}
	fx.thread = propose(t, st, fx, "세 노드의 토론").ID
	return fx
}

// propose opens a proposal by fx's author at once (no co-sponsors).
func propose(t *testing.T, st *store.Store, fx *clusterFixture, title string) *forum.Proposal {
	t.Helper()
	p, err := st.CreateProposal(context.Background(), store.NewProposal{AuthorID: fx.author, SponsorToken: "tok-" + title,
		Input: forum.ProposalInput{Title: title, Body: title, CategoryID: fx.category.ID, MinistryID: fx.category.MinistryID},
		Body:  moderation.TrustedFromStore("<p>" + title + "</p>")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != forum.StatusOpen {
		t.Fatalf("proposal %q is %s, want open", title, p.Status)
	}
	return p
}

// clusterDB opens the cluster's PostgreSQL database as another program
// would, with the store's placeholders, for the test's checks.
func clusterDB(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	db, err := dialect.OpenPostgres(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestCluster runs three `epeople serve` nodes on one PostgreSQL database,
// joined by one NATS server, with a live socket on each: a comment posted
// through one node reaches every node's sockets; a second node started
// without the bus is refused; NATS restarted costs a socket nothing; a node
// killed with SIGKILL costs its clients nothing once they reconnect to
// another node with the last id they saw; and the scheduler's leader killed
// before a support deadline still has that deadline close, once. Every
// socket's events are compared, in order and without repeats, with the
// events table.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL, NATS and three servers")
	}
	ctx := context.Background()
	dbURL := storetest.NewPostgresDatabase(t)
	bus, err := storetest.StartNATS(0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Stop() })
	clock := &shiftedClock{}
	st, err := store.Open(ctx, dbURL, storetest.Schema(t), store.Options{Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	fx := seedCluster(t, st)
	db := clusterDB(t, dbURL)
	topics := []string{forum.ProposalTopic(fx.thread)}
	since := lastEventID(t, db)

	node := func(name string) *Server {
		return startServer(t, dbURL, "-bus", bus.URL, "-node", name, "-post-per-minute", "1000000000")
	}
	nodes := []*Server{node("n1"), node("n2"), node("n3")}

	t.Run("a node without the bus is refused", func(t *testing.T) {
		s := launchServer(t, dbURL, "-node", "lonely")
		select {
		case <-s.Done():
		case <-time.After(StartTimeout):
			t.Fatalf("a node without -bus beside three live ones still runs:\n%s", s.LogTail())
		}
		if s.ExitErr() == nil || !strings.Contains(s.LogTail(), `refusing to start node "lonely"`) || !strings.Contains(s.LogTail(), "-bus") {
			t.Errorf("exit %v; want a refusal naming the node and -bus:\n%s", s.ExitErr(), s.LogTail())
		}
	})

	// One client on each node, from the same starting point.
	clients := make([]*liveClient, len(nodes))
	for i, n := range nodes {
		ws, err := dialLive(n.Base, topics[0], since, nil)
		if err != nil {
			t.Fatalf("live socket on node %d: %v", i+1, err)
		}
		clients[i] = startReading(ws, nil)
		t.Cleanup(clients[i].stop)
	}
	poster := newVisitor(t, nodes[0].Base, fx.accounts[0], LoopbackIP(1), 30*time.Second)
	post := func(t *testing.T, body string) {
		t.Helper()
		r, _, err := poster.comment(fx.thread, body)
		if err != nil || r.Status != 201 {
			t.Fatalf("post %q through node 1: %v, HTTP %d %s\n%s", body, err, r.Status, r.Body, nodes[0].LogTail())
		}
	}
	// everyoneHas waits until every client in cs has read the newest event on the thread.
	everyoneHas := func(t *testing.T, what string, cs ...*liveClient) {
		t.Helper()
		want := eventIDs(t, db, topics, since)
		if len(want) == 0 {
			t.Fatal("no event on the thread")
		}
		last := want[len(want)-1]
		if !waitFor(60*time.Second, func() bool {
			for _, c := range cs {
				if !c.has(last) {
					return false
				}
			}
			return true
		}) {
			for i, c := range cs {
				t.Logf("client %d read %v", i+1, c.received())
			}
			t.Fatalf("%s: not every socket read event %d within 60 s", what, last)
		}
	}

	t.Run("a comment through node 1 reaches every node", func(t *testing.T) {
		post(t, "첫 의견: 노드 1에서")
		everyoneHas(t, "a comment through node 1", clients...)
		want := eventIDs(t, db, topics, since)
		for i, c := range clients {
			if diff, _ := compareIDs(c.received(), want); diff != "" {
				t.Errorf("socket on node %d: %s", i+1, diff)
			}
		}
	})

	t.Run("NATS restarted", func(t *testing.T) {
		before := lastEventID(t, db)
		if err := bus.Kill(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// Comments committed while the bus is down reach nodes 2 and 3
		// only from the events table.
		for i := range 3 {
			post(t, fmt.Sprintf("버스가 멈춘 동안 %d", i))
		}
		if err := bus.Restart(); err != nil {
			t.Fatal(err)
		}
		// Every node told its socket the bus was lost, then that it is back.
		if !waitFor(60*time.Second, func() bool {
			for _, c := range clients {
				if !slices.Equal(c.statuses(), []string{live.StatusReconnecting, live.StatusLive}) {
					return false
				}
			}
			return true
		}) {
			for i, c := range clients {
				t.Errorf("socket on node %d was told %v, want reconnecting then live", i+1, c.statuses())
			}
		}
		post(t, "버스가 돌아온 뒤")
		everyoneHas(t, "comments around a NATS restart", clients...)
		want := eventIDs(t, db, topics, since)
		for i, c := range clients {
			if diff, _ := compareIDs(c.received(), want); diff != "" {
				t.Errorf("socket on node %d: %s", i+1, diff)
			}
		}
		// A client that connects after the restart, asking for what
		// followed the last id it had seen before the outage, gets it.
		ws, err := dialLive(nodes[2].Base, topics[0], before, nil)
		if err != nil {
			t.Fatal(err)
		}
		late := startReading(ws, nil)
		defer late.stop()
		everyoneHas(t, "a client reconnected after the NATS restart", late)
		if diff, _ := compareIDs(late.received(), eventIDs(t, db, topics, before)); diff != "" {
			t.Errorf("the client reconnected to node 3: %s", diff)
		}
	})

	t.Run("node 2 killed, its client moves to node 3", func(t *testing.T) {
		post(t, "노드 2가 죽기 전")
		everyoneHas(t, "before node 2 dies", clients...)
		nodes[1].Kill()
		<-clients[1].done
		seen := clients[1].received()
		// Written while the client has no socket: it must get these on node 3.
		post(t, "노드 2가 죽은 뒤 1")
		post(t, "노드 2가 죽은 뒤 2")
		ws, err := dialLive(nodes[2].Base, topics[0], seen[len(seen)-1], nil)
		if err != nil {
			t.Fatal(err)
		}
		moved := startReading(ws, nil)
		defer moved.stop()
		post(t, "노드 3으로 옮긴 뒤")
		everyoneHas(t, "after the move to node 3", clients[0], clients[2], moved)
		got := append(seen, moved.received()...)
		if diff, _ := compareIDs(got, eventIDs(t, db, topics, since)); diff != "" {
			t.Errorf("the client of node 2, before and after its move to node 3: %s", diff)
		}
	})

	t.Run("the scheduler's leader killed before a deadline", func(t *testing.T) {
		alive := []*Server{nodes[0], nodes[2]}
		var leader *Server
		if !waitFor(60*time.Second, func() bool {
			leader = nil
			for _, n := range alive {
				if n.LogCount("became leader") > n.LogCount("lost leadership") {
					if leader != nil {
						t.Fatalf("two nodes lead: %s and %s", leader.Addr, n.Addr)
					}
					leader = n
				}
			}
			return leader != nil
		}) {
			t.Fatal("no live node became the leader within 60 s")
		}
		// A proposal whose one-day support window ends 20 s from now:
		// proposed by a store whose clock runs a day less 20 s behind.
		const margin = 20 * time.Second
		clock.by.Store(int64(-24*time.Hour + margin))
		lapsing := propose(t, st, fx, "곧 마감되는 제안")
		clock.by.Store(0)
		if _, err := st.Support(ctx, lapsing.ID, fx.supporter, nil); err != nil {
			t.Fatal(err)
		}
		leader.Kill()
		if got := proposalStatus(t, db, lapsing.ID); got != string(forum.StatusOpen) {
			t.Fatalf("the proposal was %s before its deadline, when the leader was killed: the machine was too slow for the %s margin", got, margin)
		}
		var next *Server
		for _, n := range alive {
			if n != leader {
				next = n
			}
		}
		if !waitFor(60*time.Second, func() bool { return next.LogCount("became leader") > 0 }) {
			t.Fatalf("the other node did not take the lead within 60 s:\n%s", next.LogTail())
		}
		if !waitFor(margin+60*time.Second, func() bool { return proposalStatus(t, db, lapsing.ID) == string(forum.StatusClosed) }) {
			t.Fatalf("the lapsed proposal is %s a minute after its deadline:\n%s", proposalStatus(t, db, lapsing.ID), next.LogTail())
		}
		closes := 0
		rows, err := db.Query(`SELECT type, payload FROM events WHERE topic = ?`, forum.ProposalTopic(lapsing.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var typ, payload string
			if err := rows.Scan(&typ, &payload); err != nil {
				t.Fatal(err)
			}
			var d struct {
				Status forum.ProposalStatus `json:"status"`
			}
			if typ == forum.EventProposalStatus && json.Unmarshal([]byte(payload), &d) == nil && d.Status == forum.StatusClosed {
				closes++
			}
		}
		if closes != 1 {
			t.Errorf("%d proposal.status events closing proposal %d, want 1", closes, lapsing.ID)
		}
		var notes int
		if err := db.QueryRow(`SELECT count(*) FROM notifications WHERE user_id = ? AND kind = ?`, fx.supporter, forum.NoteStatusChanged).Scan(&notes); err != nil {
			t.Fatal(err)
		}
		if notes != 1 {
			t.Errorf("the supporter got %d status-changed notifications, want 1", notes)
		}
	})

	if err := st.CheckCounters(ctx); err != nil {
		t.Error(err)
	}
}

// lastEventID is the newest event's id in the cluster's database.
func lastEventID(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(`SELECT COALESCE(max(id), 0) FROM events`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// proposalStatus reads proposal id's status from the cluster's database.
func proposalStatus(t *testing.T, db *sql.DB, id int64) string {
	t.Helper()
	var s string
	if err := db.QueryRow(`SELECT status FROM proposals WHERE id = ?`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
