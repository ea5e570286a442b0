package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/e-people/e-people/forum/store"
)

// Store is the outbox the mailer drains, and where it queues the digests.
type Store interface {
	// PendingMail returns up to limit unsent mails that are due, oldest first.
	PendingMail(ctx context.Context, limit int) ([]store.Mail, error)
	// MarkMailSent records that a mail was handed to the mail server.
	MarkMailSent(ctx context.Context, id int64) error
	// MarkMailFailed counts a failed send and keeps its error.
	MarkMailFailed(ctx context.Context, id int64, reason string) error
	// QueueDigests queues the daily digests of the day that starts at since.
	QueueDigests(ctx context.Context, since time.Time) (int, error)
	// QueueWeeklyDigests queues the weekly digests of the week that starts at since.
	QueueWeeklyDigests(ctx context.Context, since time.Time) (int, error)
}

// Composer writes a queued mail's subject and plain-text body.
type Composer func(ctx context.Context, m store.Mail) (subject, body string, err error)

// Options tune the mailer loop.
type Options struct {
	Compose Composer         // writes each mail's words; required
	Now     func() time.Time // decides when the digests are due; time.Now when nil
	Log     *slog.Logger     // nil for none
	Batch   int              // mails fetched at a time; 100 when 0
}

// DigestHour is the hour, Korea time, at which each day's digests are queued.
const DigestHour = 8

// kst is Korea Standard Time, which keeps no daylight saving time.
var kst = time.FixedZone("KST", 9*60*60)

// maxFailuresInARow ends a round of sending: the server is likely down, and
// the rest of the mail should not spend its attempts on it.
const maxFailuresInARow = 3

// DigestSlot returns the latest DigestHour o'clock, Korea time, at or before now.
func DigestSlot(now time.Time) time.Time {
	k := now.In(kst)
	slot := time.Date(k.Year(), k.Month(), k.Day(), DigestHour, 0, 0, 0, kst)
	if slot.After(now) {
		slot = slot.AddDate(0, 0, -1)
	}
	return slot
}

// WeeklySlot returns the latest Monday DigestHour o'clock, Korea time, at or
// before now: when the weekly digests are queued.
func WeeklySlot(now time.Time) time.Time {
	slot := DigestSlot(now)
	back := (int(slot.In(kst).Weekday()) + 6) % 7 // days since Monday
	return slot.AddDate(0, 0, -back)
}

// Drain sends pending mail, marking each sent or failed, until none is due,
// several sends in a row have failed, or ctx ends. A send cut short by ctx
// leaves its mail pending. A mail whose send succeeded but could not be
// marked may be sent again: delivery is at least once.
func Drain(ctx context.Context, st Store, s Sender, compose Composer, batch int) (sent, failed int, err error) {
	if batch <= 0 {
		batch = 100
	}
	mark := context.WithoutCancel(ctx) // a send that happened is recorded even as the loop stops
	inARow := 0
	for ctx.Err() == nil {
		ms, err := st.PendingMail(ctx, batch)
		if err != nil {
			return sent, failed, err
		}
		for _, m := range ms {
			subject, body, err := compose(ctx, m)
			if err == nil {
				err = s.Send(ctx, m.Address, subject, body)
			}
			if err != nil && ctx.Err() != nil {
				return sent, failed, ctx.Err()
			}
			if err != nil {
				failed++
				inARow++
				if err := st.MarkMailFailed(mark, m.ID, err.Error()); err != nil {
					return sent, failed, err
				}
				if inARow >= maxFailuresInARow {
					return sent, failed, nil
				}
				continue
			}
			sent, inARow = sent+1, 0
			if err := st.MarkMailSent(mark, m.ID); err != nil {
				return sent, failed, err
			}
		}
		if len(ms) < batch {
			return sent, failed, nil
		}
	}
	return sent, failed, ctx.Err()
}

// Run sends the outbox every interval until ctx ends. Once a day, at the
// first round at or after DigestHour Korea time, it first queues the digests
// of the 24 hours before, and on Mondays the weekly digests of the seven
// days before; at start it catches up on the latest such day and Monday
// (QueueDigests and QueueWeeklyDigests skip whoever already had theirs).
func Run(ctx context.Context, st Store, s Sender, every time.Duration, opt Options) {
	if every <= 0 {
		every = 30 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	var digested, weekly time.Time
	for {
		if slot := WeeklySlot(opt.Now()); slot.After(weekly) {
			n, err := st.QueueWeeklyDigests(ctx, slot.AddDate(0, 0, -7))
			switch {
			case err != nil && ctx.Err() == nil:
				opt.Log.Error("queue weekly digests", "err", err)
			case err == nil:
				weekly = slot
				if n > 0 {
					opt.Log.Info("weekly digests queued", "count", n)
				}
			}
		}
		if slot := DigestSlot(opt.Now()); slot.After(digested) {
			n, err := st.QueueDigests(ctx, slot.Add(-24*time.Hour))
			switch {
			case err != nil && ctx.Err() == nil:
				opt.Log.Error("queue digests", "err", err)
			case err == nil:
				digested = slot
				if n > 0 {
					opt.Log.Info("digests queued", "count", n)
				}
			}
		}
		sent, failed, err := Drain(ctx, st, s, opt.Compose, opt.Batch)
		if err != nil && ctx.Err() == nil {
			opt.Log.Error("send mail", "err", err)
		}
		if sent+failed > 0 {
			opt.Log.Info("mail sent", "sent", sent, "failed", failed)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
