package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestJSONErrors_OneShape sends bad requests to the API and to the routes
// scripts call with Accept: application/json, and checks that every error
// comes back in the one shape, {"error": {"status", "code", "message"}} with
// "field" only when a form field is at fault: status equal to the HTTP
// status, the code expected, a message for people and no Go error text.
func TestJSONErrors_OneShape(t *testing.T) {
	e := newEnv(t)
	author := e.register("오류 작성자")
	id := itoa(int(e.openProposal(author, "오류 시험 제안", "본문")))
	guest := e.client()
	const asJSON = "application/json"
	for _, tc := range []struct {
		name         string
		who          *client
		method, path string
		form         url.Values // sent with the client's CSRF token unless it has _csrf
		accept       string
		status       int
		code, field  string
	}{
		{"API bad limit", guest, "GET", "/api/v1/proposals?limit=1000", nil, "", 400, "invalid_parameter", ""},
		{"API bad cursor", guest, "GET", "/api/v1/proposals?cursor=%21%21", nil, asJSON, 400, "invalid_cursor", ""},
		{"API no such proposal", guest, "GET", "/api/v1/proposals/99999", nil, "", 404, "not_found", ""},
		{"API not an id", guest, "GET", "/api/v1/proposals/abc", nil, "", 404, "not_found", ""},
		{"API no such route", guest, "GET", "/api/v1/nothing-here", nil, "", 404, "not_found", ""},
		{"API search bad kind", guest, "GET", "/api/v1/search?q=a&kind=poem", nil, "", 400, "invalid_parameter", ""},
		{"API search bad date", guest, "GET", "/api/v1/search?q=a&from=yesterday", nil, "", 400, "invalid_parameter", ""},
		{"API search bad page", guest, "GET", "/api/v1/search?q=a&page=0", nil, "", 400, "invalid_parameter", ""},
		{"API search nothing to find", guest, "GET", "/api/v1/search?q=%21%21", nil, "", 400, "empty_query", ""},
		{"support signed out", guest, "POST", "/proposals/" + id + "/support", url.Values{}, asJSON, 401, "signin_required", ""},
		{"support without token", author, "POST", "/proposals/" + id + "/support", url.Values{"_csrf": {"forged"}}, asJSON, 403, "csrf", ""},
		{"support no such proposal", author, "POST", "/proposals/99999/support", url.Values{}, asJSON, 404, "not_found", ""},
		{"comment without stance", author, "POST", "/proposals/" + id + "/comments", url.Values{"body": {"본문"}}, asJSON, 400, "stance_required", "stance"},
		{"comment too long", author, "POST", "/proposals/" + id + "/comments", url.Values{"stance": {"for"}, "body": {strings.Repeat("가", 20001)}}, asJSON, 400, "body_too_long", "body"},
		{"vote out of range", author, "POST", "/comments/99999/vote", url.Values{"value": {"7"}}, asJSON, 400, "bad_vote", ""},
		{"page not found", guest, "GET", "/proposals/99999", nil, asJSON, 404, "not_found", ""},
		{"bad UTF-8", guest, "GET", "/search?q=%ff", nil, asJSON, 400, "bad_utf8", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{}
			if tc.accept != "" {
				hdr = append(hdr, "Accept", tc.accept)
			}
			form := tc.form
			if form != nil && form.Get("_csrf") == "" {
				form.Set("_csrf", tc.who.csrf())
			}
			r := tc.who.do(tc.method, tc.path, form, hdr...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", r.Status, tc.status, r.Body)
			}
			var got map[string]map[string]any
			if err := json.Unmarshal([]byte(r.Body), &got); err != nil || len(got) != 1 || got["error"] == nil {
				t.Fatalf("not a JSON error: %v: %.300s", err, r.Body)
			}
			body := got["error"]
			var keys []string
			for k := range body {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			want := []string{"code", "message", "status"}
			if tc.field != "" {
				want = []string{"code", "field", "message", "status"}
			}
			if !slices.Equal(keys, want) {
				t.Errorf("keys %v, want %v", keys, want)
			}
			if status, _ := body["status"].(float64); int(status) != tc.status {
				t.Errorf("status in body %v, want %d", body["status"], tc.status)
			}
			if body["code"] != tc.code {
				t.Errorf("code %v, want %s", body["code"], tc.code)
			}
			if f, _ := body["field"].(string); f != tc.field {
				t.Errorf("field %q, want %q", f, tc.field)
			}
			msg, _ := body["message"].(string)
			if msg == "" || strings.Contains(msg, "err.") || strings.Contains(msg, "bad search parameter") || strings.Contains(msg, "invalid ") {
				t.Errorf("message %q: want one for people, never a key or an error's text", msg)
			}
		})
	}
}
