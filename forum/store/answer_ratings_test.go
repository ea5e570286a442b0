package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/e-people/e-people/forum"
)

// wantRefusal fails unless err is a forum.Refusal with key wrapping target
// (any error, when target is nil).
func wantRefusal(tb testing.TB, err, target error, key string) {
	tb.Helper()
	var r *forum.Refusal
	if !errors.As(err, &r) || r.Key != key || (target != nil && !errors.Is(err, target)) {
		tb.Errorf("error = %v, want the refusal %s (%v)", err, key, target)
	}
}

// ratedWorld is a proposal answered by its ministry's official, with
// supporters (who reached the threshold) and a citizen who did not support it.
type ratedWorld struct {
	*world
	official   *forum.User
	p          *forum.Proposal
	supporters []*forum.User
	outsider   *forum.User
}

// newRatedWorld sets the threshold to n supporters and the objections that
// send an answer back to objections, and answers a proposal n supported.
func newRatedWorld(tb testing.TB, n, objections int) *ratedWorld {
	tb.Helper()
	w := &ratedWorld{world: newWorld(tb)}
	ansThresholds(tb, w.s, n, 30, 30)
	if err := w.s.SetSettings(ctx, map[string]string{forum.SettingAnswerObjections: fmt.Sprint(objections)}); err != nil {
		tb.Fatal(err)
	}
	w.official = w.member(tb, forum.RoleOfficial, "answerer")
	w.p = w.openProposal(tb, "지지자가 평가할 제안")
	for i := 0; i < n; i++ {
		u := newUser(tb, w.s, fmt.Sprintf("supporter%d", i))
		ansSupport(tb, w.s, w.p.ID, u.ID)
		w.supporters = append(w.supporters, u)
	}
	w.outsider = newUser(tb, w.s, "outsider")
	if p := ansProposal(tb, w.s, w.p.ID); p.Status != forum.StatusAwaiting {
		tb.Fatalf("after %d supports: %s, want awaiting_response", n, p.Status)
	}
	return w
}

func (w *ratedWorld) answer(tb testing.TB, summary string) {
	tb.Helper()
	ansPublish(tb, w.s, w.official, w.p.ID, ansAnswer(forum.DecisionRejected, summary))
}

func (w *ratedWorld) rate(tb testing.TB, u *forum.User, n int) forum.AnswerRoundScore {
	tb.Helper()
	sc, err := w.s.RateAnswer(ctx, u, w.p.ID, forum.RatingInput{Rating: n})
	if err != nil {
		tb.Fatalf("rate %d by %s: %v", n, u.Name, err)
	}
	return sc
}

