package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/e-people/e-people/forum"
)

// testTOTPSecret is the second-factor key of every staff account the tests
// enrol (e.enrol).
const testTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// enrol gives userID the test key with no code spent yet, the way a staff
// member who finished /account/2fa has it (without recovery codes).
func (e *env) enrol(userID int64) {
	e.t.Helper()
	if err := e.st.EnableSecondFactor(context.Background(), userID, testTOTPSecret, 0, nil, ""); err != nil {
		e.t.Fatal(err)
	}
}

// nextCode returns a code of testTOTPSecret that the account email has not
// spent yet and the server accepts at the test clock's now: the current
// step's, or the next one's when it is spent (±1 step of skew). Three
// sign-ins in one step fail the test: move the clock.
func (e *env) nextCode(email string) string {
	e.t.Helper()
	last, _ := strconv.ParseInt(e.reader().
		Value(`SELECT COALESCE(totp_last_step, 0) FROM users WHERE email = ?`, forum.NormalizeEmail(email)), 10, 64)
	step := max(e.clock.Now().Unix()/forum.TOTPPeriod, last+1)
	if step > e.clock.Now().Unix()/forum.TOTPPeriod+forum.TOTPSkew {
		e.t.Fatalf("no unspent code for %s at the test clock's time: advance e.clock", email)
	}
	code, err := forum.TOTPCode(testTOTPSecret, timeOfStep(step))
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// signInStaff signs the enrolled account email in through /login and
// /login/2fa and returns the signed-in client.
func (e *env) signInStaff(email, password string) *client {
	e.t.Helper()
	c := e.client()
	if r := c.post("/login", url.Values{"email": {email}, "password": {password}}); r.Status != http.StatusSeeOther ||
		r.Header.Get("Location") != "/login/2fa?next=%2F" {
		e.t.Fatalf("staff login: %d %q", r.Status, r.Header.Get("Location"))
	}
	if r := c.post("/login/2fa", url.Values{"code": {e.nextCode(email)}, "next": {"/"}}); r.Status != http.StatusSeeOther {
		e.t.Fatalf("staff second factor: %d %.300s", r.Status, r.Body)
	}
	return c
}

func timeOfStep(step int64) time.Time { return time.Unix(step*forum.TOTPPeriod, 0) }

// signInStaff signs the enrolled account email in through the /login form
// and then the code's form, with a code from e.nextCode, and checks that
// the header shows the name.
func (b *tab) signInStaff(e *env, email, password, name string) {
	b.t.Helper()
	b.open("/login")
	b.typeInto("#f-email", email)
	b.typeInto("#f-password", password)
	b.click(`form[action="/login"] button[type=submit]`, 200)
	b.typeInto("#f-code", e.nextCode(email))
	b.click(`form[action="/login/2fa"] button[type=submit]`, 200)
	b.wantText("header .user-name", name)
}
