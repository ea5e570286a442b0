package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/e2e"
	"github.com/e-people/e-people/forum/store"
	"github.com/gorilla/websocket"
)

// Bounds of the fanout workload.
const (
	dialParallel = 50                // websocket handshakes at once
	dialLimit    = 120 * time.Second // every socket must be open by then
	eventWait    = 5 * time.Second   // longest wait for one event to reach every socket
	maxEvents    = 10000
)

// socket is one live subscriber: the proposal.supported events it got,
// with when (since the run's epoch), in the order it got them.
type socket struct {
	ws  *websocket.Conn
	ids []int64
	at  []time.Duration
	err error // why it stopped reading before bench closed it
}

// fanout opens n websockets on the 1,000-comment proposal's topic, then
// for d has one citizen toggle their support of it, each toggle as soon as
// every socket has the last one (or eventWait passed). The latency of a
// delivery runs from sending the POST, which must be acknowledged, to the
// socket having the event; a (socket, event) pair never delivered is an
// error. Which event each POST caused is read from the database afterwards.
func fanout(ctx context.Context, fx *fixture, n int, d time.Duration, idle float64) (*result, error) {
	if fx.server == nil || len(fx.users) == 0 {
		return nil, errors.New("fanout needs bench's own server and a signed-in citizen")
	}
	client := e2e.NewClient(nil, 1, requestTimeout)
	defer client.CloseIdleConnections()
	if err := checkSession(ctx, client, fx); err != nil {
		return nil, err
	}
	cpu0, err := fx.cpu()
	if err != nil {
		return nil, err
	}
	topic := forum.ProposalTopic(fx.threadID)
	tally := &tally{}
	l := listen(ctx, fx, topic, n, tally)
	defer l.close()
	if len(l.open) == 0 {
		return nil, fmt.Errorf("no websocket opened: %v", tally.first)
	}
	start := time.Now()
	sent, err := toggleSupport(ctx, client, fx, l, d, tally)
	if err != nil {
		return nil, err
	}
	tally.elapsed = time.Since(start)
	peak, err := fx.peakMemory()
	if err != nil {
		return nil, err
	}
	cpu1, err := fx.cpu()
	if err != nil {
		return nil, err
	}
	l.close()

	// Which event each acknowledged POST caused: the store wrote them in the order the POSTs were answered.
	if err := fx.server.Stop(); err != nil {
		return nil, err
	}
	ids, err := supportEvents(ctx, fx.db, fx.schema, topic, fx.since, len(sent))
	if err != nil {
		return nil, err
	}
	l.reconcile(tally, ids, sent)
	res := tally.measure("fanout")
	res.IdleRSSMB, res.PeakRSSMB, res.CPUSeconds = idle, peak, (cpu1 - cpu0).Seconds()
	res.Sockets, res.Events = len(l.open), len(sent)
	return res, ctx.Err()
}

// listeners are the workload's open sockets and what they have received.
type listeners struct {
	epoch    time.Time               // deliveries are timed from here
	received [maxEvents]atomic.Int64 // received[k]: sockets that have k+1 events
	open     []*socket               // the sockets that opened, in the order they were asked for
	closing  atomic.Bool             // bench is closing them: a read error is not the socket's fault
	readers  sync.WaitGroup          // one reader per open socket
}

// listen opens up to n sockets on topic, dialParallel at a time, each with
// a reader; a socket that does not open within dialLimit is an error.
func listen(ctx context.Context, fx *fixture, topic string, n int, tally *tally) *listeners {
	// since: the page's last event, so a socket misses nothing between its handshake and its subscription.
	wsURL := "ws" + strings.TrimPrefix(fx.base(0), "http") + "/live?topics=" + topic + "&since=" + strconv.FormatInt(fx.since, 10)
	dialer := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 256, HandshakeTimeout: 10 * time.Second,
		NetDialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
	hdr := http.Header{"Origin": {fx.base(0)}}
	l := &listeners{epoch: time.Now()}
	sockets := make([]*socket, n)
	var next atomic.Int64
	var dialers sync.WaitGroup
	dialDeadline := time.Now().Add(dialLimit)
	for range dialParallel {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if time.Now().After(dialDeadline) {
					tally.fail(fmt.Errorf("socket %d not opened within %s", i, dialLimit))
					continue
				}
				ws, res, err := dialer.DialContext(ctx, wsURL, hdr)
				if err != nil {
					if res != nil {
						err = fmt.Errorf("%w (HTTP %s)", err, res.Status)
					}
					tally.fail(fmt.Errorf("open socket %d: %w", i, err))
					continue
				}
				s := &socket{ws: ws}
				sockets[i] = s
				l.readers.Add(1)
				go l.read(s)
			}
		}()
	}
	dialers.Wait()
	for _, s := range sockets {
		if s != nil {
			l.open = append(l.open, s)
		}
	}
	return l
}

