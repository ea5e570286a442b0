// Package live streams committed forum events to browsers. The Hub takes
// them in through Publish, and subscribers get them out as encoded JSON
// messages, filtered by topic, with replay from a stored event id so a
// reconnecting client misses nothing. Sockets is the websocket endpoint
// that serves each subscription on a connection the web server hijacked.
// It knows neither the web server nor the store: the web server hands it
// connections, and the hub gets a Source to replay from and a Renderer for
// HTML at construction.
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/gorilla/websocket"
)

// ErrReplayGap means the events a client missed can no longer be replayed
// (pruned, too old, or too many); it must reload the page instead.
var ErrReplayGap = errors.New("live: cannot replay missed events, reload")

// ErrClosed means the hub has been closed.
var ErrClosed = errors.New("live: hub closed")

// Filter selects events: those whose Topic is in Topics or is Me, plus
// every Public event when Feed is set.
type Filter struct {
	Topics []string
	Feed   bool
	// Me is the subscriber's own private topic (forum.UserTopic), or "".
	// Its events are sent under the topic "me" (TopicMe), the name the
	// client subscribed with.
	Me string
}

// TopicMe is the topic a subscriber's own events (Filter.Me) are sent under.
const TopicMe = "me"

// Match reports whether f selects ev.
func (f Filter) Match(ev forum.Event) bool {
	return (f.Feed && ev.Public) || slices.Contains(f.Topics, ev.Topic) || (f.Me != "" && ev.Topic == f.Me)
}

// topics is every topic f names, Me included.
func (f Filter) topics() []string {
	if f.Me == "" {
		return slices.Clone(f.Topics)
	}
	return append(slices.Clone(f.Topics), f.Me)
}

// Source reads stored events for replay; *store.Store is one.
type Source interface {
	// EventsAfter returns up to limit events with ID > after, in ID order,
	// whose Topic is in topics, or, when feed is set, that are Public.
	EventsAfter(ctx context.Context, topics []string, feed bool, after int64, limit int) ([]forum.Event, error)
	// MinEventID returns the smallest stored event id (0 when none): older ones were pruned.
	MinEventID(ctx context.Context) (int64, error)
}

// Renderer returns the server-rendered HTML partial for ev in lang ("ko",
// "en", "zh"), or "" for none.
type Renderer func(ev forum.Event, lang string) string

// Message is the JSON a client receives for one event.
type Message struct {
	ID    int64           `json:"id"`
	Topic string          `json:"topic"`
	Type  string          `json:"type"`
	Data  json.RawMessage `json:"data"`
	HTML  string          `json:"html,omitempty"`
}

// Frame is one event's Message JSON in one language. A frame the hub
// dispatches live is shared by every subscriber of that language, with the
// websocket frame built once for all of their sockets.
type Frame struct {
	JSON     []byte                     // the Message, as the client receives it
	prepared *websocket.PreparedMessage // nil for a replayed frame, which one socket alone sends
}

// Options tunes a Hub; the zero value gives the defaults.
type Options struct {
	Buffer       int              // per-subscriber queue length; 64 when 0
	ReplayWindow time.Duration    // how far back a reconnecting client may ask; 24h when 0
	ReplayLimit  int              // most events replayed in one go; more means reload; 1000 when 0
	Now          func() time.Time // clock for ReplayWindow; time.Now when nil
}

// Hub fans published events out to subscribers. Create it with New, start
// Run once in its own goroutine, and Close it on shutdown.
type Hub struct {
	src    Source
	render Renderer
	opt    Options

	// Published events waiting for Run; wake has room for one signal.
	qmu     sync.Mutex
	queue   []forum.Event
	qclosed bool
	wake    chan struct{}

	// Subscriber indexes. Run holds the read lock while it fans out;
	// subscribing and removing take the write lock.
	smu     sync.RWMutex
	all     map[*Subscription]struct{}
	byTopic map[string]map[*Subscription]struct{}
	feed    map[*Subscription]struct{}
	closed  bool

	done      chan struct{}
	closeOnce sync.Once
	dropped   atomic.Int64
	// status is the last state SetStatus set, which new subscribers are
	// told when it is not StatusLive; nil until then.
	status atomic.Pointer[Frame]
}

// The states of a node's link to the other nodes that SetStatus tells
// clients, in a message {"id":0,"topic":"","type":"status","data":{"state":…}}.
const (
	StatusReconnecting = "reconnecting" // events from other nodes are late; they will come
	StatusLive         = "live"         // caught up, and live again
	statusType         = "status"
)

