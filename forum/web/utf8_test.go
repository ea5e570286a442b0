package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/e-people/e-people/forum"
)

// TestMultipartUTF8_Refused: c.FormValue reads multipart forms too, so
// invalid UTF-8 in a multipart field gets 400 and is not stored.
func TestMultipartUTF8_Refused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	author := e.register("멀티파트 작성자")
	id := e.openProposal(author, "멀티파트 시험", "본문")
	c := e.register("멀티파트 시민")
	post := func(body string) resp {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		_ = w.WriteField("_csrf", c.csrf())
		_ = w.WriteField("stance", "for")
		_ = w.WriteField("body", body)
		_ = w.Close()
		req := httptest.NewRequest("POST", "/proposals/"+itoa(int(id))+"/comments", &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		return c.send(req)
	}
	if r := post("깨진 \xff\xfe 바이트"); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "UTF-8") {
		t.Errorf("invalid UTF-8 in a multipart field: %d %.200s", r.Status, r.Body)
	}
	if r := post("멀쩡한 멀티파트 댓글"); r.Status != http.StatusSeeOther {
		t.Errorf("valid multipart comment: %d %.200s", r.Status, r.Body)
	}
	if cms, _ := e.st.Comments(ctx, forum.ProposalSubject(id)); len(cms) != 1 {
		t.Errorf("%d comments stored, want 1", len(cms))
	}
	if err := e.st.CheckText(ctx); err != nil {
		t.Fatal(err)
	}
}
