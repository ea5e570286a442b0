package forum

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum/workday"
	"github.com/e-people/e-people/moderation"
)

// RequestKind is what a civil request (민원) asks for. Each kind has its
// legal processing period in working days (Settings.RequestDays).
type RequestKind string

// Request kinds, as the Civil Petitions Act and its decree name them.
const (
	RequestInquiry    RequestKind = "inquiry"     // 질의
	RequestLawInquiry RequestKind = "law_inquiry" // 법령 질의: the interpretation of a law
	RequestSuggestion RequestKind = "suggestion"  // 건의: improving a system or its operation
	RequestGrievance  RequestKind = "grievance"   // 고충: an unlawful, unfair or passive act of an agency
	RequestOther      RequestKind = "other"       // 기타
)

// RequestKinds lists every kind in display order.
func RequestKinds() []RequestKind {
	return []RequestKind{RequestInquiry, RequestLawInquiry, RequestSuggestion, RequestGrievance, RequestOther}
}

// Valid reports whether k is a defined kind.
func (k RequestKind) Valid() bool { return slices.Contains(RequestKinds(), k) }

// RequestStatus is where a civil request stands.
type RequestStatus string

// Request states. A request is received, processed (read, assigned or
// transferred), may wait for the filer's information (the clock stops), and
// ends answered or withdrawn by its filer; the filer's objection reopens an
// answered request as processing, in round 2.
const (
	RequestReceived      RequestStatus = "received"
	RequestProcessing    RequestStatus = "processing"
	RequestInfoRequested RequestStatus = "info_requested"
	RequestAnswered      RequestStatus = "answered"
	RequestWithdrawn     RequestStatus = "withdrawn"
)

// RequestStatuses lists every state in display order.
func RequestStatuses() []RequestStatus {
	return []RequestStatus{RequestReceived, RequestProcessing, RequestInfoRequested, RequestAnswered, RequestWithdrawn}
}

// Open reports whether a request in s still waits for its ministry's answer.
func (s RequestStatus) Open() bool {
	return s == RequestReceived || s == RequestProcessing || s == RequestInfoRequested
}

// RequestDecision is a ministry's answer to a civil request.
type RequestDecision string

// Decisions on a civil request. An inquiry is usually answered by
// explanation (informed); a suggestion or grievance is accepted or not.
const (
	RequestAccepted RequestDecision = "accepted"
	RequestPartial  RequestDecision = "partially_accepted"
	RequestRejected RequestDecision = "not_accepted"
	RequestInformed RequestDecision = "informed"
)

// RequestDecisions lists every decision in display order.
func RequestDecisions() []RequestDecision {
	return []RequestDecision{RequestAccepted, RequestPartial, RequestRejected, RequestInformed}
}

// Valid reports whether d is a defined decision.
func (d RequestDecision) Valid() bool { return slices.Contains(RequestDecisions(), d) }

// Refusal reports whether d refuses the request in whole or in part: such an
// answer must give its reasons, its legal basis and the remedies open to the
// filer (Administrative Procedures Act art. 23 and 26).
func (d RequestDecision) Refusal() bool { return d == RequestRejected || d == RequestPartial }

// Remedy is a way to contest an answer that refuses.
type Remedy string

// Remedies, as a refusal names them.
const (
	RemedyObjection  Remedy = "objection"                 // 이의신청 (Civil Petitions Act art. 35)
	RemedyAppeal     Remedy = "administrative_appeal"     // 행정심판
	RemedyLitigation Remedy = "administrative_litigation" // 행정소송
)

// Remedies lists every remedy in display order.
func Remedies() []Remedy { return []Remedy{RemedyObjection, RemedyAppeal, RemedyLitigation} }

// Valid reports whether r is a defined remedy.
func (r Remedy) Valid() bool { return slices.Contains(Remedies(), r) }

// Request is a citizen's civil request to one ministry. Only its filer, the
// officials of the ministry that holds it and administrators may read it
// (CanReadRequest).
type Request struct {
	ID           int64
	FilerID      int64
	FilerName    string
	Kind         RequestKind
	MinistryID   int64 // the ministry that holds it now
	CategoryID   int64 // 0 when none was chosen
	AssigneeID   int64 // the official it is assigned to; 0 when none
	AssigneeName string
	Title        string
	BodySrc      string
	Body         moderation.Sanitized
	Lang         string
	// PublishConsent is the filer's consent, given at filing, to the
	// request and its answer being published later without their name.
	PublishConsent bool
	Status         RequestStatus
	Round          int // 1, or 2 after the filer's objection
	// PeriodDays is the current period in working days, an extension
	// included; it began at PeriodStart (filing, the last transfer or the
	// objection) and ends at Due, the last instant of its last working day.
	PeriodDays  int
	PeriodStart time.Time
	Due         time.Time
	// Paused is when the clock stopped for the filer's information; zero
	// while it runs. PausedDays are the working days it stood still in the
	// current period.
	Paused     time.Time
	PausedDays int
	Extended   bool // the period of this round was extended (once at most)
	CreatedAt  time.Time
	UpdatedAt  time.Time
	AnsweredAt time.Time
	ObjectedAt time.Time
	FAQID      int64 // the published entry made of it; 0 when not published
}

