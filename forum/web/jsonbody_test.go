package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/views"
)

func TestJSONFields(t *testing.T) {
	good := []struct {
		in   string
		want []jsonField
	}{
		{`{}`, nil},
		{` {"a":"b"} `, []jsonField{{"a", "b"}}},
		{`{"body":"줄\n바꿈 \"인용\" \\ \u00e9\ud83d\ude00","value":-1,"n":1.5e3,"on":true,"off":false}`,
			[]jsonField{{"body", "줄\n바꿈 \"인용\" \\ é😀"}, {"value", "-1"}, {"n", "1.5e3"}, {"on", "1"}, {"off", "0"}}},
		{`{"ids":"1","ids":"2"}`, []jsonField{{"ids", "1"}, {"ids", "2"}}},
		{`{"a\\ud800":"x"}`, []jsonField{{`a\ud800`, "x"}}}, // an escaped backslash, then plain text
		{`{"":""}`, []jsonField{{"", ""}}},
	}
	for _, tt := range good {
		got, err := jsonFields([]byte(tt.in))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("jsonFields(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{
		``, ` `, `null`, `"a"`, `1`, `[]`, `[{"a":"b"}]`,
		`{"a":null}`, `{"a":{}}`, `{"a":["b"]}`, `{"a":"b"}x`, `{"a":"b"}{}`, `{"a":"b"}]`, `{"a":"b",}`,
		`{"a" "b"}`, `{a:"b"}`, `{"a":'b'}`, `{"a":01}`, `{"a":"b"`, "{\"a\":\"\xff\"}", "\xef\xbb\xbf{}",
		`{"a":"\ud800"}`, `{"a":"\udc00"}`, `{"a":"\ud800\u0041"}`, `{"a":"\ud800x"}`, `{"\udfff":"b"}`,
	} {
		if got, err := jsonFields([]byte(in)); err == nil {
			t.Errorf("jsonFields(%q) accepted: %q", in, got)
		}
	}
}

// jsonSuite returns the JSONTestSuite parsing cases by name.
func jsonSuite(t *testing.T) map[string][]byte {
	dir := filepath.Join(corpusDir(t), "jsontestsuite", "test_parsing")
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) < 300 {
		t.Fatalf("only %d JSONTestSuite files in %s", len(files), dir)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// holdsNUL reports whether a field's name or value holds a NUL.
func holdsNUL(fields map[string]string) bool {
	for k, v := range fields {
		if strings.ContainsRune(k+v, 0) {
			return true
		}
	}
	return false
}

// scalarObject reports whether b is a JSON object whose values are all
// strings, numbers or booleans, as encoding/json reads it, and returns each
// name's last value the way a form carries it.
func scalarObject(b []byte) (map[string]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false // something after the value
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for k, x := range m {
		switch x := x.(type) {
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = map[bool]string{true: "1", false: "0"}[x]
		default:
			return nil, false
		}
	}
	return out, true
}

// TestJSONFields_Suite reads every JSONTestSuite case: each n_ file is
// refused; each y_ file that is an object of scalars is read as the same
// fields encoding/json sees, and every other y_ file is refused; i_ files may
// go either way, but what is accepted is valid JSON and valid UTF-8.
func TestJSONFields_Suite(t *testing.T) {
	accepted := 0
	for name, b := range jsonSuite(t) {
		fields, err := jsonFields(b)
		switch name[0] {
		case 'n':
			if err == nil {
				t.Errorf("%s accepted: %q", name, fields)
			}
		case 'y':
			want, ok := scalarObject(b)
			if !ok {
				if err == nil {
					t.Errorf("%s is no object of scalars but was accepted: %q", name, fields)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s refused: %s", name, b)
				continue
			}
			accepted++
			got := map[string]string{}
			for _, f := range fields {
				got[f.Name] = f.Value // the last value of a repeated name, as encoding/json keeps it
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: fields %q, want %q", name, got, want)
			}
		case 'i':
			if err == nil && (!json.Valid(b) || !utf8.Valid(b)) {
				t.Errorf("%s accepted though not valid JSON in UTF-8", name)
			}
		}
	}
	if accepted < 10 {
		t.Errorf("only %d y_ objects accepted", accepted)
	}
}

// jsonPost sends body as a JSON request from c, with its CSRF token in the header.
func (c *client) jsonPost(path, body, lang string) resp {
	c.e.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Language", lang)
	req.Header.Set("X-CSRF-Token", c.csrf())
	return c.send(req)
}

// apiMessage returns the message and field of a JSON error response.
func apiMessage(t *testing.T, r resp) (message, field string) {
	t.Helper()
	var out struct {
		Error struct {
			Status  int
			Message string
			Field   string
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil || out.Error.Status != r.Status {
		t.Fatalf("not a JSON error (%d): %.300s", r.Status, r.Body)
	}
	return out.Error.Message, out.Error.Field
}

// TestJSONBody_Suite posts every JSONTestSuite file as a comment: n_ files
// get 400 with the JSON message in the reader's language and store nothing;
// y_ objects of scalars reach the handler as fields (which then asks for the
// missing stance), and other y_ documents get the JSON message; i_ files never
// get a 5xx. Nothing stored is anything but valid UTF-8.
func TestJSONBody_Suite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cats, err := loadCatalogs(views.FS)
	if err != nil {
		t.Fatal(err)
	}
	author := e.register("JSON 작성자")
	id := e.openProposal(author, "JSON 시험 제안", "본문")
	c := e.register("JSON 시민")
	path := "/proposals/" + itoa(int(id)) + "/comments"
	i := 0
	for name, b := range jsonSuite(t) {
		lang := Languages[i%len(Languages)]
		i++
		r := c.jsonPost(path, string(b), lang)
		if r.Status >= 500 {
			t.Fatalf("%s: %d", name, r.Status)
		}
		if name[0] == 'i' {
			continue
		}
		fields, scalars := scalarObject(b)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, r.Status)
			continue
		}
		msg, field := apiMessage(t, r)
		wantKey := "err.bad_json"
		switch {
		case !utf8.Valid(b), scalars && holdsNUL(fields): // a NUL (escaped in the JSON) is refused as in a form
			wantKey = "err.bad_utf8"
		case name[0] == 'y' && scalars:
			wantKey = "err.stance_required"
			if field != "stance" {
				t.Errorf("%s: error on field %q, want stance", name, field)
			}
		}
		if want := cats[lang][wantKey]; msg != want {
			t.Errorf("%s (%s): message %q, want %q", name, lang, msg, want)
		}
	}
	if cms, err := e.st.Comments(ctx, forum.ProposalSubject(id)); err != nil || len(cms) != 0 {
		t.Fatalf("%d comments stored from the suite (%v)", len(cms), err)
	}
	if err := e.st.CheckText(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestJSONBody_SameAsForm posts comments, a reply and a vote as JSON:
// the fields arrive exactly as a form's would, and CSRF is still required.
func TestJSONBody_SameAsForm(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("JSON 작성자")
	id := e.openProposal(author, "JSON 시험 제안", "본문")
	c := e.register("JSON 시민")
	path := "/proposals/" + itoa(int(id)) + "/comments"

	body := "첫 줄\n둘째 줄 \"인용\" \\ é😀 <b>굵게</b>"
	enc, _ := json.Marshal(map[string]any{"stance": "against", "body": body})
	r := c.jsonPost(path, string(enc), "ko")
	if r.Status != http.StatusCreated {
		t.Fatalf("JSON comment: %d %.300s", r.Status, r.Body)
	}
	var created struct {
		CommentID int64 `json:"comment_id"`
	}
	if err := json.Unmarshal([]byte(r.Body), &created); err != nil || created.CommentID == 0 {
		t.Fatalf("JSON comment answer: %.300s", r.Body)
	}
	cm, err := e.st.Comment(ctx, created.CommentID)
	if err != nil {
		t.Fatal(err)
	}
	if cm.BodySrc != body || cm.Stance != forum.StanceAgainst {
		t.Errorf("stored %q (%s), want %q (against)", cm.BodySrc, cm.Stance, body)
	}

	// A reply names its parent with a number; a vote is a number too.
	r = c.jsonPost(path, `{"stance":"for","body":"답글입니다","parent":`+itoa(int(cm.ID))+`}`, "en")
	if r.Status != http.StatusCreated {
		t.Fatalf("JSON reply: %d %.300s", r.Status, r.Body)
	}
	voter := e.register("JSON 투표자")
	if r := voter.jsonPost("/comments/"+itoa(int(cm.ID))+"/vote", `{"value": -1}`, "en"); r.Status != http.StatusOK {
		t.Fatalf("JSON vote: %d %.300s", r.Status, r.Body)
	}
	if cm, _ = e.st.Comment(ctx, cm.ID); cm.Down != 1 {
		t.Errorf("vote not counted: %+v", cm)
	}

	// Without the token in the header the answer is 403, as for a form.
	req := httptest.NewRequest("POST", path, strings.NewReader(`{"stance":"for","body":"토큰 없음"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := c.send(req); r.Status != http.StatusForbidden {
		t.Errorf("JSON without CSRF token: %d", r.Status)
	}
	// Invalid UTF-8 and lone surrogates are refused before any handler.
	for _, bad := range []string{"{\"stance\":\"for\",\"body\":\"\xff\xfe\"}", `{"stance":"for","body":"\ud83d"}`} {
		if r := c.jsonPost(path, bad, "zh"); r.Status != http.StatusBadRequest {
			t.Errorf("%q: %d", bad, r.Status)
		}
	}
	if cms, _ := e.st.Comments(ctx, forum.ProposalSubject(id)); len(cms) != 2 {
		t.Errorf("%d comments stored, want 2", len(cms))
	}
	if err := e.st.CheckText(ctx); err != nil {
		t.Fatal(err)
	}
}
