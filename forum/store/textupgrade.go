package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/e-people/e-people/moderation"
)

// Settings rows (not forum settings: no admin edits them) that name the
// format of what the store derives from users' texts, so that a database
// written by an older binary is brought up to date once, by upgradeTexts.
const (
	// settingHTMLFormat: "2" once stored HTML has its headings below the
	// page's (moderation.DefaultTopHeading: "#" is h3, "##" h4, …).
	settingHTMLFormat = "html_format"
	htmlFormat        = "2"
	// settingSearchFormat: "2" once the search index holds the plain text
	// of the rendered bodies (no Markdown marks), category and ministry
	// names and the answers' co-ministry parts, and every text's lang is
	// filled (indexProposal, indexDebate, indexComments); "3" once every
	// row's rowid is item_id * 8 + kind (searchKindSlots, room for the
	// published civil requests, indexFAQ), not * 4.
	settingSearchFormat = "search_format"
	searchFormat        = "3"
)

// upgradeBatch is how many items one write of upgradeTexts handles.
const upgradeBatch = 200

// renderedColumns are the stored renderings of users' Markdown: table,
// key columns, source column, HTML column.
var renderedColumns = []struct{ table, keys, src, html string }{
	{"proposals", "id", "body_src", "body_html"},
	{"proposal_revisions", "proposal_id, number", "body_src", "body_html"},
	{"comments", "id", "body_src", "body_html"},
	{"debates", "id", "background_src", "background_html"},
	{"debates", "id", "conclusion_src", "conclusion_html"},
	{"responses", "proposal_id", "body_src", "body_html"},
	{"response_parts", "proposal_id, ministry_id", "body_src", "body_html"},
	{"response_revisions", "proposal_id, number", "body_src", "body_html"},
}

// upgradeTexts brings derived text up to this binary's formats, once per
// database, recording each in its settings row when done: stored HTML with
// headings is rendered again from its source (ReRenderHeadings), then the
// search index is rebuilt (RebuildSearch), which also fills every text's
// lang. Several nodes starting at once may each do it; the work is the
// same and its result too. A database without proposals and debates has
// nothing to bring up to date and is left as it is, without the rows
// (Copy wants an empty target): it is checked again at its next opening.
func (s *Store) upgradeTexts(ctx context.Context) error {
	var content bool
	if err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM proposals) OR EXISTS (SELECT 1 FROM debates)`).Scan(&content); err != nil {
		return fmt.Errorf("upgrade texts: %w", mapErr(err))
	}
	if !content {
		return nil
	}
	formats := map[string]string{}
	rows, err := s.r.QueryContext(ctx, `SELECT key, value FROM settings WHERE key IN (?, ?)`, settingHTMLFormat, settingSearchFormat)
	if err != nil {
		return fmt.Errorf("upgrade texts: %w", mapErr(err))
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return fmt.Errorf("upgrade texts: %w", mapErr(err))
		}
		formats[k] = v
	}
	rows.Close()
	if formats[settingHTMLFormat] != htmlFormat {
		if err := s.ReRenderHeadings(ctx); err != nil {
			return err
		}
	}
	if formats[settingSearchFormat] != searchFormat {
		if err := s.RebuildSearch(ctx); err != nil {
			return err
		}
	}
	return nil
}

// setFormat records that derived text of one kind is in format value.
func setFormat(ctx context.Context, t *tx, key, value string) error {
	_, err := t.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// ReRenderHeadings renders again, from its Markdown source, every stored
// HTML rendering that holds a heading, so that its headings sit below the
// page's (moderation.RenderMarkdown), and records html_format. Renderings
// without a heading are the same in either format and are left alone.
func (s *Store) ReRenderHeadings(ctx context.Context) error {
	for _, c := range renderedColumns {
		keys := strings.Split(c.keys, ", ")
		rows, err := s.r.QueryContext(ctx, `SELECT `+c.keys+`, `+c.src+` FROM `+c.table+` WHERE `+c.html+` LIKE '%</h%'`)
		if err != nil {
			return fmt.Errorf("re-render %s: %w", c.table, mapErr(err))
		}
		type item struct {
			key [2]int64
			src string
		}
		var items []item
		for rows.Next() {
			var it item
			dst := []any{&it.key[0]}
			if len(keys) == 2 {
				dst = append(dst, &it.key[1])
			}
			if err := rows.Scan(append(dst, &it.src)...); err != nil {
				rows.Close()
				return fmt.Errorf("re-render %s: %w", c.table, mapErr(err))
			}
			items = append(items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("re-render %s: %w", c.table, mapErr(err))
		}
		where := keys[0] + ` = ?`
		if len(keys) == 2 {
			where += ` AND ` + keys[1] + ` = ?`
		}
		for len(items) > 0 {
			batch := items[:min(upgradeBatch, len(items))]
			items = items[len(batch):]
			err := s.write(ctx, func(t *tx) error {
				for _, it := range batch {
					args := []any{moderation.RenderMarkdown(it.src).String(), it.key[0]}
					if len(keys) == 2 {
						args = append(args, it.key[1])
					}
					if _, err := t.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.html+` = ? WHERE `+where, args...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("re-render %s: %w", c.table, mapErr(err))
			}
		}
	}
	return s.write(ctx, func(t *tx) error { return setFormat(ctx, t, settingHTMLFormat, htmlFormat) })
}

// RebuildSearch empties the search index and indexes every proposal (with
// its answer and comments), every debate (with its comments) and every
// published civil request again, a
// batch of items per write, storing every text's language on the way, and
// records search_format.
func (s *Store) RebuildSearch(ctx context.Context) error {
	if err := s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `DELETE FROM search_index`)
		return err
	}); err != nil {
		return fmt.Errorf("rebuild search: %w", mapErr(err))
	}
	for _, k := range []struct {
		table string
		index func(context.Context, *tx, int64) error
	}{{"proposals", indexProposal}, {"debates", indexDebate}, {"faqs", indexFAQ}} {
		var ids []int64
		rows, err := s.r.QueryContext(ctx, `SELECT id FROM `+k.table+` ORDER BY id`)
		if err != nil {
			return fmt.Errorf("rebuild search: %w", mapErr(err))
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("rebuild search: %w", mapErr(err))
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("rebuild search: %w", mapErr(err))
		}
		for len(ids) > 0 {
			batch := ids[:min(upgradeBatch, len(ids))]
			ids = ids[len(batch):]
			if err := s.write(ctx, func(t *tx) error {
				for _, id := range batch {
					if err := k.index(ctx, t, id); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return fmt.Errorf("rebuild search: %w", mapErr(err))
			}
		}
	}
	return s.write(ctx, func(t *tx) error { return setFormat(ctx, t, settingSearchFormat, searchFormat) })
}