// TestAnswerRatings_WhoMayRate holds the rule of who rates and objects: a
// supporter of an answered proposal, once per round (a second rating
// replaces the first), within 14 days of the answer; never a citizen who
// did not support it, nor an official of the answering ministry.
func TestAnswerRatings_WhoMayRate(t *testing.T) {
	w := newRatedWorld(t, 3, 2)
	a, b := w.supporters[0], w.supporters[1]
	_, err := w.s.RateAnswer(ctx, a, w.p.ID, forum.RatingInput{Rating: 4})
	wantRefusal(t, err, forum.ErrInvalidState, "rating.err.not_answered")
	w.answer(t, "검토 결과 수용하기 어렵습니다")

	_, err = w.s.RateAnswer(ctx, w.outsider, w.p.ID, forum.RatingInput{Rating: 1})
	wantRefusal(t, err, forum.ErrForbidden, "rating.err.not_supporter")
	_, err = w.s.RateAnswer(ctx, w.official, w.p.ID, forum.RatingInput{Rating: 5})
	wantRefusal(t, err, forum.ErrForbidden, "rating.err.official")
	_, err = w.s.ObjectToAnswer(ctx, w.outsider, w.p.ID, "이의가 있습니다")
	wantRefusal(t, err, forum.ErrForbidden, "rating.err.not_supporter")
	_, err = w.s.RateAnswer(ctx, a, w.p.ID, forum.RatingInput{Rating: 0})
	wantInvalid(t, err, "after.err.rating")
	_, err = w.s.RateAnswer(ctx, a, w.p.ID, forum.RatingInput{Rating: 3, Comment: strings.Repeat("가", forum.RatingCommentMax+1)})
	wantInvalid(t, err, "err.body_too_long")
	_, err = w.s.ObjectToAnswer(ctx, a, w.p.ID, "먼저 평가하지 않은 이의")
	wantRefusal(t, err, forum.ErrInvalidState, "rating.err.rate_first")
	if n := count(t, w.s, `SELECT count(*) FROM answer_ratings`); n != 0 {
		t.Fatalf("refused ratings left %d rows", n)
	}

	if sc := w.rate(t, a, 5); sc.Ratings != 1 || sc.RatingSum != 5 || sc.Round != 1 {
		t.Errorf("after one rating: %+v", sc)
	}
	if sc := w.rate(t, a, 2); sc.Ratings != 1 || sc.RatingSum != 2 {
		t.Errorf("a second rating by the same supporter must replace the first: %+v", sc)
	}
	if sc := w.rate(t, b, 3); sc.Ratings != 2 || sc.Average() != 2.5 {
		t.Errorf("two supporters: %+v (average %v)", sc, sc.Average())
	}
	_, err = w.s.ObjectToAnswer(ctx, a, w.p.ID, "   ")
	wantInvalid(t, err, "rating.err.reason")
	_, err = w.s.ObjectToAnswer(ctx, a, w.p.ID, strings.Repeat("이", forum.AnswerObjectionMax+1))
	wantInvalid(t, err, "err.body_too_long")
	ret, err := w.s.ObjectToAnswer(ctx, a, w.p.ID, strings.Repeat("이", forum.AnswerObjectionMax))
	if err != nil || ret.Objections != 1 || ret.Returned {
		t.Fatalf("first objection = %+v, %v", ret, err)
	}
	_, err = w.s.ObjectToAnswer(ctx, a, w.p.ID, "다시 한 번")
	wantRefusal(t, err, forum.ErrConflict, "rating.err.objected_once")
	if sc := w.rate(t, a, 1); sc.Objections != 1 {
		t.Errorf("changing the rating dropped the objection: %+v", sc)
	}
	mine, err := w.s.MyAnswerRatings(ctx, w.p.ID, a.ID)
	if err != nil || len(mine) != 1 || mine[0].Rating != 1 || !mine[0].Objects || mine[0].Round != 1 {
		t.Errorf("MyAnswerRatings = %+v, %v", mine, err)
	}

	// Fourteen days after the answer, and not a second later.
	w.clock.advance(forum.AnswerObjectionWindow)
	w.rate(t, b, 4)
	w.clock.advance(1e9)
	_, err = w.s.RateAnswer(ctx, b, w.p.ID, forum.RatingInput{Rating: 5})
	wantRefusal(t, err, forum.ErrInvalidState, "rating.err.closed")
	_, err = w.s.ObjectToAnswer(ctx, b, w.p.ID, "늦은 이의")
	wantRefusal(t, err, forum.ErrInvalidState, "rating.err.objection_closed")
	if p := ansProposal(t, w.s, w.p.ID); p.Status != forum.StatusAnswered || p.AnswerRound != 1 {
		t.Errorf("one objection of two: %s round %d, want answered round 1", p.Status, p.AnswerRound)
	}
}

