package forum

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's recommended m=19 MiB, t=2, p=1. (RFC 9106's
// 64 MiB option made every sign-in hold 64 MiB, several times the server's
// whole working set, and a burst of sign-ins a memory flood.) Hashes made
// with other parameters still verify: each hash records its own.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// hashSlots bounds how many hashes run at once, and so the memory they
// hold, whatever the number of sign-ins arriving together.
var hashSlots = make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))

func idKey(password string, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), salt, time, memory, threads, keyLen)
}

// TokenHash is how a random secret token (a session's, the setup link's)
// is kept in the database: its SHA-256 in hex, so that a copy of the
// database opens no session. A token has 256 bits of randomness, so unlike
// a password it needs no slow hash.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// HashPassword returns an argon2id hash of password in PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := idKey(password, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash means a stored password hash is not an argon2id PHC string we understand.
var ErrBadHash = errors.New("unrecognised password hash")

// CheckPassword reports whether password matches the PHC-format hash, using
// the parameters recorded in the hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrBadHash
	}
	if memory > 256*1024 || time > 16 || threads == 0 {
		return false, ErrBadHash // not a hash this server made: refuse to spend more on it
	}
	got := idKey(password, salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// CommonPasswords is a set of passwords too common to allow.
type CommonPasswords map[string]struct{}

// LoadCommonPasswords reads a list with one password per line, optionally
// followed by whitespace and a count (the zxcvbn format). Only entries long
// enough to pass the length rule are kept; the rest are refused anyway.
func LoadCommonPasswords(r io.Reader) (CommonPasswords, error) {
	set := CommonPasswords{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if pw := strings.ToLower(fields[0]); len([]rune(pw)) >= PasswordMin {
			set[pw] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load common passwords: %w", err)
	}
	return set, nil
}

// Common reports whether password, ignoring case, is in the set.
func (c CommonPasswords) Common(password string) bool {
	_, ok := c[strings.ToLower(password)]
	return ok
}

// Password strength, as zxcvbn estimates it. A score is the order of the
// guesses an attacker needs: 0 under 10^3, 1 under 10^6, 2 under 10^8,
// 3 under 10^10, 4 beyond. PasswordMinScore 3 (at least 10^8 guesses, as
// zxcvbn's authors suggest for sites that throttle sign-ins, which this one
// does) refuses repeats, sequences, keyboard walks and dictionary words
// with the usual substitutions, while two or three ordinary words or a
// Hangul sentence of PasswordMin characters pass.
const (
	PasswordMinScore = 3
	// strengthRunes caps how much of a password zxcvbn scores: its matching
	// grows faster than the square of the length (100 Hangul runes took
	// 60 ms; 64 take 14 ms by BenchmarkPasswordScore, less than one argon2id
	// hash), and a PasswordMax-rune
	// password must not buy more CPU than a sign-in. The rest of a longer
	// password only adds guesses, so a prefix that scores well stands for
	// the whole; a long password whose first 64 runes are weak is refused.
	strengthRunes = 64
	// minDistinctRunes is how many different characters a password needs:
	// the zxcvbn port counts repeats in bytes, not characters, and so
	// misses "비비비비비비비비비비" and "비밀번호비밀번호" as repeats.
	minDistinctRunes = 5
)

// PasswordScore returns zxcvbn's score, from 0 to 4, for the first 64 runes
// of password, counting each of userInputs (the user's name, e-mail and the
// e-mail's local part, say) as a dictionary word. Invalid UTF-8 and fewer
// than five different characters (ignoring case) score 0. zxcvbn knows
// English words and names, not Korean or Chinese ones: a Hangul or Han
// password is scored by its length and repeats alone.
func PasswordScore(password string, userInputs ...string) int {
	if !utf8.ValidString(password) {
		return 0
	}
	distinct, n := map[rune]bool{}, 0
	for i, r := range password {
		if n == strengthRunes {
			password = password[:i]
			break
		}
		distinct[unicode.ToLower(r)] = true
		n++
	}
	if len(distinct) < minDistinctRunes {
		return 0
	}
	var inputs []string
	for _, in := range userInputs {
		if in = strings.ToLower(strings.TrimSpace(in)); in != "" {
			inputs = append(inputs, in)
		}
	}
	hashSlots <- struct{}{} // shares the hashing slots: both are CPU spent for an anonymous request
	defer func() { <-hashSlots }()
	return zxcvbn.PasswordStrength(password, inputs).Score
}
