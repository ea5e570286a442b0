package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/e-people/e-people/forum"
)

// testNow is the fixed clock every test hub and event uses.
var testNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// memSource is an in-memory Source: events are "committed" by add before the
// test publishes them, as the store does.
type memSource struct {
	mu    sync.Mutex
	evs   []forum.Event // in id order; anything before evs[0] was pruned
	delay time.Duration // most EventsAfter sleeps before and after its snapshot, to widen races
}

func (m *memSource) add(evs ...forum.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evs = append(m.evs, evs...)
}

func (m *memSource) lastID() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.evs) == 0 {
		return 0
	}
	return m.evs[len(m.evs)-1].ID
}

func (m *memSource) EventsAfter(ctx context.Context, topics []string, feed bool, after int64, limit int) ([]forum.Event, error) {
	f := Filter{Topics: topics, Feed: feed}
	m.nap()
	m.mu.Lock()
	var out []forum.Event
	for _, ev := range m.evs {
		if ev.ID > after && f.Match(ev) && len(out) < limit {
			out = append(out, ev)
		}
	}
	m.mu.Unlock()
	m.nap()
	return out, ctx.Err()
}

func (m *memSource) nap() {
	if m.delay > 0 {
		time.Sleep(rand.N(m.delay))
	}
}

func (m *memSource) MinEventID(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.evs) == 0 {
		return 0, ctx.Err()
	}
	return m.evs[0].ID, ctx.Err()
}

func event(id int64, topic string, public bool) forum.Event {
	return forum.Event{
		ID: id, Topic: topic, Type: forum.EventCommentCreated, Public: public,
		Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, id)), CreatedAt: testNow,
	}
}

// startHub returns a running hub over src that the test closes at its end.
func startHub(t testing.TB, src Source, render Renderer, opt Options) *Hub {
	t.Helper()
	if opt.Now == nil {
		opt.Now = func() time.Time { return testNow }
	}
	h := New(src, render, opt)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { h.Run(ctx); close(ran) }()
	t.Cleanup(func() { cancel(); <-ran; h.Close() })
	return h
}

// commit stores evs in src, then publishes them, as the store does after commit.
func commit(h *Hub, src *memSource, evs ...forum.Event) {
	src.add(evs...)
	h.Publish(evs)
}

func subscribe(t testing.TB, h *Hub, f Filter, lang string, since int64) *Subscription {
	t.Helper()
	s, err := h.Subscribe(context.Background(), f, lang, since)
	if err != nil {
		t.Fatalf("Subscribe(%+v, %q, %d): %v", f, lang, since, err)
	}
	t.Cleanup(s.Close)
	return s
}

// recv reads n messages from s, failing on close or after a generous wait.
func recv(t testing.TB, s *Subscription, n int) []Message {
	t.Helper()
	out := make([]Message, 0, n)
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case f, ok := <-s.C():
			if !ok {
				t.Fatalf("channel closed after %d of %d messages", len(out), n)
			}
			b := f.JSON
			var m Message
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("decode %s: %v", b, err)
			}
			out = append(out, m)
		case <-timeout:
			t.Fatalf("got %d of %d messages before timeout", len(out), n)
		}
	}
	return out
}

func ids(ms []Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// drained reads s until its channel closes, failing if it stays open.
func drained(t testing.TB, s *Subscription) int {
	t.Helper()
	n := 0
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-s.C():
			if !ok {
				return n
			}
			n++
		case <-timeout:
			t.Fatalf("channel still open after %d messages", n)
		}
	}
}

