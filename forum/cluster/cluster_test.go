package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/cluster"
	"github.com/e-people/e-people/forum/live"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/forum/store/storetest"
	"github.com/e-people/e-people/moderation"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var ctx = context.Background()

// openStore opens the PostgreSQL database at db; closed when the test ends.
func openStore(t *testing.T, db string) *store.Store {
	t.Helper()
	st, err := store.Open(ctx, db, storetest.Schema(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// forumWorld is what comments need: an author and an open proposal.
type forumWorld struct {
	author   int64
	proposal int64
}

var seq atomic.Int64

func newForumWorld(t *testing.T, st *store.Store) forumWorld {
	t.Helper()
	n := seq.Add(1)
	m, err := st.CreateMinistry(ctx, forum.Ministry{Slug: fmt.Sprintf("m%d", n), NameKO: "부처", NameEN: "Ministry"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateCategory(ctx, forum.Category{Slug: fmt.Sprintf("c%d", n), NameKO: "분야", NameEN: "Area", MinistryID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, forum.User{Role: forum.RoleCitizen, Name: "author", Tier: forum.TierEmailVerified,
		Email: fmt.Sprintf("author%d@example.kr", n)}, "hash")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CreateProposal(ctx, store.NewProposal{AuthorID: u.ID,
		Input: forum.ProposalInput{Title: "제안", Body: "본문", CategoryID: c.ID, MinistryID: m.ID},
		Body:  moderation.TrustedFromStore("<p>본문</p>"), SponsorToken: fmt.Sprintf("t%d", n)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return forumWorld{author: u.ID, proposal: p.ID}
}

func (w forumWorld) comment(t *testing.T, st *store.Store, body string) {
	t.Helper()
	if _, err := st.CreateComment(ctx, store.NewComment{Subject: forum.ProposalSubject(w.proposal), AuthorID: w.author,
		Input: forum.CommentInput{Stance: forum.StanceFor, Body: body}, Body: moderation.TrustedFromStore("<p>" + body + "</p>")}); err != nil {
		t.Fatal(err)
	}
}

// node is one web node's event path: a store, a hub and its events.
type node struct {
	st     *store.Store
	hub    *live.Hub
	events *cluster.Events
}

func startNode(t *testing.T, db, bus string) *node {
	t.Helper()
	n := &node{st: openStore(t, db)}
	n.hub = live.New(n.st, nil, live.Options{Buffer: 1024})
	hctx, cancel := context.WithCancel(ctx)
	go n.hub.Run(hctx)
	var err error
	n.events, err = cluster.StartEvents(ctx, n.st, bus, n.hub.Publish, cluster.BusOptions{Name: t.Name(), Status: func(up bool) {
		if up {
			n.hub.SetStatus(live.StatusLive)
		} else {
			n.hub.SetStatus(live.StatusReconnecting)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.events.Close(); cancel(); n.hub.Close() })
	return n
}

// received is what a subscriber got: event ids, and status states.
type received struct {
	ids    []int64
	states []string
}

// collect reads sub until it holds want's ids (or fails after a long wait),
// and a little more to catch duplicates.
func collect(t *testing.T, sub *live.Subscription, want []int64, until func(received) bool) received {
	t.Helper()
	var got received
	deadline := time.After(30 * time.Second)
	done := func() bool { return len(got.ids) >= len(want) && (until == nil || until(got)) }
	for !done() {
		select {
		case f, ok := <-sub.C():
			if !ok {
				t.Fatalf("subscription closed; got %v", got)
			}
			got.add(t, f)
		case <-deadline:
			t.Fatalf("waited 30 s: got %v, want ids %v", got, want)
		}
	}
	for { // anything more now would be a duplicate
		select {
		case f := <-sub.C():
			got.add(t, f)
			continue
		case <-time.After(cluster.CatchUpEvery + time.Second):
		}
		return got
	}
}

func (r *received) add(t *testing.T, f *live.Frame) {
	var m struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
		Data struct {
			State string `json:"state"`
		} `json:"data"`
	}
	if err := json.Unmarshal(f.JSON, &m); err != nil {
		t.Fatal(err)
	}
	if m.Type == "status" {
		r.states = append(r.states, m.Data.State)
		return
	}
	r.ids = append(r.ids, m.ID)
}

// stored returns the ids of the events of topic after since, from the table.
func stored(t *testing.T, st *store.Store, topic string, since int64) []int64 {
	t.Helper()
	evs, err := st.EventsAfter(ctx, []string{topic}, false, since, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	return ids
}

func subscribe(t *testing.T, h *live.Hub, topic string) *live.Subscription {
	t.Helper()
	sub, err := h.Subscribe(ctx, live.Filter{Topics: []string{topic}}, "ko", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// Events committed through both nodes, concurrently, reach a subscriber of
// each node's hub once each, in id order.
func TestEvents_TwoNodesOneBus(t *testing.T) {
	db, bus := storetest.NewPostgresDatabase(t), storetest.NATS(t)
	n1, n2 := startNode(t, db, bus), startNode(t, db, bus)
	w := newForumWorld(t, n1.st)
	topic := forum.ProposalTopic(w.proposal)
	since, _ := n1.st.LastEventID(ctx)
	sub1, sub2 := subscribe(t, n1.hub, topic), subscribe(t, n2.hub, topic)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			w.comment(t, n2.st, fmt.Sprintf("node 2 says %d", i))
		}
	}()
	for i := range 20 {
		w.comment(t, n1.st, fmt.Sprintf("node 1 says %d", i))
	}
	<-done
	want := stored(t, n1.st, topic, since)
	if len(want) < 40 {
		t.Fatalf("%d events stored, want 40 or more", len(want))
	}
	for i, sub := range []*live.Subscription{sub1, sub2} {
		if got := collect(t, sub, want, nil); !slices.Equal(got.ids, want) {
			t.Errorf("node %d's subscriber got %v, want %v", i+1, got.ids, want)
		}
	}
}

// An event whose publish is lost is still delivered: the next one's gap is
// filled from the table, and a lost last one comes with the catch-up.
func TestEvents_GapFilledFromTable(t *testing.T) {
	db, bus := storetest.NewPostgresDatabase(t), storetest.NATS(t)
	n2 := startNode(t, db, bus)
	// Node 1 publishes only every third event: a bus that loses messages.
	st1 := openStore(t, db)
	seq1, err := cluster.NewSequencer(ctx, st1, func([]forum.Event) {}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b1, err := cluster.Connect(bus, seq1, cluster.BusOptions{Name: "lossy"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b1.Close)
	var k atomic.Int64
	st1.SetNotify(func(evs []forum.Event) {
		for _, ev := range evs {
			if k.Add(1)%3 == 0 {
				b1.Publish([]forum.Event{ev})
			}
		}
	})
	w := newForumWorld(t, st1)
	topic := forum.ProposalTopic(w.proposal)
	since, _ := st1.LastEventID(ctx)
	sub := subscribe(t, n2.hub, topic)
	for i := range 10 {
		w.comment(t, st1, fmt.Sprintf("comment %d", i))
	}
	want := stored(t, st1, topic, since)
	if got := collect(t, sub, want, nil); !slices.Equal(got.ids, want) {
		t.Errorf("got %v, want %v", got.ids, want)
	}
}

// The bus dies and comes back: node 2's subscribers hear reconnecting, then
// live, and miss none of node 1's events, those of the outage included.
func TestEvents_BusLostAndBack(t *testing.T) {
	port, err := storetest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := storetest.StartNATS(port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	db := storetest.NewPostgresDatabase(t)
	n1, n2 := startNode(t, db, srv.URL), startNode(t, db, srv.URL)
	w := newForumWorld(t, n1.st)
	topic := forum.ProposalTopic(w.proposal)
	since, _ := n1.st.LastEventID(ctx)
	sub := subscribe(t, n2.hub, topic)
	w.comment(t, n1.st, "before")
	collect(t, sub, stored(t, n1.st, topic, since), nil)

	if err := srv.Kill(9); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "node 2 to lose the bus", func() bool { return !n2.events.Bus().Live() })
	for i := range 5 {
		w.comment(t, n1.st, fmt.Sprintf("during %d", i))
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		w.comment(t, n1.st, fmt.Sprintf("after %d", i))
	}
	want := stored(t, n1.st, topic, since)
	got := collect(t, sub, want[1:], func(r received) bool { return slices.Contains(r.states, live.StatusLive) })
	if !slices.Equal(got.ids, want[1:]) {
		t.Errorf("got %v, want %v", got.ids, want[1:])
	}
	if len(got.states) < 2 || got.states[0] != live.StatusReconnecting || got.states[len(got.states)-1] != live.StatusLive {
		t.Errorf("states told: %v, want reconnecting … live", got.states)
	}
	// A new subscriber is told nothing more: the bus is live.
	if !n2.events.Bus().Live() {
		t.Error("bus not live after the restart")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
	}
}

// An administrator's change of the settings on one node reaches the other
// node's copy within seconds, with no restart.
func TestEvents_SettingsReachOtherNode(t *testing.T) {
	db := storetest.NewPostgresDatabase(t)
	n1, n2 := startNode(t, db, ""), startNode(t, db, "")
	want := n2.st.Settings().SponsorThreshold + 7
	if err := n1.st.SetSettings(ctx, map[string]string{forum.SettingSponsorThreshold: fmt.Sprint(want)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "node 2 to see the new sponsor threshold", func() bool { return n2.st.Settings().SponsorThreshold == want })
}
