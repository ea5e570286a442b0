package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	brotli "github.com/molecule-man/go-brrr"
)

// TestCompress_GzipAndBrotli asks for a page and a stylesheet as browsers do,
// gzip and br, and checks that each decodes to what an identity request gets:
// the compress middleware rides on fasthttp's encoders, which change with
// fasthttp (v1.79 moved brotli from andybalholm/brotli to go-brrr).
func TestCompress_GzipAndBrotli(t *testing.T) {
	e := newEnv(t)
	const title = "압축해도 같은 쪽 — 壓縮 test"
	id := e.openProposal(e.register("압축 작성자"), title, strings.Repeat("본문은 충분히 길어야 압축됩니다. ", 40))
	reader := e.client()
	for _, path := range []string{"/proposals/" + itoa(int(id)), "/assets/style.css"} {
		plain := reader.do("GET", path, nil, "Accept-Encoding", "identity")
		if plain.Status != http.StatusOK || plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s identity: %d, Content-Encoding %q", path, plain.Status, plain.Header.Get("Content-Encoding"))
		}
		for _, enc := range []string{"gzip", "br"} {
			r := reader.do("GET", path, nil, "Accept-Encoding", enc)
			if r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != enc {
				t.Fatalf("%s %s: %d, Content-Encoding %q", path, enc, r.Status, r.Header.Get("Content-Encoding"))
			}
			var dec io.Reader
			if enc == "gzip" {
				zr, err := gzip.NewReader(strings.NewReader(r.Body))
				if err != nil {
					t.Fatalf("%s gzip: %v", path, err)
				}
				dec = zr
			} else {
				dec = brotli.NewReader(strings.NewReader(r.Body))
			}
			got, err := io.ReadAll(dec)
			if err != nil {
				t.Fatalf("%s %s: decoding: %v", path, enc, err)
			}
			if len(r.Body) >= len(got) {
				t.Errorf("%s %s: %d bytes on the wire for %d: not compressed", path, enc, len(r.Body), len(got))
			}
			if !bytes.Equal(got, []byte(plain.Body)) {
				t.Errorf("%s %s: decodes to %d bytes that differ from the identity response's %d", path, enc, len(got), len(plain.Body))
			}
		}
	}
	if !strings.Contains(reader.get("/proposals/"+itoa(int(id))).Body, title) {
		t.Errorf("the proposal page lacks its title")
	}
}
