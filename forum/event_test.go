package forum

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// eventWire is every event type with the exact JSON the store wrote for it
// when payloads were maps: stored events, live messages and whatever reads
// them depend on these bytes.
var eventWire = []struct {
	data EventData
	json string
}{
	{ProposalCreatedEvent{AuthorID: 3, ProposalID: 7}, `{"author_id":3,"proposal_id":7}`},
	{ProposalStatusEvent{From: StatusGathering, ProposalID: 7, Status: StatusOpen}, `{"from":"gathering","proposal_id":7,"status":"open"}`},
	{ProposalEditedEvent{ProposalID: 7, Revision: 2}, `{"proposal_id":7,"revision":2}`},
	// Since schema 3 the figures of unverified accounts travel apart; an
	// event stored before has no "unverified" and decodes to 0.
	{ProposalSponsoredEvent{ProposalID: 7, Sponsors: 2, Unverified: 1, Threshold: 3}, `{"proposal_id":7,"sponsors":2,"unverified":1,"threshold":3}`},
	{ProposalSupportedEvent{ProposalID: 7, Supports: 41, Unverified: 5}, `{"proposal_id":7,"supports":41,"unverified":5}`},
	{ProposalHiddenEvent{ProposalID: 7, Reason: "spam"}, `{"proposal_id":7,"reason":"spam"}`},
	{ProposalRestoredEvent{ProposalID: 7}, `{"proposal_id":7,"reason":""}`},
	{ProposalTransferredEvent{From: 1, ProposalID: 7, To: 2}, `{"from":1,"proposal_id":7,"to":2}`},
	{ProposalCoMinistryEvent{Ministry: 2, ProposalID: 7}, `{"ministry":2,"proposal_id":7}`},
	// Since issue 16 an answer's event names its ministry and whether it is a
	// co-answering ministry's part; an event stored before decodes to 0, false.
	{ResponsePublishedEvent{Decision: DecisionAccepted, Ministry: 3, ProposalID: 7, Revision: 1}, `{"decision":"accepted","ministry":3,"part":false,"proposal_id":7,"revision":1}`},
	{ResponsePublishedEvent{Decision: DecisionAccepted, Ministry: 4, Part: true, ProposalID: 7, Revision: 2}, `{"decision":"accepted","ministry":4,"part":true,"proposal_id":7,"revision":2}`},
	{CommentCreatedEvent{CommentID: 11, Comments: 12, DebateID: 5, Stance: StanceFor}, `{"comment_id":11,"comments":12,"debate_id":5,"parent_id":0,"stance":"for"}`},
	{CommentCreatedEvent{CommentID: 11, Comments: 12, ParentID: 10, ProposalID: 7}, `{"comment_id":11,"comments":12,"parent_id":10,"proposal_id":7,"stance":""}`},
	{CommentUpdatedEvent{CommentID: 11, ProposalID: 7}, `{"comment_id":11,"proposal_id":7}`},
	{CommentDeletedEvent{CommentID: 11, Comments: 11, ProposalID: 7, Stance: StanceNeutral}, `{"comment_id":11,"comments":11,"proposal_id":7,"stance":"neutral"}`},
	{CommentVotedEvent{CommentID: 11, DebateID: 5, Down: 1, Up: 4}, `{"comment_id":11,"debate_id":5,"down":1,"up":4}`},
	{CommentHiddenEvent{CommentID: 11, ProposalID: 7, Reason: "spam", Stance: StanceAgainst}, `{"comment_id":11,"proposal_id":7,"reason":"spam","stance":"against"}`},
	{CommentRestoredEvent{CommentID: 11, DebateID: 5, Stance: StanceFor}, `{"comment_id":11,"debate_id":5,"reason":"","stance":"for"}`},
	{ThreadLockedEvent{DebateID: 5, Locked: true}, `{"debate_id":5,"locked":true}`},
	{ThreadLockedEvent{ProposalID: 7}, `{"locked":false,"proposal_id":7}`},
	{DebateOpenedEvent{Against: 0, DebateID: 5, Status: DebateOpen}, `{"against":0,"debate_id":5,"for":0,"neutral":0,"status":"open"}`},
	{DebateClosedEvent{Against: 2, DebateID: 5, For: 3, Neutral: 1, Status: DebateClosed}, `{"against":2,"debate_id":5,"for":3,"neutral":1,"status":"closed"}`},
	{DebateConcludedEvent{Against: 2, DebateID: 5, For: 3, Neutral: 1}, `{"against":2,"debate_id":5,"for":3,"neutral":1}`},
	{NotificationEvent{Kind: NoteReply, NotificationID: 9, Unread: 4}, `{"kind":"reply","notification_id":9,"unread":4}`},
	// What the store's SQL writes for each follower of an item (json_object).
	{NotificationEvent{Kind: NoteResponse, Unread: 3}, `{"kind":"official_response","unread":3}`},
	{ProposalMergedEvent{FromID: 8, IntoID: 7, MergeID: 2, Supports: 40}, `{"from_id":8,"into_id":7,"merge_id":2,"supports":40,"undone":false}`},
	{MilestoneChangedEvent{Kind: MilestoneDelayed, MilestoneID: 4, ProposalID: 7}, `{"kind":"delayed","milestone_id":4,"proposal_id":7}`},
	{AnswerRatedEvent{Average: 3.4, Objections: 2, ProposalID: 7, Ratings: 5, Round: 1}, `{"average":3.4,"objections":2,"proposal_id":7,"ratings":5,"round":1}`},
}

