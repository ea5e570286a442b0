package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/e-people/e-people/forum"
)

// Settings returns a copy of the forum's settings, as loaded when the store
// opened and refreshed by every SetSettings since; it reads no table.
func (s *Store) Settings() forum.Settings { return *s.settings.Load() }

// loadSettings reads the forum's settings into the store's copy, and the
// administrators' extra days off into its calendar.
func (s *Store) loadSettings(ctx context.Context) error {
	st, err := readSettings(ctx, s.r)
	if err != nil {
		return fmt.Errorf("load settings: %w", mapErr(err))
	}
	s.settings.Store(&st)
	return s.loadCalendar(ctx)
}

// readSettings reads the settings table through q over the defaults.
func readSettings(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (forum.Settings, error) {
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return forum.Settings{}, err
	}
	defer rows.Close()
	stored := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return forum.Settings{}, err
		}
		stored[k] = v
	}
	if err := rows.Err(); err != nil {
		return forum.Settings{}, err
	}
	return forum.DefaultSettings().Load(stored), nil
}

// SetSettings checks values against forum.SettingKeys, stores them in one
// transaction and refreshes the copy Settings returns, so the next request
// sees them. Every problem is reported at once, as forum.ValidationErrors on
// the keys; an unknown key wraps forum.ErrUnknownSetting; either way nothing
// is written. It logs nothing: it sets a forum up (the demo, tests,
// benchmarks); an administrator's change goes through ChangeSettings.
func (s *Store) SetSettings(ctx context.Context, values map[string]string) error {
	_, err := s.setSettings(ctx, nil, "", values)
	return err
}

// ChangeSettings is SetSettings by admin, who is named in the public
// moderation log: one settings_changed row, in the same transaction, holds
// the keys that changed as key=value pairs before and after (the banned
// terms by length and digest, never their text). basedOn is the
// forum.Settings.Version the values were chosen from: when the settings
// have changed since, it returns forum.ErrConflict and writes nothing. It
// returns the keys that changed, in the order of forum.SettingKeys; when
// none did it logs nothing.
func (s *Store) ChangeSettings(ctx context.Context, admin *forum.User, basedOn string, values map[string]string) ([]string, error) {
	if admin == nil || !admin.CanAdminister() {
		return nil, fmt.Errorf("change settings: %w", forum.ErrForbidden)
	}
	return s.setSettings(ctx, admin, basedOn, values)
}

func (s *Store) setSettings(ctx context.Context, admin *forum.User, basedOn string, values map[string]string) ([]string, error) {
	s.settingsMu.Lock() // one change at a time, so the copy ends as the last one left the table
	defer s.settingsMu.Unlock()
	old := s.Settings()
	if admin != nil && basedOn != old.Version() {
		return nil, fmt.Errorf("change settings: changed since version %s: %w", basedOn, forum.ErrConflict)
	}
	next, stored, err := old.With(values)
	if err != nil {
		return nil, fmt.Errorf("save settings: %w", err)
	}
	changed := old.Changed(next)
	var fresh forum.Settings
	err = s.write(ctx, func(t *tx) error {
		for k, v := range stored {
			if _, err := t.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return err
			}
		}
		if admin != nil && len(changed) > 0 {
			before, after := settingsLog(old, changed), settingsLog(next, changed)
			if err := audit(ctx, t, admin, forum.ActSettingsChanged, forum.ItemSettings, 0, "", before, after); err != nil {
				return err
			}
		}
		fresh, err = readSettings(ctx, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("save settings: %w", err)
	}
	s.settings.Store(&fresh)
	return changed, nil
}

// settingsLog writes keys of st as the moderation log holds them:
// space-separated key=value pairs, the banned terms as their length in bytes
// and the start of their SHA-256 (forum.TermsDigest).
func settingsLog(st forum.Settings, keys []string) string {
	pairs := make([]string, 0, len(keys))
	for _, k := range keys {
		v := st.Value(k)
		if k == forum.SettingBannedTerms {
			v = forum.TermsDigest(v)
		}
		pairs = append(pairs, k+"="+v)
	}
	return strings.Join(pairs, " ")
}

// Setting returns the row stored for key, or def when there is none. The
// forum reads its settings through Settings, never here: this reads what is
// on disk, for checks and tests (that a change was written, that a refused
// one was not) and for rows outside the forum's settings, such as the demo's
// seeding time.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("get setting %s: %w", key, mapErr(err))
	}
	return v, nil
}

// SetSetting stores value under key. A forum setting (forum.SettingKeys)
// goes through SetSettings: checked, and the copy refreshed.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if forum.IsSetting(key) {
		return s.SetSettings(ctx, map[string]string{key: value})
	}
	err := s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("set setting %s: %w", key, err)
	}
	return nil
}