// SetStatus tells every subscriber, after the events published before it,
// the state of this node's link to the other nodes (StatusReconnecting or
// StatusLive). Subscribers that join while it is not StatusLive are told too.
func (h *Hub) SetStatus(state string) {
	data, _ := json.Marshal(map[string]string{"state": state})
	h.Publish([]forum.Event{{Type: statusType, Topic: state, Data: data}}) // Topic: for dispatchStatus
}

// New returns a hub that replays from src and renders HTML partials with
// render (which may be nil for none).
func New(src Source, render Renderer, opt Options) *Hub {
	if opt.Buffer <= 0 {
		opt.Buffer = 64
	}
	if opt.ReplayWindow <= 0 {
		opt.ReplayWindow = 24 * time.Hour
	}
	if opt.ReplayLimit <= 0 {
		opt.ReplayLimit = 1000
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Hub{
		src:     src,
		render:  render,
		opt:     opt,
		wake:    make(chan struct{}, 1),
		all:     make(map[*Subscription]struct{}),
		byTopic: make(map[string]map[*Subscription]struct{}),
		feed:    make(map[*Subscription]struct{}),
		done:    make(chan struct{}),
	}
}

// Publish hands committed events, in id order, to the hub. It never blocks on
// subscribers and never drops an event; call it after commit, never inside
// the transaction. The hub keeps evs' Data without copying it.
func (h *Hub) Publish(evs []forum.Event) {
	if len(evs) == 0 {
		return
	}
	h.qmu.Lock()
	if h.qclosed {
		h.qmu.Unlock()
		return
	}
	h.queue = append(h.queue, evs...)
	h.qmu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default: // Run is already signalled
	}
}

// Run dispatches published events until ctx ends or the hub is closed; when
// ctx ends it closes the hub. Call it once.
func (h *Hub) Run(ctx context.Context) {
	var batch []forum.Event
	for {
		select {
		case <-ctx.Done():
			h.Close()
			return
		case <-h.done:
			return
		case <-h.wake:
		}
		h.qmu.Lock()
		batch, h.queue = h.queue, batch[:0]
		h.qmu.Unlock()
		for i := range batch {
			h.dispatch(batch[i])
			batch[i] = forum.Event{} // let Data go
		}
	}
}

// dispatch sends ev to every matching subscriber, encoding it at most once
// per language, and removes the subscribers that were too slow to take it.
func (h *Hub) dispatch(ev forum.Event) {
	if ev.ID == 0 && ev.Type == statusType {
		h.dispatchStatus(ev)
		return
	}
	enc := eventEncoder{hub: h, ev: ev}
	var slow []*Subscription
	h.smu.RLock()
	for s := range h.byTopic[ev.Topic] {
		if s.deliver(ev.ID, enc.get(s.lang, s.me == ev.Topic)) {
			slow = append(slow, s)
		}
	}
	if ev.Public {
		for s := range h.feed {
			if s.deliver(ev.ID, enc.get(s.lang, false)) {
				slow = append(slow, s)
			}
		}
	}
	h.smu.RUnlock()
	h.drop(slow)
}

// drop removes the subscribers that were too slow to take a message.
func (h *Hub) drop(slow []*Subscription) {
	if len(slow) == 0 {
		return
	}
	h.smu.Lock()
	for _, s := range slow {
		h.unindex(s)
	}
	h.smu.Unlock()
}

// dispatchStatus sends a SetStatus message to every subscriber.
func (h *Hub) dispatchStatus(ev forum.Event) {
	b, err := marshal(Message{Type: ev.Type, Data: ev.Data})
	if err != nil {
		return
	}
	f := &Frame{JSON: b}
	if ev.Topic == StatusLive {
		h.status.Store(nil)
	} else {
		h.status.Store(f)
	}
	var slow []*Subscription
	h.smu.RLock()
	for s := range h.all {
		if s.deliverStatus(f) {
			slow = append(slow, s)
		}
	}
	h.smu.RUnlock()
	h.drop(slow)
}

// eventEncoder encodes one event lazily, once per language (and topic name:
// its own, or TopicMe) asked for, into a frame every subscriber of that
// language shares.
type eventEncoder struct {
	hub    *Hub
	ev     forum.Event
	keys   []encoderKey
	frames []*Frame
}

type encoderKey struct {
	lang string
	me   bool
}

func (e *eventEncoder) get(lang string, me bool) *Frame {
	k := encoderKey{lang, me}
	for i, l := range e.keys {
		if l == k {
			return e.frames[i]
		}
	}
	f := &Frame{JSON: e.hub.encode(e.ev, lang, me)}
	// It cannot fail: the message is text, and no compression is negotiated.
	f.prepared, _ = websocket.NewPreparedMessage(websocket.TextMessage, f.JSON)
	e.keys = append(e.keys, k)
	e.frames = append(e.frames, f)
	return f
}

