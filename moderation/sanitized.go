// Package moderation decides what may be published: it turns untrusted
// Markdown into safe HTML, cleans titles and display names, and recognises
// display names that pass for staff or an official body.
//
// It is a leaf: it uses no SQL, no HTTP and nothing else of ours.
package moderation

import "html/template"

// Sanitized is HTML that this package produced from untrusted text and may be
// written into a page as it is. Its zero value is the empty fragment.
type Sanitized struct{ html string }

// TrustedFromStore wraps HTML that this package produced earlier (via
// Sanitized.String) and that was stored in our own database. It performs no
// sanitizing: never pass it anything else, such as user input or HTML from
// another system; render those with RenderMarkdown instead.
func TrustedFromStore(s string) Sanitized { return Sanitized{html: s} }

// HTML returns the fragment for html/template, which inserts it unescaped.
// This is the project's only conversion to template.HTML.
func (s Sanitized) HTML() template.HTML { return template.HTML(s.html) }

// String returns the sanitized HTML as a string, for storing in the database.
func (s Sanitized) String() string { return s.html }

// IsZero reports whether the fragment is empty.
func (s Sanitized) IsZero() bool { return s.html == "" }