// Receipt is the request's receipt number (Receipt).
func (r *Request) Receipt() string { return Receipt(r.ID, r.CreatedAt) }

// Overdue reports whether the request is still open after its due time at now.
func (r *Request) Overdue(now time.Time) bool {
	return r.Status.Open() && r.Paused.IsZero() && now.After(r.Due)
}

// Limits on a request.
const (
	RequestFilesMax = 5 // attachments with a request, or with a reply to the ministry's question
	RequestTitleMax = 150
	RequestBodyMax  = 20000
	// RequestProgressNoticeDays is how long a request may stay open before
	// its filer is told how it is progressing and when to expect the
	// answer, and again after as many days more.
	RequestProgressNoticeDays = 30
)

// RequestInput is what a citizen files.
type RequestInput struct {
	Kind RequestKind
	// MinistryID is the ministry chosen; 0 for "not sure", when the
	// category's usual ministry receives the request.
	MinistryID     int64
	CategoryID     int64
	Title          string
	Body           string
	PublishConsent bool
}

// Validate checks a request and returns every problem at once. Whether the
// ministry or category exists is the store's to check.
func (in RequestInput) Validate() error {
	var errs ValidationErrors
	if !in.Kind.Valid() {
		errs = append(errs, Invalid("kind", "err.request_kind"))
	}
	if in.MinistryID == 0 && in.CategoryID == 0 {
		errs = append(errs, Invalid("ministry", "err.request_ministry"))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Title)); n == 0 || n > RequestTitleMax {
		errs = append(errs, Invalid("title", "err.request_title_length", RequestTitleMax))
	}
	if strings.TrimSpace(in.Body) == "" {
		errs = append(errs, Invalid("body", "err.body_required"))
	} else if utf8.RuneCountInString(in.Body) > RequestBodyMax {
		errs = append(errs, Invalid("body", "err.body_too_long", RequestBodyMax))
	}
	return errs.Err()
}

// RequestAnswer is a ministry's answer to a civil request in one round.
type RequestAnswer struct {
	RequestID       int64
	Round           int
	MinistryID      int64
	OfficialID      int64
	OfficialName    string
	Decision        RequestDecision
	Summary         string
	BodySrc         string // the reasons
	Body            moderation.Sanitized
	LegalBasis      string
	ResponsibleUnit string
	Contact         string
	Remedies        []Remedy
	RemedyNote      string
	WorkingDays     int  // from the period's start to the answer, the stopped clock left out
	OnTime          bool // answered by the due time
	Rating          int  // 1 very dissatisfied … 5 very satisfied; 0 not rated
	RatingComment   string
	RatedAt         time.Time
	CreatedAt       time.Time
}

// RequestAnswerInput is what an official writes to answer a request.
type RequestAnswerInput struct {
	Decision        RequestDecision
	Summary         string
	Body            string
	LegalBasis      string
	ResponsibleUnit string
	Contact         string
	Remedies        []Remedy
	RemedyNote      string
}

// Validate checks an answer and returns every problem at once. Every answer
// has a decision, a summary, its reasons, the responsible unit and a
// contact; a refusal also its legal basis and at least one remedy.
func (in RequestAnswerInput) Validate() error {
	var errs ValidationErrors
	if !in.Decision.Valid() {
		errs = append(errs, Invalid("decision", "err.decision_required"))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Summary)); n == 0 || n > SummaryMax {
		errs = append(errs, Invalid("summary", "err.summary_length", SummaryMax))
	}
	if strings.TrimSpace(in.Body) == "" {
		errs = append(errs, Invalid("body", "err.request_reasons_required"))
	} else if utf8.RuneCountInString(in.Body) > AnswerBodyMax {
		errs = append(errs, Invalid("body", "err.body_too_long", AnswerBodyMax))
	}
	for field, v := range map[string]string{"legal_basis": in.LegalBasis, "responsible_unit": in.ResponsibleUnit, "contact": in.Contact} {
		if utf8.RuneCountInString(v) > AnswerLineMax {
			errs = append(errs, Invalid(field, "err.line_too_long", AnswerLineMax))
		}
	}
	if strings.TrimSpace(in.ResponsibleUnit) == "" {
		errs = append(errs, Invalid("responsible_unit", "err.request_unit_required"))
	}
	if strings.TrimSpace(in.Contact) == "" {
		errs = append(errs, Invalid("contact", "err.request_contact_required"))
	}
	if utf8.RuneCountInString(in.RemedyNote) > AnswerBodyMax {
		errs = append(errs, Invalid("remedy_note", "err.body_too_long", AnswerBodyMax))
	}
	for _, r := range in.Remedies {
		if !r.Valid() {
			errs = append(errs, Invalid("remedies", "err.request_remedy"))
			break
		}
	}
	if in.Decision.Refusal() {
		if strings.TrimSpace(in.LegalBasis) == "" {
			errs = append(errs, Invalid("legal_basis", "err.request_basis_required"))
		}
		if len(in.Remedies) == 0 {
			errs = append(errs, Invalid("remedies", "err.request_remedy_required"))
		}
	}
	return errs.Err()
}