// encode renders ev for lang and returns its Message JSON, under the topic
// TopicMe when me is set. Data that is not valid JSON is sent as null
// rather than holding the event back.
func (h *Hub) encode(ev forum.Event, lang string, me bool) []byte {
	m := Message{ID: ev.ID, Topic: ev.Topic, Type: ev.Type, Data: ev.Data}
	if me {
		m.Topic = TopicMe
	}
	if h.render != nil {
		m.HTML = h.render(ev, lang)
	}
	b, err := marshal(m)
	if err != nil {
		m.Data = nil
		b, _ = marshal(m) // cannot fail: every field is now a plain value
	}
	return b
}

func marshal(m Message) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the html field is markup meant for the page
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Subscribe registers a subscriber for f in lang. When since > 0 it first
// replays every stored event after since, in order, then continues with live
// events, with no gap and no duplicate. ctx bounds the replay only; the
// subscription lasts until Close. It returns an error wrapping ErrReplayGap
// when the client must reload instead: since < MinEventID()-1, the first
// event after since is older than ReplayWindow, or more than ReplayLimit
// events would be replayed. After Close it returns ErrClosed.
func (h *Hub) Subscribe(ctx context.Context, f Filter, lang string, since int64) (*Subscription, error) {
	s := &Subscription{hub: h, lang: lang, topics: f.topics(), me: f.Me, feed: f.Feed, last: since}
	if since <= 0 {
		s.ch = make(chan *Frame, h.opt.Buffer)
	} else {
		s.replaying = true // live events wait in s.pending until the replay is queued
	}
	if err := h.add(s); err != nil {
		return nil, err
	}
	if since <= 0 {
		if f := h.status.Load(); f != nil {
			s.deliverStatus(f)
		}
		return s, nil
	}
	replay, err := h.replay(ctx, f, lang, since)
	if err != nil {
		s.Close()
		return nil, err
	}
	if !s.goLive(replay, h.opt.Buffer) {
		return nil, ErrClosed
	}
	if f := h.status.Load(); f != nil {
		s.deliverStatus(f)
	}
	return s, nil
}

// replay reads and encodes the stored events after since that f matches.
func (h *Hub) replay(ctx context.Context, f Filter, lang string, since int64) ([]encoded, error) {
	minID, err := h.src.MinEventID(ctx)
	if err != nil {
		return nil, fmt.Errorf("replay events: %w", err)
	}
	if minID > 0 && since < minID-1 {
		return nil, fmt.Errorf("replay events after %d: pruned before %d: %w", since, minID, ErrReplayGap)
	}
	evs, err := h.src.EventsAfter(ctx, f.topics(), f.Feed, since, h.opt.ReplayLimit+1)
	if err != nil {
		return nil, fmt.Errorf("replay events: %w", err)
	}
	if len(evs) > h.opt.ReplayLimit {
		return nil, fmt.Errorf("replay events after %d: more than %d: %w", since, h.opt.ReplayLimit, ErrReplayGap)
	}
	if len(evs) > 0 && evs[0].CreatedAt.Before(h.opt.Now().Add(-h.opt.ReplayWindow)) {
		return nil, fmt.Errorf("replay events after %d: older than %s: %w", since, h.opt.ReplayWindow, ErrReplayGap)
	}
	out := make([]encoded, len(evs))
	for i, ev := range evs {
		out[i] = encoded{id: ev.ID, frame: &Frame{JSON: h.encode(ev, lang, f.Me != "" && ev.Topic == f.Me)}}
	}
	return out, nil
}

// add indexes s, unless the hub is closed.
func (h *Hub) add(s *Subscription) error {
	h.smu.Lock()
	defer h.smu.Unlock()
	if h.closed {
		return ErrClosed
	}
	h.all[s] = struct{}{}
	for _, t := range s.topics {
		set := h.byTopic[t]
		if set == nil {
			set = make(map[*Subscription]struct{})
			h.byTopic[t] = set
		}
		set[s] = struct{}{}
	}
	if s.feed {
		h.feed[s] = struct{}{}
	}
	return nil
}

// unindex removes s from every index; it is idempotent. The caller holds smu.
func (h *Hub) unindex(s *Subscription) {
	delete(h.all, s)
	for _, t := range s.topics {
		if set := h.byTopic[t]; set != nil {
			delete(set, s)
			if len(set) == 0 {
				delete(h.byTopic, t)
			}
		}
	}
	delete(h.feed, s)
}

// Close closes every subscription and stops Run; later Subscribe calls fail
// with ErrClosed. It is idempotent.
func (h *Hub) Close() {
	h.closeOnce.Do(func() {
		h.smu.Lock()
		h.closed = true
		subs := make([]*Subscription, 0, len(h.all))
		for s := range h.all {
			subs = append(subs, s)
		}
		clear(h.all)
		clear(h.byTopic)
		clear(h.feed)
		h.smu.Unlock()
		for _, s := range subs {
			s.shut(false)
		}
		h.qmu.Lock()
		h.queue, h.qclosed = nil, true
		h.qmu.Unlock()
		close(h.done)
	})
}

