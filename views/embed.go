// Package views holds the html/template pages, the shared layout and the
// message catalogs, embedded into the binary.
package views

import "embed"

// FS holds every page template (*.html) and the message catalogs
// (locales/<lang>.json and locales/<lang>.<area>.json: flat key → fmt
// format string).
//
//go:embed *.html locales/*.json
var FS embed.FS
