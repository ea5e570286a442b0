package live

import (
	"encoding/json"
	"testing"
)

// TestHub_SetStatus: a status goes to every subscriber after the events
// published before it, with id 0 so clients keep their last id; a
// subscriber that joins while the node is reconnecting is told at once,
// and one that joins once it is live again is told nothing.
func TestHub_SetStatus(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, nil, Options{})
	a := subscribe(t, h, Filter{Topics: []string{"proposal:1"}}, "ko", 0)
	commit(h, src, event(1, "proposal:1", true))
	h.SetStatus(StatusReconnecting)
	got := recv(t, a, 2)
	if got[0].ID != 1 || got[1].Type != "status" || got[1].ID != 0 || state(t, got[1]) != StatusReconnecting {
		t.Fatalf("got %+v, want event 1 then reconnecting", got)
	}
	late := subscribe(t, h, Filter{Topics: []string{"proposal:1"}}, "ko", 1) // a reconnecting client, replaying
	if m := recv(t, late, 1)[0]; m.Type != "status" || state(t, m) != StatusReconnecting {
		t.Fatalf("late subscriber got %+v, want reconnecting", m)
	}
	commit(h, src, event(2, "proposal:1", true))
	h.SetStatus(StatusLive)
	for _, s := range []*Subscription{a, late} {
		got := recv(t, s, 2)
		if got[0].ID != 2 || state(t, got[1]) != StatusLive {
			t.Fatalf("got %+v, want event 2 then live", got)
		}
	}
	fresh := subscribe(t, h, Filter{Topics: []string{"proposal:1"}}, "ko", 0)
	commit(h, src, event(3, "proposal:1", true))
	if m := recv(t, fresh, 1)[0]; m.ID != 3 {
		t.Fatalf("subscriber after the bus came back got %+v first, want event 3", m)
	}
}

func state(t *testing.T, m Message) string {
	t.Helper()
	var d struct {
		State string `json:"state"`
	}
	if err := json.Unmarshal(m.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d.State
}