// RequestStep is one thing that happened to a request, as its history shows it.
type RequestStep struct {
	ID         int64
	Kind       string // filed, assigned, transferred, info_requested, info_given, extended, answered, progress_notice, rated, objected, withdrawn, published
	ActorID    int64
	ActorName  string
	MinistryID int64 // the ministry that acted (or, for the filer's steps, that held the request)
	ToMinistry int64 // a transfer's receiving ministry
	NoteSrc    string
	Note       moderation.Sanitized
	Due        time.Time // the due time this step set; zero when it set none
	CreatedAt  time.Time
}

// RequestRead is one read of a request by staff, as its filer sees it.
type RequestRead struct {
	ReaderID   int64
	ReaderName string // for the ministry's own log; the filer is shown the ministry
	MinistryID int64  // 0 for an administrator
	ReadAt     time.Time
}

// Attachment is a file filed with a request or with the filer's reply.
type Attachment struct {
	ID         int64
	RequestID  int64
	StepID     int64 // 0 when filed with the request
	UploaderID int64
	Name       string
	Kind       string // attachment.Kind: pdf, png, jpeg, hwp, hwpx, text
	Size       int64
	SHA256     string
	CreatedAt  time.Time
}

// CanReadRequest reports whether u may read r: its filer, an official of
// the ministry that holds it, or an administrator, staff being active and
// past their second factor (StaffReady). Nobody else, not even a
// moderator, reads an unpublished request.
func CanReadRequest(u *User, r *Request) bool {
	if u == nil || r == nil || u.Deleted {
		return false
	}
	if u.ID == r.FilerID {
		return true
	}
	return CanHandleRequest(u, r) || u.CanAdminister()
}

// CanHandleRequest reports whether u works r for its ministry: an active
// official of the ministry that holds it, past the second factor.
// Administrators read requests and may assign or transfer them
// (CanRouteRequest) but do not answer for a ministry.
func CanHandleRequest(u *User, r *Request) bool {
	return u.Active() && r != nil && u.Role == RoleOfficial && u.MinistryID == r.MinistryID && StaffReady(u) == nil
}

// CanRouteRequest reports whether u may assign or transfer r: its ministry's
// officials and administrators.
func CanRouteRequest(u *User, r *Request) bool {
	return CanHandleRequest(u, r) || u.CanAdminister()
}

// IsStaffRead reports whether u reading r is a read the filer is shown: by
// anyone but the filer.
func IsStaffRead(u *User, r *Request) bool { return u != nil && r != nil && u.ID != r.FilerID }

// Receipt returns the receipt number of request id filed at filed: the year
// and month of filing in Korea, the id as a seven-digit (or longer)
// sequence, and a check digit (Damm's algorithm, which catches every
// single-digit error and every swap of two adjacent digits), as
// "2612-0001234-7".
func Receipt(id int64, filed time.Time) string {
	ym := filed.In(workday.Seoul()).Format("0601")
	seq := fmt.Sprintf("%07d", id)
	return ym + "-" + seq + "-" + strconv.Itoa(damm(ym+seq))
}

// ParseReceipt reads a receipt number as a person may type it (spaces,
// hyphens or none; full-width digits allowed) and returns the request id and
// the filing month ("2612") it names. The caller checks the month against the
// request's. It fails with ErrNotFound when the number is malformed or its
// check digit is wrong.
func ParseReceipt(s string) (id int64, yymm string, err error) {
	var digits []byte
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r >= '０' && r <= '９':
			digits = append(digits, byte('0'+r-'０'))
		case r == '-' || r == ' ' || r == '‐' || r == '–' || r == '－':
		default:
			return 0, "", ErrNotFound
		}
	}
	if len(digits) < 12 || len(digits) > 20 {
		return 0, "", ErrNotFound
	}
	body, check := string(digits[:len(digits)-1]), int(digits[len(digits)-1]-'0')
	if damm(body) != check {
		return 0, "", ErrNotFound
	}
	id, err = strconv.ParseInt(body[4:], 10, 64)
	if err != nil || id <= 0 {
		return 0, "", ErrNotFound
	}
	return id, body[:4], nil
}

// dammTable is the quasigroup of Damm's check-digit algorithm (order 10,
// weakly totally anti-symmetric), row by row: entry (i, j) is
// dammTable[10*i+j].
const dammTable = "0317598642" + "7092154863" + "4206871359" + "1750983426" + "6123045978" +
	"3674209581" + "5869720134" + "8945362017" + "9438617205" + "2581436790"

// damm returns the Damm check digit of a string of decimal digits.
func damm(digits string) int {
	interim := 0
	for i := 0; i < len(digits); i++ {
		interim = int(dammTable[10*interim+int(digits[i]-'0')] - '0')
	}
	return interim
}
