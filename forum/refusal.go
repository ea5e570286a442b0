package forum

// Refusal is a refused action that says why: Key is the catalog key of the
// message people read ("err.vote_own"), Args its arguments, and Err
// the kind of refusal (ErrForbidden, ErrInvalidState, ErrConflict,
// ErrNotFound…), which errors.Is matches and which decides the status.
type Refusal struct {
	Key  string
	Args []any
	Err  error
}

// Error names the kind of refusal and its reason, for logs.
func (r *Refusal) Error() string { return r.Err.Error() + " (" + r.Key + ")" }

// Unwrap returns the kind of refusal, so errors.Is(r, ErrForbidden) holds.
func (r *Refusal) Unwrap() error { return r.Err }

// Refuse returns err, one of the domain errors, with the reason people read:
// a catalog key and its arguments.
func Refuse(err error, key string, args ...any) error {
	return &Refusal{Key: key, Args: args, Err: err}
}