// Stats returns the current number of subscribers and how many have been
// dropped for being slow so far.
func (h *Hub) Stats() (subscribers int, dropped int64) {
	h.smu.RLock()
	n := len(h.all)
	h.smu.RUnlock()
	return n, h.dropped.Load()
}

// encoded is one event's frame in a subscriber's language.
type encoded struct {
	id    int64
	frame *Frame
}

// Subscription is one subscriber's stream of encoded messages.
type Subscription struct {
	hub    *Hub
	lang   string
	topics []string // Filter.Topics and Filter.Me
	me     string   // Filter.Me
	feed   bool

	mu        sync.Mutex
	ch        chan *Frame // nil until the replay is queued
	last      int64       // highest id queued (or since); lower ids are duplicates
	replaying bool
	pending   []encoded // live events that arrived during the replay
	closed    bool
	dropped   bool
	ready     func() // called, under mu, whenever ch gets a frame or is closed
}

// C delivers frames, one message per receive. It is closed when the
// subscriber is dropped for being slow, unsubscribed, or the hub closes.
func (s *Subscription) C() <-chan *Frame { return s.ch }

// OnReady has the hub call ready whenever C gets a frame or is closed, so
// that a socket needs no goroutine waiting on C while nothing happens; it
// calls ready at once when C already holds frames or is closed. ready must
// not block nor call back into s. Call it once, before reading C.
func (s *Subscription) OnReady(ready func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ready = ready
	if s.closed || len(s.ch) > 0 {
		ready()
	}
}

// signal tells the reader of C that there is something to read. The caller holds mu.
func (s *Subscription) signal() {
	if s.ready != nil {
		s.ready()
	}
}

// Dropped reports whether the hub dropped this subscriber because its queue
// was full, so the client should reconnect with the last id it saw.
func (s *Subscription) Dropped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// Close unsubscribes; it is idempotent and safe concurrently with dispatch.
func (s *Subscription) Close() {
	s.shut(false)
	s.hub.smu.Lock()
	s.hub.unindex(s)
	s.hub.smu.Unlock()
}

// shut closes s's channel once, recording whether it was dropped for being
// slow. It reports whether this call closed it.
func (s *Subscription) shut(slow bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shutLocked(slow)
}

func (s *Subscription) shutLocked(slow bool) bool {
	if s.closed {
		return false
	}
	s.closed = true
	s.pending = nil
	if slow {
		s.dropped = true
		s.hub.dropped.Add(1)
	}
	if s.ch != nil {
		close(s.ch)
		s.signal()
	}
	return true
}

// deliver queues f for event id without blocking. It reports whether s was
// dropped for being slow by this call.
func (s *Subscription) deliver(id int64, f *Frame) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || id <= s.last {
		return false
	}
	s.last = id
	if s.replaying {
		if len(s.pending) >= s.hub.opt.ReplayLimit {
			return s.shutLocked(true)
		}
		s.pending = append(s.pending, encoded{id: id, frame: f})
		return false
	}
	select {
	case s.ch <- f:
		s.signal()
		return false
	default:
		return s.shutLocked(true)
	}
}

// deliverStatus queues a status frame, which carries no event id, without
// blocking; a subscriber still replaying skips it (Subscribe tells it the
// status after). It reports whether s was dropped for being slow by this call.
func (s *Subscription) deliverStatus(f *Frame) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.replaying || s.ch == nil {
		return false
	}
	select {
	case s.ch <- f:
		s.signal()
		return false
	default:
		return s.shutLocked(true)
	}
}

// goLive queues the replay, then the live events that arrived during it and
// are newer than the replay, and switches s to live delivery. It reports false
// when s was closed meanwhile by anything but a drop.
func (s *Subscription) goLive(replay []encoded, buffer int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replaying = false
	if s.closed && !s.dropped {
		return false
	}
	after := int64(0)
	if len(replay) > 0 {
		after = replay[len(replay)-1].id
	}
	live := s.pending
	for len(live) > 0 && live[0].id <= after {
		live = live[1:]
	}
	s.pending = nil
	s.ch = make(chan *Frame, len(replay)+len(live)+buffer)
	for _, e := range replay {
		s.ch <- e.frame
	}
	if s.dropped { // the live backlog overflowed: replay what we have, then end
		close(s.ch)
		s.signal()
		return true
	}
	for _, e := range live {
		s.ch <- e.frame
	}
	if after > s.last {
		s.last = after
	}
	s.signal()
	return true
}
