package moderation

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestLoadDisposableDomains(t *testing.T) {
	list := "# throw-away mail\n\nMailinator.com\n  yopmail.com  \r\nexample.org.\n# sub.example.net\n메일.한국\n"
	d, err := LoadDisposableDomains(strings.NewReader(list))
	if err != nil {
		t.Fatalf("LoadDisposableDomains: %v", err)
	}
	if d.Len() != 4 {
		t.Errorf("Len() = %d, want 4", d.Len())
	}
	tests := []struct {
		email string
		want  bool
	}{
		{"kim@mailinator.com", true},
		{"kim@MAILINATOR.COM", true},
		{"kim@sub.mailinator.com", true},
		{"kim@a.b.mailinator.com", true},
		{"kim@mailinator.com.", true},
		{"kim@yopmail.com", true},
		{"kim@example.org", true},
		{"kim@xn--h32bq4v.xn--3e0b707e", true}, // 메일.한국 in punycode
		{"kim@메일.한국", true},
		{"kim@ｍａｉｌｉｎａｔｏｒ.com", true},
		{"mailinator.com", true},
		{"kim@notmailinator.com", false},
		{"kim@mailinator.co", false},
		{"kim@sub.example.net", false},
		{"kim@example.net", false},
		{"kim@gmail.com", false},
		{"kim@", false},
		{"", false},
		{"@", false},
		{"kim@.", false},
		{"kim@com", false},
	}
	for _, tt := range tests {
		if got := d.Disposable(tt.email); got != tt.want {
			t.Errorf("Disposable(%q) = %v, want %v", tt.email, got, tt.want)
		}
	}
	var zero DisposableDomains
	if zero.Disposable("kim@mailinator.com") || zero.Len() != 0 {
		t.Error("the zero DisposableDomains is not empty")
	}
}

func TestLoadDisposableDomains_Errors(t *testing.T) {
	for _, bad := range []string{"mailinator.com\nkim@example.com\n", "a.example b.example\n"} {
		if _, err := LoadDisposableDomains(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("LoadDisposableDomains(%q) error = %v, want one naming the line", bad, err)
		}
	}
	readErr := errors.New("disk gone")
	if _, err := LoadDisposableDomains(iotest.ErrReader(readErr)); !errors.Is(err, readErr) {
		t.Errorf("LoadDisposableDomains(failing reader) error = %v, want it to wrap %v", err, readErr)
	}
}

func TestDisposableDomains_Corpus(t *testing.T) {
	path := filepath.Join(corporaDir(t), "disposable-email-domains", "disposable_email_blocklist.conf")
	file, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("skipping: disposable e-mail list not found at %s", path)
	}
	if err != nil {
		t.Fatalf("open list: %v", err)
	}
	defer file.Close()
	d, err := LoadDisposableDomains(file)
	if err != nil {
		t.Fatalf("LoadDisposableDomains(%s): %v", path, err)
	}
	if d.Len() < 1000 {
		t.Errorf("Len() = %d, want the whole list", d.Len())
	}
	for _, email := range []string{
		"a@mailinator.com", "a@sub.mailinator.com", "a@yopmail.com", "a@guerrillamail.com",
		"a@10minutemail.com", "a@sharklasers.com", "a@temp-mail.org", "a@navermail.kr",
	} {
		if !d.Disposable(email) {
			t.Errorf("Disposable(%q) = false, want true", email)
		}
	}
	for _, email := range []string{
		"a@gmail.com", "a@naver.com", "a@daum.net", "a@hanmail.net", "a@kakao.com", "a@nate.com",
		"a@korea.kr", "a@mois.go.kr", "a@moe.go.kr", "a@seoul.go.kr", "a@snu.ac.kr",
		"a@outlook.com", "a@yahoo.co.jp", "a@gmail.com.tw", "a@gov.tw", "a@mail.moe.gov.tw",
	} {
		if d.Disposable(email) {
			t.Errorf("Disposable(%q) = true, want false", email)
		}
	}
}
