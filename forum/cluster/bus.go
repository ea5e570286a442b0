package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/e-people/e-people/forum"
	"github.com/nats-io/nats.go"
)

// subjectPrefix starts the NATS subject of every event; the topic's family follows.
const subjectPrefix = "epeople.events."

// Subject is the NATS subject event ev is published on: epeople.events.
// followed by its topic's family, the part before the colon ("proposal"
// for "proposal:12").
func Subject(ev forum.Event) string {
	family, _, _ := strings.Cut(ev.Topic, ":")
	if family == "" || strings.ContainsAny(family, ".*> \t") {
		family = "other"
	}
	return subjectPrefix + family
}

// BusOptions configures Connect.
type BusOptions struct {
	Name string       // the node's name, shown in NATS's connection list
	Log  *slog.Logger // nil for none
	// Status hears the bus's state: false when it is lost, true when it is
	// back and the Sequencer has caught up. It must not block.
	Status func(live bool)
	// ReconnectWait is the pause between two attempts to reach a lost bus; 500 ms when 0.
	ReconnectWait time.Duration
}

// Bus carries committed events between nodes over NATS: Publish sends this
// node's, and what arrives from every node (this one's included) goes to
// the Sequencer, which drops what it has already delivered.
type Bus struct {
	nc   *nats.Conn
	sub  *nats.Subscription
	seq  *Sequencer
	opt  BusOptions
	ctx  context.Context
	stop context.CancelFunc

	mu      sync.Mutex
	live    bool
	catchUp chan struct{} // signals the goroutine that catches up after a reconnect
	done    chan struct{}
}

// Connect joins the bus at url (comma-separated for a NATS cluster) and
// subscribes seq to every node's events. The connection reconnects for as
// long as the Bus is open.
func Connect(url string, seq *Sequencer, opt BusOptions) (*Bus, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Status == nil {
		opt.Status = func(bool) {}
	}
	if opt.ReconnectWait <= 0 {
		opt.ReconnectWait = 500 * time.Millisecond
	}
	ctx, stop := context.WithCancel(context.Background())
	b := &Bus{seq: seq, opt: opt, ctx: ctx, stop: stop, live: true, catchUp: make(chan struct{}, 1), done: make(chan struct{})}
	nc, err := nats.Connect(url,
		nats.Name("epeople "+opt.Name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(opt.ReconnectWait),
		nats.ReconnectJitter(100*time.Millisecond, 100*time.Millisecond),
		nats.PingInterval(5*time.Second),
		nats.MaxPingsOutstanding(2),
		nats.DisconnectErrHandler(b.disconnected),
		nats.ReconnectHandler(b.reconnected),
	)
	if err != nil {
		stop()
		return nil, fmt.Errorf("connect to the bus %s: %w", url, err)
	}
	b.nc = nc
	b.sub, err = nc.Subscribe(subjectPrefix+">", b.receive)
	if err == nil {
		err = nc.Flush() // the subscription is in place before the first publish
	}
	if err != nil {
		nc.Close()
		stop()
		return nil, fmt.Errorf("subscribe to the bus: %w", err)
	}
	go b.run()
	return b, nil
}

// Publish sends committed events to every node. It never blocks on the
// network: while the bus is down the NATS client buffers them, and other
// nodes catch up from the events table anyway.
func (b *Bus) Publish(evs []forum.Event) {
	for _, ev := range evs {
		data, err := json.Marshal(ev)
		if err != nil {
			b.opt.Log.Error("bus: encode event", "id", ev.ID, "err", err)
			continue
		}
		if err := b.nc.Publish(Subject(ev), data); err != nil {
			b.opt.Log.Warn("bus: publish event; the other nodes will read it from the table", "id", ev.ID, "err", err)
		}
	}
}

// Live reports whether the bus is connected.
func (b *Bus) Live() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.live
}

// Close leaves the bus.
func (b *Bus) Close() {
	b.stop()
	_ = b.nc.Drain()
	<-b.done
	b.nc.Close()
}

// receive hands an event from the bus to the Sequencer.
func (b *Bus) receive(m *nats.Msg) {
	var ev forum.Event
	if err := json.Unmarshal(m.Data, &ev); err != nil || ev.ID <= 0 {
		b.opt.Log.Warn("bus: a message that is not an event", "subject", m.Subject, "err", err)
		return
	}
	b.seq.Offer(b.ctx, []forum.Event{ev})
}

func (b *Bus) disconnected(_ *nats.Conn, err error) {
	b.mu.Lock()
	was := b.live
	b.live = false
	b.mu.Unlock()
	if was && b.ctx.Err() == nil {
		b.opt.Log.Warn("bus disconnected: serving on, live sockets told reconnecting", "err", err)
		b.opt.Status(false)
	}
}

func (b *Bus) reconnected(*nats.Conn) {
	select {
	case b.catchUp <- struct{}{}:
	default:
	}
}

// run catches up from the events table after each reconnect, then says the
// bus is live again; catching up in NATS's callback would hold up its
// other callbacks.
func (b *Bus) run() {
	defer close(b.done)
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-b.catchUp:
		}
		for b.seq.CatchUp(b.ctx) != nil {
			select {
			case <-b.ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
		b.mu.Lock()
		b.live = b.nc.IsConnected()
		live := b.live
		b.mu.Unlock()
		if live {
			b.opt.Log.Info("bus reconnected: caught up from the events table")
			b.opt.Status(true)
		}
	}
}
