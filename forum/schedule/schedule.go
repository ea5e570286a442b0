// Package schedule runs the forum's time-based transitions: debates that
// open and close on their own, proposals whose window for gathering
// support ends, accounts unused for so long that they are anonymised, and
// civil requests open so long that their filers are told how they
// progress. Everything it does is idempotent and kept in the database, so
// it survives restarts and catches up after downtime.
package schedule

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Store is what the scheduler advances.
type Store interface {
	// AdvanceDebates applies every transition that is due by the store's clock.
	AdvanceDebates(ctx context.Context) (opened, closed int, err error)
	// NextDebateChange returns when the next transition is due, if any is scheduled.
	NextDebateChange(ctx context.Context) (time.Time, bool, error)
	// AdvanceProposals closes open proposals whose support window ended short of the threshold.
	AdvanceProposals(ctx context.Context) (closed int, err error)
	// NextProposalDeadline returns when the next support window ends, if any.
	NextProposalDeadline(ctx context.Context) (time.Time, bool, error)
	// RetireInactive mails the notice to accounts unused for long and anonymises those the notice did not bring back.
	RetireInactive(ctx context.Context) (noticed, anonymised int, err error)
	// SendRequestProgressNotices tells the filers of civil requests open for 30 days how they progress.
	SendRequestProgressNotices(ctx context.Context) (int, error)
}

// Scheduler wakes when the next transition is due, and at least every MaxSleep.
type Scheduler struct {
	st       Store
	now      func() time.Time
	log      *slog.Logger
	poke     chan struct{}
	MaxSleep time.Duration // longest sleep between checks; a minute by default
	// due is when the next transition is due as of the last check (unix
	// nanoseconds, 0 for none); lag is how late the last check after a due
	// time ran (nanoseconds).
	due, lag atomic.Int64
}

// Lag reports how late the scheduler last applied a transition it had
// waited for: the time from its due time to the check that ran after it.
// It is 0 until a due time has passed.
func (s *Scheduler) Lag() time.Duration { return time.Duration(s.lag.Load()) }

// New returns a scheduler for st; now is the clock (time.Now when nil).
func New(st Store, now func() time.Time, log *slog.Logger) *Scheduler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{st: st, now: now, log: log, poke: make(chan struct{}, 1), MaxSleep: time.Minute}
}

// Poke makes a running scheduler look again at once, for example after a debate was created.
func (s *Scheduler) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// RunOnce applies what is due and returns how long to sleep before the next check.
func (s *Scheduler) RunOnce(ctx context.Context) (time.Duration, error) {
	if due := s.due.Load(); due != 0 {
		if late := s.now().Sub(time.Unix(0, due)); late >= 0 {
			s.lag.Store(int64(late))
		}
	}
	opened, closed, err := s.st.AdvanceDebates(ctx)
	if err != nil {
		return time.Second, err
	}
	if opened+closed > 0 {
		s.log.Info("debates advanced", "opened", opened, "closed", closed)
	}
	lapsed, err := s.st.AdvanceProposals(ctx)
	if err != nil {
		return time.Second, err
	}
	if lapsed > 0 {
		s.log.Info("proposals closed short of the threshold", "closed", lapsed)
	}
	noticed, anonymised, err := s.st.RetireInactive(ctx)
	if err != nil {
		return time.Second, err
	}
	if noticed+anonymised > 0 {
		s.log.Info("inactive accounts", "noticed", noticed, "anonymised", anonymised)
	}
	notices, err := s.st.SendRequestProgressNotices(ctx)
	if err != nil {
		return time.Second, err
	}
	if notices > 0 {
		s.log.Info("civil request progress notices", "sent", notices)
	}
	sleep := s.MaxSleep
	var due int64
	for _, next := range []func(context.Context) (time.Time, bool, error){s.st.NextDebateChange, s.st.NextProposalDeadline} {
		at, ok, err := next(ctx)
		if err != nil {
			return time.Second, err
		}
		if ok {
			if due == 0 || at.UnixNano() < due {
				due = at.UnixNano()
			}
			// Due times are whole seconds: wake just after, never before.
			sleep = min(sleep, max(at.Sub(s.now())+10*time.Millisecond, 10*time.Millisecond))
		}
	}
	s.due.Store(due)
	return sleep, nil
}

// Run checks at start (catching up on anything missed while down) and then
// whenever the next transition is due, until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	for {
		sleep, err := s.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("scheduler", "err", err)
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.poke:
			t.Stop()
		case <-t.C:
		}
	}
}
