package forum

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"

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
