// Package assets holds the static files the web server serves under /assets/.
package assets

import "embed"

// FS holds the stylesheet, scripts and icons, embedded into the binary.
//
//go:embed *.css *.svg *.js
var FS embed.FS