// Every event type encodes to the bytes stored before the payloads had
// types, and its stored JSON decodes back to the same struct, with no key
// the struct does not know.
func TestEvent_WireFormatRoundTrips(t *testing.T) {
	for _, tc := range eventWire {
		typ := tc.data.EventType()
		got, err := json.Marshal(tc.data)
		if err != nil || string(got) != tc.json {
			t.Errorf("%s: encodes to %s (%v), want %s", typ, got, err, tc.json)
		}
		back, err := Event{ID: 1, Type: typ, Data: json.RawMessage(tc.json)}.Payload()
		if err != nil || !reflect.DeepEqual(back, tc.data) {
			t.Errorf("%s: %s decodes to %#v (%v), want %#v", typ, tc.json, back, err, tc.data)
		}
		strict := reflect.New(reflect.TypeOf(tc.data))
		dec := json.NewDecoder(bytes.NewReader([]byte(tc.json)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(strict.Interface()); err != nil {
			t.Errorf("%s: %s has a key %T lacks: %v", typ, tc.json, tc.data, err)
		}
	}
	if _, err := (Event{ID: 1, Type: "proposal.unknown", Data: json.RawMessage(`{}`)}).Payload(); err == nil {
		t.Error("an unknown type decodes without an error")
	}
	if _, err := (Event{ID: 1, Type: EventCommentCreated, Data: json.RawMessage(`{"comment_id":"x"}`)}).Payload(); err == nil {
		t.Error("a malformed payload decodes without an error")
	}
}

// Every Event… constant has a struct, is in EventTypes, and is in eventWire:
// a new event type cannot be added without its shape and its tests.
func TestEvent_EveryTypeHasAStruct(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "event.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	tested, listed := map[string]bool{}, map[string]bool{}
	for _, tc := range eventWire {
		tested[tc.data.EventType()] = true
	}
	for _, typ := range EventTypes() {
		listed[typ] = true
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if !strings.HasPrefix(name.Name, "Event") || i >= len(vs.Values) {
				continue
			}
			lit, ok := vs.Values[i].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				continue
			}
			typ, _ := strconv.Unquote(lit.Value)
			n++
			if !tested[typ] {
				t.Errorf("%s (%q) has no case in eventWire", name.Name, typ)
			}
			if !listed[typ] {
				t.Errorf("%s (%q) is missing from EventTypes", name.Name, typ)
			}
			if _, err := (Event{Type: typ, Data: json.RawMessage(`{}`)}).Payload(); err != nil {
				t.Errorf("%s (%q): no struct decodes it: %v", name.Name, typ, err)
			}
		}
		return true
	})
	if n < 20 || n != len(EventTypes()) {
		t.Fatalf("found %d event types in event.go, and EventTypes lists %d", n, len(EventTypes()))
	}
}