func TestFilter_Match(t *testing.T) {
	tests := []struct {
		name string
		f    Filter
		ev   forum.Event
		want bool
	}{
		{"topic listed", Filter{Topics: []string{"debate:3", "proposal:12"}}, event(1, "proposal:12", false), true},
		{"topic not listed", Filter{Topics: []string{"proposal:1"}}, event(1, "proposal:12", true), false},
		{"feed takes public", Filter{Feed: true}, event(1, "proposal:12", true), true},
		{"feed skips private", Filter{Feed: true}, event(1, "user:7", false), false},
		{"private topic listed", Filter{Topics: []string{"user:7"}, Feed: true}, event(1, "user:7", false), true},
		{"empty filter", Filter{}, event(1, "proposal:12", true), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Match(tt.ev); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHub_MessageJSON(t *testing.T) {
	src := &memSource{}
	render := func(ev forum.Event, lang string) string {
		if ev.ID == 2 {
			return ""
		}
		return "<li>" + lang + "</li>"
	}
	h := startHub(t, src, render, Options{})
	s := subscribe(t, h, Filter{Topics: []string{"proposal:1"}}, "en", 0)
	commit(h, src, event(1, "proposal:1", false), event(2, "proposal:1", false))
	var raw []string
	for range 2 {
		raw = append(raw, string((<-s.C()).JSON))
	}
	want := []string{
		`{"id":1,"topic":"proposal:1","type":"comment.created","data":{"n":1},"html":"<li>en</li>"}`,
		`{"id":2,"topic":"proposal:1","type":"comment.created","data":{"n":2}}`,
	}
	for i := range want {
		if raw[i] != want[i] {
			t.Errorf("message %d = %s, want %s", i, raw[i], want[i])
		}
	}
}

func TestHub_DeliversInIDOrder(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, nil, Options{Buffer: 1000})
	// Matches proposal:1 by topic and public events by feed; an event matching
	// both must arrive once.
	s := subscribe(t, h, Filter{Topics: []string{"proposal:1", "proposal:2"}, Feed: true}, "ko", 0)
	var want []int64
	id := int64(0)
	for batch := range 20 {
		var evs []forum.Event
		for i := range batch%5 + 1 {
			id++
			ev := event(id, fmt.Sprintf("proposal:%d", (int(id)+i)%4), id%3 == 0)
			evs = append(evs, ev)
			if ev.Topic == "proposal:1" || ev.Topic == "proposal:2" || ev.Public {
				want = append(want, ev.ID)
			}
		}
		commit(h, src, evs...)
	}
	if got := ids(recv(t, s, len(want))); !equalIDs(got, want) {
		t.Errorf("ids = %v, want %v", got, want)
	}
}

func TestHub_TopicFilterAndFeed(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, nil, Options{})
	topic := subscribe(t, h, Filter{Topics: []string{"proposal:1"}}, "ko", 0)
	feed := subscribe(t, h, Filter{Feed: true}, "ko", 0)
	user := subscribe(t, h, Filter{Topics: []string{"user:7"}}, "ko", 0)
	commit(h, src,
		event(1, "proposal:1", true),
		event(2, "proposal:2", true),
		event(3, "user:7", false),
		event(4, "proposal:1", false), // e.g. an event only the proposal's page shows
		event(5, "debate:3", true),
		event(6, "user:8", false),
	)
	// The sentinel 7 matches everyone, so whatever arrives before it is all
	// that each subscriber was sent.
	commit(h, src, forum.Event{ID: 7, Topic: "user:7", Public: true, Data: json.RawMessage(`{}`)})
	for _, tt := range []struct {
		name string
		s    *Subscription
		want []int64
	}{
		{"topic", topic, []int64{1, 4}},
		{"feed", feed, []int64{1, 2, 5, 7}},
		{"user", user, []int64{3, 7}},
	} {
		got := ids(recv(t, tt.s, len(tt.want)))
		if !equalIDs(got, tt.want) {
			t.Errorf("%s: ids = %v, want %v", tt.name, got, tt.want)
		}
	}
	commit(h, src, event(8, "proposal:1", false))
	if got := ids(recv(t, topic, 1)); got[0] != 8 {
		t.Errorf("topic after sentinel: got %v, want [8]", got)
	}
}

func TestHub_ReplayThenLive(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, nil, Options{})
	for id := int64(1); id <= 10; id++ {
		commit(h, src, event(id, fmt.Sprintf("proposal:%d", id%2), false))
	}
	// Events stored but not yet dispatched when the subscriber arrives are
	// both replayed and published: each must come once.
	src.add(event(11, "proposal:1", false), event(12, "proposal:0", false))
	s := subscribe(t, h, Filter{Topics: []string{"proposal:1"}}, "ko", 4)
	h.Publish([]forum.Event{event(11, "proposal:1", false), event(12, "proposal:0", false)})
	commit(h, src, event(13, "proposal:1", false))
	want := []int64{5, 7, 9, 11, 13}
	if got := ids(recv(t, s, len(want))); !equalIDs(got, want) {
		t.Errorf("ids = %v, want %v", got, want)
	}
}