// read records the proposal.supported events s receives until it closes.
func (l *listeners) read(s *socket) {
	defer l.readers.Done()
	var msg struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
	}
	for {
		_, b, err := s.ws.ReadMessage()
		at := time.Since(l.epoch)
		if err != nil {
			if !l.closing.Load() {
				s.err = err
			}
			return
		}
		msg.Type = ""
		if json.Unmarshal(b, &msg) != nil || msg.Type != forum.EventProposalSupported {
			continue
		}
		s.ids, s.at = append(s.ids, msg.ID), append(s.at, at)
		if k := len(s.ids) - 1; k < maxEvents {
			l.received[k].Add(1)
		}
	}
}

// close says goodbye on every socket and waits for the readers; a second
// call does nothing.
func (l *listeners) close() {
	if !l.closing.CompareAndSwap(false, true) {
		return
	}
	for _, s := range l.open {
		_ = s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		s.ws.Close()
	}
	l.readers.Wait()
}

// toggleSupport has one citizen, who supports nothing yet, support and
// unsupport the thread's proposal for d, each POST as soon as every socket
// has the event of the last (or eventWait passed). It returns when each
// acknowledged POST was sent, since l's epoch.
func toggleSupport(ctx context.Context, client *http.Client, fx *fixture, l *listeners, d time.Duration, tally *tally) ([]time.Duration, error) {
	u := fx.users[0]
	var sent []time.Duration
	deadline := time.Now().Add(d)
	on := false
	// The thread has arguments against it: read its support step before the clock runs (objection.go).
	step, err := supportStep(client, fx.base(0), fx.threadID, &u)
	if err != nil {
		return nil, err
	}
	for len(sent) < maxEvents && time.Now().Before(deadline) && ctx.Err() == nil {
		at := time.Since(l.epoch)
		if on {
			req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/proposals/%d/unsupport", fx.base(0), fx.threadID), nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Accept", "application/json")
			req.Header.Set("X-CSRF-Token", u.CSRF)
			req.AddCookie(u.Cookie())
			if _, _, err := send(client, req, http.StatusOK); err != nil {
				tally.fail(err)
				continue
			}
		} else if _, err := postSupport(client, fx.base(0), fx.threadID, &u, &step); err != nil {
			tally.fail(err)
			continue
		}
		on = !on
		sent = append(sent, at)
		k := len(sent) - 1
		until := time.Now().Add(eventWait)
		for l.received[k].Load() < int64(len(l.open)) && time.Now().Before(until) && ctx.Err() == nil {
			time.Sleep(200 * time.Microsecond)
		}
	}
	return sent, nil
}

// reconcile matches what each socket received with the events the POSTs
// caused (ids, in the order of sent): each delivery's latency goes to the
// tally, and an event out of order, repeated, foreign or never delivered
// is an error.
func (l *listeners) reconcile(tally *tally, ids []int64, sent []time.Duration) {
	if len(ids) != len(sent) {
		tally.fail(fmt.Errorf("%d support toggles acknowledged, but the database has %d proposal.supported events", len(sent), len(ids)))
	}
	index := make(map[int64]int, len(ids))
	for k, id := range ids {
		if k < len(sent) {
			index[id] = k
		}
	}
	for i, s := range l.open {
		last := -1
		for j, id := range s.ids {
			k, ok := index[id]
			if !ok || k <= last {
				tally.fail(fmt.Errorf("socket %d: event %d out of order, repeated or not ours", i, id))
				continue
			}
			last = k
			tally.lat = append(tally.lat, s.at[j]-sent[k])
		}
		if s.err != nil && tally.first == nil {
			tally.first = fmt.Errorf("socket %d closed early: %w", i, s.err)
		}
	}
	if missed := int64(len(sent)*len(l.open) - len(tally.lat)); missed > 0 {
		tally.errors += missed
		if tally.first == nil {
			tally.first = fmt.Errorf("%d of %d deliveries missed", missed, len(sent)*len(l.open))
		}
	}
}

// supportEvents reads the ids of the proposal.supported events on topic
// after since from the (stopped) server's database, oldest first.
func supportEvents(ctx context.Context, db, schema, topic string, since int64, want int) (ids []int64, err error) {
	st, err := store.Open(ctx, db, schema, store.Options{})
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, st.Close()) }()
	for {
		evs, err := st.EventsAfter(ctx, []string{topic}, false, since, 1000)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.Type == forum.EventProposalSupported {
				ids = append(ids, e.ID)
			}
			since = e.ID
		}
		if len(evs) < 1000 || len(ids) > want {
			return ids, nil
		}
	}
}
