package store

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/e-people/e-people/forum"
)

// notified records what SetNotify delivered, and what a reader saw of the
// proposal at that moment.
type notified struct {
	mu       sync.Mutex
	batches  [][]forum.Event
	supports []int // support_count seen by a reader during each batch
}

func TestStore_NotifyAfterCommit(t *testing.T) {
	w := newWorld(t)
	draft := w.propose(t, "초안", true, 5)
	p := w.openProposal(t, "알림 받는 제안")
	u := newUser(t, w.s, "u")

	var n notified
	w.s.SetNotify(func(evs []forum.Event) {
		// A reader is a separate connection: it sees only committed data.
		got, err := w.s.Proposal(ctx, p.ID)
		if err != nil {
			t.Errorf("read during notify: %v", err)
		}
		n.mu.Lock()
		defer n.mu.Unlock()
		n.batches = append(n.batches, evs)
		n.supports = append(n.supports, got.Supports)
	})

	// Failing writes notify nothing and store nothing.
	before := lastEventID(t, w.s)
	_, err := w.s.Support(ctx, draft.ID, u.ID, nil)
	wantErr(t, err, forum.ErrInvalidState)
	_, err = w.s.Sponsor(ctx, p.ID, u.ID, "wrong", 5)
	wantErr(t, err, forum.ErrNotFound)
	wantErr(t, w.s.Withdraw(ctx, p.ID, u.ID), forum.ErrForbidden)
	if len(n.batches) != 0 {
		t.Fatalf("failed writes notified %d batches", len(n.batches))
	}
	if got := eventsAfter(t, w.s, before); len(got) != 0 {
		t.Fatalf("failed writes stored events %v", got)
	}
	// A write that changes nothing notifies nothing.
	if _, err := w.s.Unsupport(ctx, p.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if len(n.batches) != 0 {
		t.Fatalf("a no-op write notified")
	}

	if _, err := w.s.Support(ctx, p.ID, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	// The event, and its copy on the ministry's topic (private: the feed has the event).
	if len(n.batches) != 1 || len(n.batches[0]) != 2 {
		t.Fatalf("support notified %v", n.batches)
	}
	if c := n.batches[0][1]; c.Type != forum.EventProposalSupported || c.Topic != "ministry:main" || c.Public || string(c.Data) != string(n.batches[0][0].Data) {
		t.Errorf("ministry copy = %+v", c)
	}
	e := n.batches[0][0]
	if e.Type != forum.EventProposalSupported || e.Topic != forum.ProposalTopic(p.ID) || !e.CreatedAt.Equal(w.clock.now()) {
		t.Errorf("event = %+v", e)
	}
	if n.supports[0] != 1 {
		t.Errorf("during notify a reader saw support_count %d: notified before commit", n.supports[0])
	}
	var data struct {
		ProposalID int64 `json:"proposal_id"`
		Supports   int   `json:"supports"`
	}
	if err := json.Unmarshal(e.Data, &data); err != nil || data.ProposalID != p.ID || data.Supports != 1 {
		t.Errorf("event data = %s, %v", e.Data, err)
	}
	// The notified event is the stored one.
	var storedID int64
	var storedType, storedPayload string
	if err := w.s.DB().QueryRow(`SELECT id, type, payload FROM events WHERE topic = ? ORDER BY id DESC LIMIT 1`, e.Topic).
		Scan(&storedID, &storedType, &storedPayload); err != nil {
		t.Fatal(err)
	}
	if storedID != e.ID || storedType != e.Type || storedPayload != string(e.Data) {
		t.Errorf("stored event %d %s %s differs from notified %d %s %s", storedID, storedType, storedPayload, e.ID, e.Type, e.Data)
	}

	// A transaction with several events notifies them together, in id order.
	p2 := w.openProposal(t, "세 사건")
	var last []forum.Event // the proposal's own; the ministry's topic has copies of the public ones
	for _, e := range n.batches[len(n.batches)-1] {
		if e.Topic != "ministry:main" {
			last = append(last, e)
		}
	}
	if len(last) != 3 || last[0].Type != forum.EventProposalCreated || last[1].Type != forum.EventProposalStatus ||
		last[2].Type != forum.EventProposalStatus || last[0].ID >= last[1].ID || last[1].ID >= last[2].ID {
		t.Errorf("create-and-open notified %+v", last)
	}
	for _, e := range last {
		if e.Topic != forum.ProposalTopic(p2.ID) {
			t.Errorf("topic = %s", e.Topic)
		}
	}
}