// TestAnswerRatings_ObjectionsReturnTheAnswer follows a proposal whose
// supporters' objections reach the setting: it returns to its ministry in
// the objection's own write (round 2, awaiting an answer due
// Thresholds.ResponseIn from then), the followers and the officials are
// told, the public log records it, and the second answer is recorded as
// round 2 and takes ratings but no objections.
func TestAnswerRatings_ObjectionsReturnTheAnswer(t *testing.T) {
	w := newRatedWorld(t, 3, 2)
	a, b, c := w.supporters[0], w.supporters[1], w.supporters[2]
	w.answer(t, "첫 번째 답변")
	first := ansProposal(t, w.s, w.p.ID)
	w.clock.advance(3 * ansDay)
	for _, u := range w.supporters {
		w.rate(t, u, 1)
	}
	if _, err := w.s.ObjectToAnswer(ctx, a, w.p.ID, "근거가 부족합니다"); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(ansDay)
	returnedAt := w.clock.now()
	topic := forum.ProposalTopic(w.p.ID)
	var ret forum.AnswerReturn
	expectEvents(t, w.s, func() {
		var err error
		if ret, err = w.s.ObjectToAnswer(ctx, b, w.p.ID, "다른 부처 사례를 검토하지 않았습니다"); err != nil {
			t.Fatal(err)
		}
	}, ev{forum.EventAnswerRated, topic}, ev{forum.EventProposalStatus, topic},
		ev{forum.EventNotification, forum.UserTopic(a.ID)}, ev{forum.EventNotification, forum.UserTopic(b.ID)},
		ev{forum.EventNotification, forum.UserTopic(c.ID)}, ev{forum.EventNotification, forum.UserTopic(w.official.ID)})
	due := returnedAt.Add(30 * ansDay)
	if !ret.Returned || ret.Objections != 2 || !ret.Due.Equal(due) {
		t.Errorf("crossing objection = %+v, want returned with 2 and due %v", ret, due)
	}
	p := ansProposal(t, w.s, w.p.ID)
	if p.Status != forum.StatusAwaiting || p.AnswerRound != 2 || !p.ReopenedAt.Equal(returnedAt) || !p.ResponseDue.Equal(due) ||
		!p.ReachedAt.Equal(first.ReachedAt) || !p.AnsweredAt.Equal(first.AnsweredAt) {
		t.Errorf("returned proposal: %s round %d reopened %v due %v reached %v answered %v", p.Status, p.AnswerRound, p.ReopenedAt,
			p.ResponseDue, p.ReachedAt, p.AnsweredAt)
	}
	if n := count(t, w.s, `SELECT count(*) FROM moderation_actions WHERE action = ? AND item_kind = 'proposal' AND item_id = ?
		AND actor_id IS NULL AND before_state = 'answered' AND after_state = 'awaiting_response'`, forum.ActAnswerReturned, w.p.ID); n != 1 {
		t.Errorf("moderation log rows for the return = %d, want 1", n)
	}
	notes := ansPerUser(t, w.s, `SELECT user_id, count(*) FROM notifications WHERE kind = ? GROUP BY user_id`, forum.NoteAnswerReturned)
	ansOnceEach(t, "told of the return", notes, a.ID, b.ID, c.ID, w.official.ID)

	_, err := w.s.ObjectToAnswer(ctx, c, w.p.ID, "세 번째 이의")
	wantRefusal(t, err, forum.ErrInvalidState, "rating.err.returned")
	_, err = w.s.RateAnswer(ctx, c, w.p.ID, forum.RatingInput{Rating: 2})
	wantRefusal(t, err, forum.ErrInvalidState, "rating.err.returned")

	w.clock.advance(5 * ansDay)
	secondAt := w.clock.now()
	ansPublish(t, w.s, w.official, w.p.ID, ansAnswer(forum.DecisionPartial, "두 번째 답변"))
	rounds := ansPerUser(t, w.s, `SELECT number, round FROM response_revisions WHERE proposal_id = ?`, w.p.ID)
	if len(rounds) != 2 || rounds[1] != 1 || rounds[2] != 2 {
		t.Errorf("response_revisions number→round = %v, want 1→1, 2→2", rounds)
	}
	if p := ansProposal(t, w.s, w.p.ID); p.Status != forum.StatusAnswered || p.AnswerRound != 2 {
		t.Errorf("after the second answer: %s round %d", p.Status, p.AnswerRound)
	}
	if sc := w.rate(t, c, 4); sc.Round != 2 || sc.Ratings != 1 || sc.RatingSum != 4 {
		t.Errorf("round 2 rating = %+v", sc)
	}
	_, err = w.s.ObjectToAnswer(ctx, c, w.p.ID, "두 번째 답변에도 이의")
	wantRefusal(t, err, forum.ErrInvalidState, "rating.err.second_round")
	scores, err := w.s.AnswerScores(ctx, w.p.ID)
	if err != nil || len(scores) != 2 {
		t.Fatalf("AnswerScores = %+v, %v", scores, err)
	}
	if s1 := scores[0]; s1.Ratings != 3 || s1.RatingSum != 3 || s1.Objections != 2 || s1.Version != 1 || !s1.AnsweredAt.Equal(first.AnsweredAt) {
		t.Errorf("round 1 = %+v", s1)
	}
	if s2 := scores[1]; s2.Ratings != 1 || s2.Objections != 0 || s2.Version != 2 || !s2.AnsweredAt.Equal(secondAt) {
		t.Errorf("round 2 = %+v", s2)
	}
	// Round 2's window runs from the second answer.
	w.clock.set(secondAt.Add(forum.AnswerObjectionWindow + 1e9))
	_, err = w.s.RateAnswer(ctx, a, w.p.ID, forum.RatingInput{Rating: 3})
	wantRefusal(t, err, forum.ErrInvalidState, "rating.err.closed")

	cards, err := w.s.Scorecards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, card := range cards {
		if card.Ministry.ID == w.ministry && (card.AnswerRatings != 4 || card.AnswerRatingSum != 7) {
			t.Errorf("scorecard ratings = %d (sum %d), want 4 (sum 7)", card.AnswerRatings, card.AnswerRatingSum)
		}
	}
	var stats []AnswerRatingStat
	if err := w.s.EachAnswerRatingStat(ctx, func(st AnswerRatingStat) error { stats = append(stats, st); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(stats) != 2 || stats[0].Round != 1 || stats[0].Ratings != 3 || stats[0].Objections != 2 || stats[1].Round != 2 || stats[1].RatingSum != 4 {
		t.Errorf("open data rows = %+v", stats)
	}
}

// TestAnswerRatings_ConcurrentObjectionsReturnOnce objects from many
// supporters at once: the answer goes back exactly once, by exactly the
// objection that reached the setting, and the objections after it are
// refused, on either database.
func TestAnswerRatings_ConcurrentObjectionsReturnOnce(t *testing.T) {
	const supporters, needed = 12, 5
	w := newRatedWorld(t, supporters, needed)
	w.answer(t, "동시 이의 시험")
	for _, u := range w.supporters {
		w.rate(t, u, 2)
	}
	before := lastEventID(t, w.s)
	var wg sync.WaitGroup
	var mu sync.Mutex
	returned, objected, refused := 0, 0, 0
	start := make(chan struct{})
	for _, u := range w.supporters {
		wg.Add(1)
		go func(u *forum.User) {
			defer wg.Done()
			<-start
			ret, err := w.s.ObjectToAnswer(ctx, u, w.p.ID, "동시에 이의를 제기합니다")
			mu.Lock()
			defer mu.Unlock()
			var r *forum.Refusal
			switch {
			case err == nil:
				objected++
				if ret.Returned {
					returned++
					if ret.Objections != needed {
						t.Errorf("returned at %d objections, want %d", ret.Objections, needed)
					}
				}
			case errors.As(err, &r) && r.Key == "rating.err.returned":
				refused++
			default:
				t.Errorf("objection by %s: %v", u.Name, err)
			}
		}(u)
	}
	close(start)
	wg.Wait()
	if returned != 1 || objected != needed || refused != supporters-needed {
		t.Errorf("returned %d times, %d objections stood, %d refused; want 1, %d, %d", returned, objected, refused, needed, supporters-needed)
	}
	if n := count(t, w.s, `SELECT count(*) FROM answer_ratings WHERE proposal_id = ? AND objects = 1`, w.p.ID); n != needed {
		t.Errorf("objection rows = %d, want %d", n, needed)
	}
	statuses := 0
	for _, e := range eventsAfter(t, w.s, before) {
		if e.Type == forum.EventProposalStatus {
			statuses++
		}
	}
	if statuses != 1 {
		t.Errorf("%d status events, want 1", statuses)
	}
	if n := count(t, w.s, `SELECT count(*) FROM moderation_actions WHERE action = ?`, forum.ActAnswerReturned); n != 1 {
		t.Errorf("%d log rows, want 1", n)
	}
	if p := ansProposal(t, w.s, w.p.ID); p.AnswerRound != 2 || p.Status != forum.StatusAwaiting {
		t.Errorf("after the objections: %s round %d", p.Status, p.AnswerRound)
	}
}