// TestHub_ReplayRacesLive subscribes 50 clients from various ids while events
// are published continuously: each must see exactly the ids its filter
// matches after since, in order.
func TestHub_ReplayRacesLive(t *testing.T) {
	const total = 3000
	gen := func(id int64) forum.Event {
		return event(id, fmt.Sprintf("proposal:%d", id*7%5), id%3 == 0)
	}
	filters := []Filter{
		{Topics: []string{"proposal:1"}},
		{Topics: []string{"proposal:2", "proposal:3"}},
		{Feed: true},
		{Topics: []string{"proposal:4"}, Feed: true},
		{Topics: []string{"proposal:0", "proposal:1", "proposal:2", "proposal:3", "proposal:4"}},
	}
	src := &memSource{delay: 3 * time.Millisecond}
	h := startHub(t, src, nil, Options{Buffer: total, ReplayLimit: total})
	for id := int64(1); id <= 200; id++ {
		commit(h, src, gen(id))
	}

	go func() {
		for id := int64(201); id <= total; {
			var evs []forum.Event
			for n := rand.IntN(5) + 1; n > 0 && id <= total; n-- {
				evs = append(evs, gen(id))
				id++
			}
			commit(h, src, evs...)
			time.Sleep(50 * time.Microsecond)
		}
	}()

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
			f := filters[i%len(filters)]
			since := rand.Int64N(src.lastID()) + 1
			if i%10 == 9 {
				since = src.lastID() // nothing to replay yet
			}
			s, err := h.Subscribe(context.Background(), f, "ko", since)
			if err != nil {
				t.Errorf("subscriber %d: Subscribe since %d: %v", i, since, err)
				return
			}
			defer s.Close()
			var want []int64
			for id := since + 1; id <= total; id++ {
				if f.Match(gen(id)) {
					want = append(want, id)
				}
			}
			got := make([]int64, 0, len(want))
			timeout := time.After(20 * time.Second)
			for len(got) < len(want) {
				select {
				case f, ok := <-s.C():
					if !ok {
						t.Errorf("subscriber %d: closed after %d of %d (dropped %v)", i, len(got), len(want), s.Dropped())
						return
					}
					b := f.JSON
					var m Message
					if err := json.Unmarshal(b, &m); err != nil {
						t.Errorf("subscriber %d: %v", i, err)
						return
					}
					got = append(got, m.ID)
				case <-timeout:
					t.Errorf("subscriber %d: got %d of %d before timeout", i, len(got), len(want))
					return
				}
			}
			if !equalIDs(got, want) {
				t.Errorf("subscriber %d (%+v since %d): ids differ from the %d expected; first got %v", i, f, since, len(want), got[:min(10, len(got))])
			}
		})
	}
	wg.Wait()
}

