package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/e-people/e-people/forum/e2e"
)

// postSupport sends u's support of proposal id from base as a script does,
// past its support step (the strongest objection, issue 18): the support
// carries *form, the confirmation the step last asked for ("" before it is
// read, or when the proposal has no argument against). Refused with 409
// objection_unseen, it reads the step into *form and sends the support once
// more. It returns the JSON answer.
func postSupport(client *http.Client, base string, id int64, u *e2e.Account, form *string) ([]byte, error) {
	path := fmt.Sprintf("%s/proposals/%d/support", base, id)
	post := func() (int, []byte, error) {
		req, err := http.NewRequest(http.MethodPost, path, strings.NewReader(*form))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", u.CSRF)
		req.AddCookie(u.Cookie())
		res, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return res.StatusCode, body, err
	}
	status, body, err := post()
	if err == nil && status == http.StatusConflict && strings.Contains(string(body), `"objection_unseen"`) {
		if *form, err = supportStep(client, base, id, u); err == nil {
			status, body, err = post()
		}
	}
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("POST /proposals/%d/support: %d %q, want 200", id, status, body)
	}
	return body, nil
}

// supportStep reads the support step of proposal id as u (JSON) and
// returns the form that confirms it: seen=1 and the ids of the arguments
// it shows, or "" when the proposal has no argument against.
func supportStep(client *http.Client, base string, id int64, u *e2e.Account) (string, error) {
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/proposals/%d/support", base, id), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	req.AddCookie(u.Cookie())
	_, body, err := send(client, req, http.StatusOK)
	if err != nil {
		return "", err
	}
	var step struct {
		Objection bool `json:"objection"`
		Confirm   struct {
			Against int64 `json:"against"`
			For     int64 `json:"for"`
		} `json:"confirm"`
	}
	if err := json.Unmarshal(body, &step); err != nil {
		return "", fmt.Errorf("support step of %d: %w", id, err)
	}
	if !step.Objection {
		return "", nil
	}
	return url.Values{"seen": {"1"}, "against": {strconv.FormatInt(step.Confirm.Against, 10)},
		"for": {strconv.FormatInt(step.Confirm.For, 10)}}.Encode(), nil
}
