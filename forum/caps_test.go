package forum

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestDailyCaps holds the caps' list to the settings: every cap setting is
// listed once, under the key that fills its value, and every activity has
// its cap.
func TestDailyCaps(t *testing.T) {
	listed := map[string]bool{}
	for i, d := range DefaultSettings().Caps.List() {
		listed[d.Key] = true
		// The key fills the value it is listed with.
		loaded := DefaultSettings().Load(map[string]string{d.Key: strconv.Itoa(1000 + i)})
		if got := loaded.Caps.List()[i]; got.Key != d.Key || got.Value != 1000+i {
			t.Errorf("%s: loading 1000+%d lists %+v", d.Key, i, got)
		}
		if want := "cap_" + d.Name; d.Key != want {
			t.Errorf("%s is named %s", d.Key, d.Name)
		}
	}
	for _, k := range SettingKeys() {
		if strings.HasPrefix(k.Key, "cap_") != listed[k.Key] {
			t.Errorf("setting %s: listed as a cap = %v", k.Key, listed[k.Key])
		}
	}
	caps := DailyCaps{Proposals: 1, Comments: 2, Supports: 3, Reports: 4, CommentsFirstDay: 5}
	for a, want := range map[string]int{ActivityProposals: 1, ActivityComments: 2, ActivitySupports: 3, ActivityReports: 4} {
		if got, err := caps.Of(a); got != want || err != nil {
			t.Errorf("Of(%s) = %d, %v; want %d", a, got, err, want)
		}
	}
	if _, err := caps.Of("votes"); !errors.Is(err, ErrUnknownSetting) {
		t.Errorf("Of(votes): %v, want ErrUnknownSetting", err)
	}
}