func TestHub_ReplayGap(t *testing.T) {
	old := testNow.Add(-25 * time.Hour)
	tests := []struct {
		name    string
		stored  []forum.Event
		limit   int
		since   int64
		wantGap bool
	}{
		{"pruned", eventsFrom(10, 20, testNow), 0, 8, true},
		{"just after pruning", eventsFrom(10, 20, testNow), 0, 9, false},
		{"too old", eventsFrom(1, 10, old), 0, 2, true},
		{"old but already seen", append(eventsFrom(1, 5, old), eventsFrom(6, 10, testNow)...), 0, 5, false},
		{"too many", eventsFrom(1, 10, testNow), 5, 4, true},
		{"exactly the limit", eventsFrom(1, 10, testNow), 5, 5, false},
		{"nothing stored", nil, 0, 42, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &memSource{}
			src.add(tt.stored...)
			h := startHub(t, src, nil, Options{ReplayLimit: tt.limit})
			s, err := h.Subscribe(context.Background(), Filter{Topics: []string{"proposal:1"}}, "ko", tt.since)
			if tt.wantGap {
				if !errors.Is(err, ErrReplayGap) {
					t.Fatalf("err = %v, want ErrReplayGap", err)
				}
				if n, _ := h.Stats(); n != 0 {
					t.Errorf("subscribers after gap = %d, want 0", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			defer s.Close()
			if want := len(tt.stored) - int(tt.since-firstID(tt.stored)) - 1; want > 0 {
				got := ids(recv(t, s, want))
				if got[0] != tt.since+1 || got[len(got)-1] != tt.stored[len(tt.stored)-1].ID {
					t.Errorf("replayed %v", got)
				}
			}
		})
	}
}

func eventsFrom(first, last int64, at time.Time) []forum.Event {
	var out []forum.Event
	for id := first; id <= last; id++ {
		ev := event(id, "proposal:1", false)
		ev.CreatedAt = at
		out = append(out, ev)
	}
	return out
}

func firstID(evs []forum.Event) int64 {
	if len(evs) == 0 {
		return 0
	}
	return evs[0].ID
}

func TestHub_ReplayError(t *testing.T) {
	h := startHub(t, &memSource{}, nil, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Subscribe(ctx, Filter{Feed: true}, "ko", 3); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n, _ := h.Stats(); n != 0 {
		t.Errorf("subscribers = %d, want 0", n)
	}
}

func TestHub_SlowSubscriberDropped(t *testing.T) {
	const buffer, total = 4, 100
	src := &memSource{}
	h := startHub(t, src, nil, Options{Buffer: buffer})
	f := Filter{Topics: []string{"proposal:1"}}
	slow := subscribe(t, h, f, "ko", 0)
	fast := subscribe(t, h, f, "ko", 0)
	for id := int64(1); id <= total; id++ {
		commit(h, src, event(id, "proposal:1", false))
		if got := recv(t, fast, 1)[0].ID; got != id {
			t.Fatalf("fast got %d, want %d", got, id)
		}
	}
	if n := drained(t, slow); n != buffer {
		t.Errorf("slow received %d before close, want %d", n, buffer)
	}
	if !slow.Dropped() || fast.Dropped() {
		t.Errorf("Dropped: slow %v fast %v, want true false", slow.Dropped(), fast.Dropped())
	}
	if n, dropped := h.Stats(); n != 1 || dropped != 1 {
		t.Errorf("Stats = %d, %d; want 1, 1", n, dropped)
	}
	slow.Close() // after a drop: harmless
}

func TestHub_RendersOncePerEventAndLang(t *testing.T) {
	type key struct {
		id   int64
		lang string
	}
	var mu sync.Mutex
	calls := map[key]int{}
	render := func(ev forum.Event, lang string) string {
		mu.Lock()
		calls[key{ev.ID, lang}]++
		mu.Unlock()
		return fmt.Sprintf("<p>%d %s</p>", ev.ID, lang)
	}
	src := &memSource{}
	h := startHub(t, src, render, Options{})
	langs := []string{"ko", "en"} // nobody reads zh: it must not be rendered
	var subs []*Subscription
	for i := range 100 {
		subs = append(subs, subscribe(t, h, Filter{Topics: []string{"proposal:1"}, Feed: i%2 == 0}, langs[i%2], 0))
	}
	const total = 20
	for id := int64(1); id <= total; id++ {
		commit(h, src, event(id, "proposal:1", id%2 == 0))
	}
	for i, s := range subs {
		for _, m := range recv(t, s, total) {
			if want := fmt.Sprintf("<p>%d %s</p>", m.ID, langs[i%2]); m.HTML != want {
				t.Fatalf("subscriber %d html = %q, want %q", i, m.HTML, want)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != total*len(langs) {
		t.Errorf("rendered %d (event, lang) pairs, want %d", len(calls), total*len(langs))
	}
	for k, n := range calls {
		if n != 1 || k.lang == "zh" {
			t.Errorf("render(%d, %s) called %d times", k.id, k.lang, n)
		}
	}
}

func TestHub_Close(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, nil, Options{})
	var subs []*Subscription
	for i := range 10 {
		subs = append(subs, subscribe(t, h, Filter{Topics: []string{fmt.Sprintf("proposal:%d", i%3)}, Feed: i%2 == 0}, "ko", 0))
	}
	commit(h, src, event(1, "proposal:0", true))
	h.Close()
	h.Close()
	for i, s := range subs {
		drained(t, s)
		if s.Dropped() {
			t.Errorf("subscriber %d: Dropped after hub Close", i)
		}
		s.Close()
	}
	if n, dropped := h.Stats(); n != 0 || dropped != 0 {
		t.Errorf("Stats = %d, %d; want 0, 0", n, dropped)
	}
	if _, err := h.Subscribe(context.Background(), Filter{Feed: true}, "ko", 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe after Close: err = %v, want ErrClosed", err)
	}
	if _, err := h.Subscribe(context.Background(), Filter{Feed: true}, "ko", 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe with since after Close: err = %v, want ErrClosed", err)
	}
	commit(h, src, event(2, "proposal:0", true)) // must not panic or block
}

func TestHub_RunEndsWithContext(t *testing.T) {
	h := New(&memSource{}, nil, Options{})
	s := subscribe(t, h, Filter{Feed: true}, "ko", 0)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { h.Run(ctx); close(ran) }()
	cancel()
	<-ran
	drained(t, s)
	if _, err := h.Subscribe(context.Background(), Filter{Feed: true}, "ko", 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe after Run ended: err = %v, want ErrClosed", err)
	}
}

func TestHub_PublishBeforeRun(t *testing.T) {
	src := &memSource{}
	h := New(src, nil, Options{})
	s := subscribe(t, h, Filter{Feed: true}, "ko", 0)
	for id := int64(1); id <= 10; id++ {
		commit(h, src, event(id, "proposal:1", true)) // queued: nothing runs yet
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.Run(ctx)
	if got := ids(recv(t, s, 10)); got[0] != 1 || got[9] != 10 {
		t.Errorf("ids = %v", got)
	}
}

// TestHub_ConcurrentChurn subscribes and unsubscribes from many goroutines
// while events flow; the race detector and the final count are the checks.
func TestHub_ConcurrentChurn(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, nil, Options{Buffer: 8})
	stop := make(chan struct{})
	published := make(chan struct{})
	go func() {
		defer close(published)
		for id := int64(1); ; id++ {
			select {
			case <-stop:
				return
			default:
			}
			commit(h, src, event(id, fmt.Sprintf("proposal:%d", id%10), id%2 == 0))
			runtime.Gosched()
		}
	}()
	var wg sync.WaitGroup
	var received atomic.Int64
	for g := range 100 {
		wg.Go(func() {
			for i := range 20 {
				s, err := h.Subscribe(context.Background(), Filter{Topics: []string{fmt.Sprintf("proposal:%d", (g+i)%10)}, Feed: i%3 == 0}, "ko", 0)
				if err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					go func() {
						for range s.C() {
							received.Add(1)
						}
					}()
				}
				time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
				s.Close()
				s.Close()
			}
		})
	}
	wg.Wait()
	close(stop)
	<-published
	if n, _ := h.Stats(); n != 0 {
		t.Errorf("subscribers after churn = %d, want 0", n)
	}
}

// BenchmarkFanout measures, per event, the time from Publish until the last
// of 10,000 subscribers on one topic has received it.
func BenchmarkFanout(b *testing.B) {
	const subs = 10000
	src := &memSource{}
	render := func(ev forum.Event, lang string) string { return "<li>새 의견</li>" }
	h := startHub(b, src, render, Options{})
	var remaining atomic.Int64
	done := make(chan struct{}, 1)
	var readers sync.WaitGroup
	for i := range subs {
		s := subscribe(b, h, Filter{Topics: []string{"proposal:1"}}, []string{"ko", "en", "zh"}[i%3], 0)
		readers.Go(func() {
			for range s.C() {
				if remaining.Add(-1) == 0 {
					done <- struct{}{}
				}
			}
		})
	}
	b.ResetTimer()
	for i := range b.N {
		remaining.Store(subs)
		h.Publish([]forum.Event{event(int64(i+1), "proposal:1", true)})
		<-done
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*subs), "ns/delivery")
	h.Close()
	readers.Wait()
	if _, dropped := h.Stats(); dropped != 0 {
		b.Errorf("dropped %d subscribers", dropped)
	}
}

// Every live subscriber of one language gets the very same frame for an
// event, with its websocket frame prepared once for all of their sockets;
// another language gets a frame of its own. A replayed frame belongs to
// one subscriber and is sent as is.
func TestHub_SharesOneFramePerLanguage(t *testing.T) {
	src := &memSource{}
	h := startHub(t, src, func(ev forum.Event, lang string) string { return "<p>" + lang + "</p>" }, Options{})
	src.add(event(1, "proposal:1", false))
	langs := []string{"ko", "en", "ko", "en", "ko"}
	var subs []*Subscription
	for _, lang := range langs {
		subs = append(subs, subscribe(t, h, Filter{Topics: []string{"proposal:1"}}, lang, 0))
	}
	commit(h, src, event(2, "proposal:1", false))
	first := map[string]*Frame{}
	for i, s := range subs {
		f := <-s.C()
		if f.prepared == nil {
			t.Fatalf("subscriber %d: live frame has no prepared websocket frame", i)
		}
		if g, ok := first[langs[i]]; !ok {
			first[langs[i]] = f
		} else if g != f {
			t.Errorf("subscriber %d (%s) got a frame of its own, not the one its language shares", i, langs[i])
		}
	}
	if first["ko"] == first["en"] || string(first["ko"].JSON) == string(first["en"].JSON) {
		t.Errorf("ko and en share a frame: %s", first["ko"].JSON)
	}

	late := subscribe(t, h, Filter{Topics: []string{"proposal:1"}}, "ko", 1)
	if f := <-late.C(); f.prepared != nil || f == first["ko"] {
		t.Errorf("replayed frame %s is shared or prepared; it is one subscriber's", f.JSON)
	}
}
