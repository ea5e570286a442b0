package web

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// csvWriter writes every CSV file the site serves, one record at a time.
// Spreadsheet programs (Excel, which officials open downloads in, LibreOffice,
// Google Sheets) run a cell that starts with =, +, -, @, a tab or a carriage
// return as a formula, so a citizen's title "=HYPERLINK(…)" would become a
// live link or worse on an official's desk. Following OWASP's advice on CSV
// injection, a text cell that starts with one of those gets a leading single
// quote, which the spreadsheet shows as text; encoding/csv quotes cells that
// hold a delimiter, a quote or a line break. Numbers and booleans are never
// user text and go out as they are, so a negative number stays a number.
type csvWriter struct {
	w    *csv.Writer
	line []string
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w)} }

// Write writes one record: each value is formatted by csvCell.
func (cw *csvWriter) Write(values []any) error {
	cw.line = cw.line[:0]
	for _, v := range values {
		cw.line = append(cw.line, csvCell(v))
	}
	return cw.w.Write(cw.line)
}

// Flush writes any buffered records to the underlying writer.
func (cw *csvWriter) Flush() error {
	cw.w.Flush()
	return cw.w.Error()
}

// csvCell formats one value as a CSV cell: integers and booleans as
// themselves, a nil *string (a null time) as an empty cell, and text,
// anything else as its JSON, made safe by csvText.
func csvCell(v any) string {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return csvText(x)
	case *string:
		if x == nil {
			return ""
		}
		return csvText(*x)
	}
	b, _ := json.Marshal(v)
	return csvText(string(b))
}

// csvText keeps a spreadsheet from reading text as a formula: a cell that
// starts with =, +, -, @, a tab or a carriage return gets a leading '.
func csvText(s string) string {
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}
