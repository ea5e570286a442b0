package forum

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestReceipt_RoundTrip(t *testing.T) {
	// 2026-11-30 20:00 UTC is 1 December in Korea: the month is Korea's.
	filed := time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)
	got := Receipt(1234, filed)
	if !strings.HasPrefix(got, "2612-0001234-") || len(got) != len("2612-0001234-7") {
		t.Fatalf("Receipt = %q, want 2612-0001234-<digit>", got)
	}
	for _, typed := range []string{got, strings.ReplaceAll(got, "-", ""), strings.ReplaceAll(got, "-", " "),
		strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r - '0' + '０'
			}
			return r
		}, got)} {
		id, ym, err := ParseReceipt(typed)
		if err != nil || id != 1234 || ym != "2612" {
			t.Errorf("ParseReceipt(%q) = %d, %q, %v; want 1234, 2612", typed, id, ym, err)
		}
	}
	if got := Receipt(123456789, filed); !strings.HasPrefix(got, "2612-123456789-") {
		t.Errorf("a long sequence is kept whole: %q", got)
	}
	if id, _, err := ParseReceipt(Receipt(123456789, filed)); err != nil || id != 123456789 {
		t.Errorf("long sequence: %d, %v", id, err)
	}
}

// TestReceipt_CheckDigitCatchesTypos: every single wrong digit and every
// swap of two adjacent different digits is refused, as Damm's algorithm
// promises.
func TestReceipt_CheckDigitCatchesTypos(t *testing.T) {
	for _, id := range []int64{1, 42, 1234, 9876543, 1020304} {
		r := strings.ReplaceAll(Receipt(id, time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)), "-", "")
		for i := range r {
			for d := byte('0'); d <= '9'; d++ {
				if d == r[i] {
					continue
				}
				typo := r[:i] + string(d) + r[i+1:]
				if _, _, err := ParseReceipt(typo); !errors.Is(err, ErrNotFound) {
					t.Fatalf("%s (from %s) was accepted", typo, r)
				}
			}
			if i+1 < len(r) && r[i] != r[i+1] {
				swap := r[:i] + string(r[i+1]) + string(r[i]) + r[i+2:]
				if _, _, err := ParseReceipt(swap); !errors.Is(err, ErrNotFound) {
					t.Fatalf("%s (swapped from %s) was accepted", swap, r)
				}
			}
		}
	}
	for _, bad := range []string{"", "2612", "2612-abc-1", "<script>", "2612-0000000-0"} {
		if _, _, err := ParseReceipt(bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("ParseReceipt(%q) = %v, want ErrNotFound", bad, err)
		}
	}
}

func TestRequestAnswerInput_RefusalNeedsReasonsBasisRemedy(t *testing.T) {
	ok := RequestAnswerInput{Decision: RequestInformed, Summary: "안내", Body: "이유", ResponsibleUnit: "과", Contact: "044-000-0000"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("an explanation: %v", err)
	}
	refuse := ok
	refuse.Decision = RequestRejected
	err := refuse.Validate()
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("a refusal without basis or remedy: %v", err)
	}
	fields := map[string]bool{}
	for _, e := range ve {
		fields[e.Field] = true
	}
	if !fields["legal_basis"] || !fields["remedies"] {
		t.Fatalf("a refusal must name its legal basis and remedies: %v", ve)
	}
	refuse.LegalBasis, refuse.Remedies = "민원처리법 제35조", []Remedy{RemedyObjection, RemedyAppeal}
	if err := refuse.Validate(); err != nil {
		t.Fatalf("a complete refusal: %v", err)
	}
	refuse.Body = " "
	if err := refuse.Validate(); err == nil {
		t.Fatal("a refusal without reasons was accepted")
	}
}

func TestCanReadRequest(t *testing.T) {
	r := &Request{ID: 1, FilerID: 10, MinistryID: 3}
	cases := []struct {
		name string
		u    *User
		read bool
	}{
		{"guest", nil, false},
		{"filer", &User{ID: 10, Role: RoleCitizen, Status: UserActive}, true},
		{"another citizen", &User{ID: 11, Role: RoleCitizen, Status: UserActive}, false},
		{"moderator", &User{ID: 12, Role: RoleModerator, Status: UserActive, TwoFactor: true}, false},
		{"official of the holding ministry", &User{ID: 13, Role: RoleOfficial, MinistryID: 3, Status: UserActive, TwoFactor: true}, true},
		{"official without a second factor", &User{ID: 17, Role: RoleOfficial, MinistryID: 3, Status: UserActive}, false},
		{"suspended official", &User{ID: 14, Role: RoleOfficial, MinistryID: 3, Status: UserSuspended, TwoFactor: true}, false},
		{"official of another ministry", &User{ID: 15, Role: RoleOfficial, MinistryID: 4, Status: UserActive, TwoFactor: true}, false},
		{"admin", &User{ID: 16, Role: RoleAdmin, Status: UserActive, TwoFactor: true}, true},
	}
	for _, c := range cases {
		if got := CanReadRequest(c.u, r); got != c.read {
			t.Errorf("%s: CanReadRequest = %v, want %v", c.name, got, c.read)
		}
	}
}
