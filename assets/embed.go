// Package assets holds the static files the web server serves under /assets/.
package assets

import "embed"

// FS holds the stylesheet, scripts, icons and the web font (its style sheet,
// woff2 subsets and licence), embedded into the binary, and the Bold weight
// as one OpenType subset (Hangul syllables, Latin, punctuation) that share
// cards are drawn with.
//
//go:embed *.css *.svg *.js fonts/*/*.css fonts/*/*.woff2 fonts/*/*.otf fonts/*/*.txt
var FS embed.FS
