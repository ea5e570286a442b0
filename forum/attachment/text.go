package attachment

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/korean"
)

// utf8BOM is the byte-order mark Windows editors put before UTF-8 text.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// cleanText accepts UTF-8 text, or EUC-KR/CP949 text that decodes without a replacement character, and
// returns it as UTF-8 without a byte-order mark, in a new slice. Text holds no control characters but
// tab, line feed, carriage return and form feed; anything else is not text.
func cleanText(data []byte) ([]byte, error) {
	if tag := markup(data); tag != "" {
		return nil, fmt.Errorf("read text: markup %q in its first KiB: %w", tag, ErrType)
	}
	body := bytes.TrimPrefix(data, utf8BOM)
	var out []byte
	if utf8.Valid(body) {
		out = bytes.Clone(body)
	} else {
		dec, err := korean.EUCKR.NewDecoder().Bytes(body)
		if err != nil || bytes.ContainsRune(dec, utf8.RuneError) {
			return nil, fmt.Errorf("read text as UTF-8 or EUC-KR: %w", ErrType)
		}
		out = dec
	}
	for i, b := range out {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' {
			return nil, fmt.Errorf("read text: control byte %#02x at %d: %w", b, i, ErrType)
		}
	}
	if tag := markup(out); tag != "" {
		return nil, fmt.Errorf("read text: it decodes to markup %q: %w", tag, ErrType)
	}
	return out, nil
}
