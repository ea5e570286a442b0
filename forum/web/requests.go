package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/e-people/e-people/forum"
	"github.com/e-people/e-people/forum/attachment"
	"github.com/e-people/e-people/forum/store"
	"github.com/e-people/e-people/moderation"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// Civil requests (민원), the filer's side: the form that files one with its
// attachments, the filer's own list with a receipt-number lookup, the
// request's page for everyone allowed to read it (the filer, the holding
// ministry's officials, administrators), its attachments as downloads, and
// the JSON API under /api/v1/requests. Who may read a request is
// forum.CanReadRequest, asked by the store (ReadRequest); to anyone else a
// request does not exist (404), so its existence is not given away.

// Attachments make a civil request's form the one body larger than any
// other form: five files of attachment.MaxSize and the text around them.
// Every other request keeps the server's BodyLimit (512 KiB).
const (
	uploadBodyLimit = forum.RequestFilesMax*attachment.MaxSize + 2<<20
	// uploadReadTimeout is how long such a body may take to arrive: 52 MiB
	// in two minutes needs about 3.6 Mbit/s, a slow mobile upload.
	uploadReadTimeout = 2 * time.Minute
)

// uploadLimits is the server's HeaderReceived hook: fasthttp asks it, with
// the request's header read and before the body is, for the largest body
// and the read time it allows. Only the POSTs of civil requests (uploadRoute)
// get uploadBodyLimit and uploadReadTimeout; every other request keeps the
// server's defaults, so a 52 MiB body is refused at once anywhere else.
func uploadLimits(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if !h.IsPost() {
		return fasthttp.RequestConfig{}
	}
	u := fasthttp.AcquireURI()
	defer fasthttp.ReleaseURI(u)
	if err := u.Parse(nil, h.RequestURI()); err != nil || !uploadRoute(string(u.Path())) {
		return fasthttp.RequestConfig{}
	}
	return fasthttp.RequestConfig{MaxRequestBodySize: uploadBodyLimit, ReadTimeout: uploadReadTimeout}
}

// uploadRoute reports whether path (decoded, as the router sees it) is one a
// civil request's files are posted to: /requests and /api/v1/requests
// (filing), and the actions on one request below them (the filer's reply
// to a ministry's question carries files too). The router ignores case and
// a trailing slash, and so does this.
func uploadRoute(path string) bool {
	p := strings.ToLower(strings.TrimSuffix(path, "/"))
	for _, root := range []string{"/requests", "/api/v1/requests"} {
		rest, ok := strings.CutPrefix(p, root)
		if !ok {
			continue
		}
		if rest == "" {
			return true
		}
		// /requests/{receipt}/{action}: one more segment after the receipt.
		if parts := strings.Split(strings.TrimPrefix(rest, "/"), "/"); strings.HasPrefix(rest, "/") && len(parts) == 2 {
			return true
		}
	}
	return false
}

// requestKindChoice is one kind of request as the form offers it, with its
// processing period in working days.
type requestKindChoice struct {
	Kind forum.RequestKind
	Days int
}

// requestFormPage is the form that files a civil request.
type requestFormPage struct {
	base
	Dir          directory
	Form         formState
	Kinds        []requestKindChoice
	Need         forum.Tier // the tier the viewer lacks to file: the page says so instead of the form
	FilesMax     int
	FileMaxMiB   int
	FileMaxBytes int
	// FilesAgain says the files chosen before were not kept: a browser
	// cannot refill a file field, so a refused form asks for them again.
	FilesAgain bool
}

// requestNeed is the tier u lacks to file a civil request ("" when none):
// an e-mail-verified account, whatever the tiers of public actions.
func requestNeed(u *forum.User) forum.Tier {
	if u != nil && !u.Tier.AtLeast(forum.TierEmailVerified) {
		return forum.TierEmailVerified
	}
	return ""
}

func (s *Server) requestForm(c *fiber.Ctx, status int, form formState, filesAgain bool) error {
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	periods := s.store.Settings().RequestDays
	page := requestFormPage{base: s.base(c, s.t(c, "req.new_title")), Dir: d, Form: form, Need: requestNeed(currentUser(c)),
		FilesMax: forum.RequestFilesMax, FileMaxMiB: attachment.MaxSize >> 20, FileMaxBytes: attachment.MaxSize, FilesAgain: filesAgain}
	for _, k := range forum.RequestKinds() {
		page.Kinds = append(page.Kinds, requestKindChoice{Kind: k, Days: periods.Of(k)})
	}
	return s.page(c, status, "request_new", page)
}

func (s *Server) handleRequestNew(c *fiber.Ctx) error {
	return s.requestForm(c, fiber.StatusOK, formState{Values: map[string]string{"kind": c.Query("kind")}}, false)
}

// requestInput reads the fields of a civil request (the form's, or the
// API's JSON members, which arrive as the same fields) and checks them
// with the directory: every problem at once, as validation errors. The
// ministry and the category are ids or slugs; a ministry of "", "0" or
// "unsure" is not chosen, and the category's usual ministry receives the
// request.
func (s *Server) requestInput(c *fiber.Ctx, d directory) (forum.RequestInput, formState, forum.ValidationErrors) {
	in := forum.RequestInput{
		Kind:           forum.RequestKind(strings.TrimSpace(c.FormValue("kind"))),
		Title:          moderation.PlainText(c.FormValue("title")),
		Body:           strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"),
		PublishConsent: formFlag(c.FormValue("publish_consent")),
	}
	form := formState{Values: map[string]string{"kind": string(in.Kind), "title": in.Title, "body": in.Body,
		"ministry": c.FormValue("ministry"), "category": c.FormValue("category")}}
	if in.PublishConsent {
		form.Values["publish_consent"] = "1"
	}
	var errs forum.ValidationErrors
	switch m := strings.TrimSpace(c.FormValue("ministry")); m {
	case "", "0", "unsure":
	default:
		if in.MinistryID = lookupMinistry(d, m); in.MinistryID == 0 {
			errs = append(errs, forum.Invalid("ministry", "err.request_ministry"))
		}
	}
	if cat := strings.TrimSpace(c.FormValue("category")); cat != "" && cat != "0" {
		if in.CategoryID = lookupCategory(d, cat); in.CategoryID == 0 {
			errs = append(errs, forum.Invalid("category", "err.category_required"))
		} else if in.MinistryID == 0 && d.Category(in.CategoryID).MinistryID == 0 {
			errs = append(errs, forum.Invalid("ministry", "err.request_no_usual_ministry"))
		}
	}
	if err := in.Validate(); err != nil {
		if ves, ok := forum.AsValidation(err); ok {
			for _, v := range ves {
				if v.Field == "ministry" && len(errs) > 0 && errs[len(errs)-1].Field == "ministry" {
					continue // one message for the ministry is enough
				}
				errs = append(errs, v)
			}
		}
	}
	return in, form, errs
}

// formFlag reads a checkbox or a JSON boolean: checked, "1" or true.
func formFlag(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "on", "true", "yes":
		return true
	}
	return false
}

// lookupMinistry finds a ministry by id or slug; 0 when there is none.
func lookupMinistry(d directory, v string) int64 {
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		return d.Ministry(id).ID
	}
	return d.MinistryBySlug(v).ID
}

// lookupCategory finds a category by id or slug; 0 when there is none.
func lookupCategory(d directory, v string) int64 {
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		return d.Category(id).ID
	}
	return d.CategoryBySlug(v).ID
}

// requestFiles reads the files posted in field (none when the body is not
// multipart, or a file field was left empty) and checks each by its
// content (attachment.Check). It returns the files to store, or, for every
// refused file, a validation error on field naming the file and why, and
// one when there are more than forum.RequestFilesMax. Nothing is stored
// here: the caller stores the files with what they belong to, in one
// transaction, only when nothing was refused. The filer's reply to a
// ministry's question reads its files the same way.
func requestFiles(c *fiber.Ctx, field string) ([]store.NewAttachment, forum.ValidationErrors, error) {
	if !strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEMultipartForm) {
		return nil, nil, nil
	}
	mf, err := c.MultipartForm()
	if err != nil {
		return nil, nil, fiber.NewError(fiber.StatusBadRequest, "err.bad_request")
	}
	var chosen []*multipart.FileHeader
	for _, fh := range mf.File[field] {
		if fh.Filename == "" && fh.Size == 0 { // a file field left empty
			continue
		}
		chosen = append(chosen, fh)
	}
	if len(chosen) > forum.RequestFilesMax {
		return nil, forum.ValidationErrors{forum.Invalid(field, "err.request_files_count", forum.RequestFilesMax)}, nil
	}
	var out []store.NewAttachment
	var errs forum.ValidationErrors
	for _, fh := range chosen {
		name := displayName(fh.Filename)
		data, err := readFileHeader(fh)
		if err != nil {
			return nil, nil, err
		}
		f, err := attachment.Check(fh.Filename, data)
		if err != nil {
			errs = append(errs, forum.Invalid(field, attachmentErrKey(err), name, attachment.MaxSize>>20))
			continue
		}
		out = append(out, store.NewAttachment{Name: f.Name, Kind: string(f.Kind), Data: f.Data, SHA256: f.SHA256})
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	return out, nil, nil
}

// readFileHeader reads an uploaded file, at most one byte more than
// attachment.MaxSize (enough for Check to refuse a larger one).
func readFileHeader(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open uploaded file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, attachment.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read uploaded file: %w", err)
	}
	return data, nil
}

// attachmentErrKey is the message key that says why attachment.Check
// refused a file; each message takes the file's name and the size limit in MiB.
func attachmentErrKey(err error) string {
	switch {
	case errors.Is(err, attachment.ErrEmpty):
		return "err.attachment_empty"
	case errors.Is(err, attachment.ErrTooLarge):
		return "err.attachment_too_large"
	case errors.Is(err, attachment.ErrDamaged):
		return "err.attachment_damaged"
	}
	return "err.attachment_type"
}

// displayName is an uploaded file's name as a message names it: its last
// path element (old browsers send the whole path), plain text, at most 60
// characters.
func displayName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = moderation.PlainText(name)
	if utf8.RuneCountInString(name) > 60 {
		r := []rune(name)
		name = string(r[:30]) + "…" + string(r[len(r)-29:])
	}
	if name == "" {
		name = "?"
	}
	return name
}

// fileRequest reads, checks and files the civil request posted to c for
// the signed-in user. Refused input comes back as validation errors, every
// problem at once with the form as typed, and nothing is stored.
func (s *Server) fileRequest(c *fiber.Ctx) (*forum.Request, formState, forum.ValidationErrors, error) {
	u := currentUser(c)
	if need := requestNeed(u); need != "" {
		return nil, formState{}, nil, &forum.TierError{Action: "file_request", Need: need}
	}
	d, err := s.directory(c)
	if err != nil {
		return nil, formState{}, nil, err
	}
	in, form, errs := s.requestInput(c, d)
	files, ferrs, err := requestFiles(c, "files")
	if err != nil {
		return nil, form, nil, err
	}
	if errs = append(errs, ferrs...); len(errs) > 0 {
		return nil, form, errs, nil
	}
	r, err := s.store.FileRequest(c.UserContext(), u, store.NewRequest{Input: in, Body: s.md.Markdown(in.Body),
		Lang: forum.DetectLang(in.Title+"\n"+in.Body, u.Lang), Files: files})
	if ves, ok := forum.AsValidation(err); ok {
		return nil, form, ves, nil
	}
	return r, form, nil, err
}

func (s *Server) handleRequestCreate(c *fiber.Ctx) error {
	if isPreview(c) { // saves nothing: the form again, with the body as it will read
		body := strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")
		d, err := s.directory(c)
		if err != nil {
			return err
		}
		_, form, _ := s.requestInput(c, d)
		form, status, err := s.withPreview(c, form, body)
		if err != nil {
			return err
		}
		return s.requestForm(c, status, form, hasFiles(c))
	}
	r, form, errs, err := s.fileRequest(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		form.Errors = s.fieldErrors(c, errs)
		return s.requestForm(c, fiber.StatusBadRequest, form, hasFiles(c))
	}
	s.flash(c, "flash.request_filed")
	return c.Redirect("/requests/"+r.Receipt(), fiber.StatusSeeOther)
}

// hasFiles reports whether a form posted any file.
func hasFiles(c *fiber.Ctx) bool {
	mf, err := c.MultipartForm()
	if err != nil {
		return false
	}
	for _, fhs := range mf.File {
		for _, fh := range fhs {
			if fh.Filename != "" || fh.Size > 0 {
				return true
			}
		}
	}
	return false
}

// fieldErrors translates validation errors for a form.
func (s *Server) fieldErrors(c *fiber.Ctx, errs forum.ValidationErrors) []fieldError {
	out := make([]fieldError, 0, len(errs))
	for _, v := range errs {
		out = append(out, fieldError{Field: v.Field, Message: s.t(c, v.Key, v.Args...)})
	}
	return out
}

// requestListPage is the filer's own requests, newest first.
type requestListPage struct {
	base
	Dir      directory
	Requests []*forum.Request
	Lookup   string // the receipt number typed into the lookup box
	Problem  string // why it was refused, in the viewer's language
}

func (s *Server) handleRequestList(c *fiber.Ctx) error {
	u := currentUser(c)
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	page := requestListPage{base: s.base(c, s.t(c, "req.list_title")), Dir: d}
	status := fiber.StatusOK
	if typed := strings.TrimSpace(c.Query("receipt")); typed != "" {
		if receipt, ok := canonicalReceipt(typed); ok {
			return c.Redirect("/requests/"+receipt, fiber.StatusSeeOther)
		}
		page.Lookup, page.Problem, status = typed, s.t(c, "req.lookup_malformed"), fiber.StatusBadRequest
	}
	if page.Requests, err = s.store.UserRequests(c.UserContext(), u.ID); err != nil {
		return err
	}
	return s.page(c, status, "requests", page)
}

// canonicalReceipt writes a receipt number as a person may type it (spaces,
// no hyphens, full-width digits) the way the site does, "2612-0001234-7";
// ok is false when it is malformed or its check digit is wrong.
func canonicalReceipt(typed string) (string, bool) {
	id, yymm, err := forum.ParseReceipt(typed)
	if err != nil {
		return "", false
	}
	yy, _ := strconv.Atoi(yymm[:2])
	mm, _ := strconv.Atoi(yymm[2:])
	if mm < 1 || mm > 12 {
		return "", false
	}
	return forum.Receipt(id, time.Date(2000+yy, time.Month(mm), 15, 12, 0, 0, 0, seoul)), true
}

// requestPage is a civil request as its filer, the holding ministry's
// officials and administrators read it. The handling helpers fill the
// page's two blocks: "request-reply" (the filer's reply to a question)
// and "request-feedback" (rating and objection).
type requestPage struct {
	base
	R        *forum.Request
	Ministry forum.Ministry
	Category forum.Category
	Dir      directory
	Steps    []forum.RequestStep
	Reads    []forum.RequestRead
	Files    []forum.Attachment
	Answers  []forum.RequestAnswer
	// Filer reports whether the viewer filed the request; CanHandle whether
	// they work it for its ministry, CanRoute whether they may assign or
	// transfer it (its officials and administrators).
	Filer, CanHandle, CanRoute bool
	Now                        time.Time
	Settings                   forum.Settings
	// Remaining is the working days left to the due day (0 on the day);
	// Late the working days past it, when overdue.
	Remaining, Late int
	Overdue         bool
}

// Staff reports whether the viewer reads the request as staff, who see
// the names of officials; the filer is shown ministries.
func (p requestPage) Staff() bool { return !p.Filer }

// ObjectionWindowDays is how many days after an answer its filer may object.
func (p requestPage) ObjectionWindowDays() int {
	return int(p.Settings.ObjectionWindow / (24 * time.Hour))
}

// readsShown is how many reads the page lists before it folds the older ones away.
const readsShown = 5

// ReadsRecent returns the newest reads, newest first, at most readsShown.
func (p requestPage) ReadsRecent() []forum.RequestRead {
	r := newestFirst(p.Reads)
	return r[:min(readsShown, len(r))]
}

// ReadsOlder returns the reads before ReadsRecent's, newest first.
func (p requestPage) ReadsOlder() []forum.RequestRead {
	if r := newestFirst(p.Reads); len(r) > readsShown {
		return r[readsShown:]
	}
	return nil
}

// newestFirst returns reads in the reverse of the store's order (oldest first).
func newestFirst(reads []forum.RequestRead) []forum.RequestRead {
	out := slices.Clone(reads)
	slices.Reverse(out)
	return out
}

// FilesOf returns the attachments that came with step (0: with the request itself).
func (p requestPage) FilesOf(step int64) []forum.Attachment {
	var out []forum.Attachment
	for _, f := range p.Files {
		if f.StepID == step {
			out = append(out, f)
		}
	}
	return out
}

// readRequest reads the request the path's receipt names, for the viewer;
// a receipt typed another way is sent to its canonical page.
func (s *Server) readRequest(c *fiber.Ctx) (*forum.Request, string, error) {
	typed, err := url.PathUnescape(c.Params("receipt"))
	if err != nil {
		return nil, "", forum.ErrNotFound
	}
	r, err := s.store.ReadRequestByReceipt(c.UserContext(), currentUser(c), typed)
	if err != nil {
		return nil, "", err
	}
	if typed != r.Receipt() {
		return r, r.Receipt(), nil
	}
	return r, "", nil
}

func (s *Server) handleRequestShow(c *fiber.Ctx) error {
	filed := c.Cookies(flashCookie) == "flash.request_filed"
	r, canonical, err := s.readRequest(c)
	if err != nil {
		return err
	}
	if canonical != "" {
		return c.Redirect("/requests/"+canonical, fiber.StatusMovedPermanently)
	}
	data, err := s.requestData(c, r)
	if err != nil {
		return err
	}
	if filed { // the flash names the receipt number, which its key alone cannot
		data.Flash = s.t(c, "flash.request_filed_receipt", r.Receipt())
	}
	err = s.page(c, fiber.StatusOK, "request", data)
	// After page's headers: a private request is kept in no cache at all.
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return err
}

// requestData gathers everything the request page shows about r.
func (s *Server) requestData(c *fiber.Ctx, r *forum.Request) (requestPage, error) {
	ctx := c.UserContext()
	u := currentUser(c)
	now := s.cfg.Now()
	data := requestPage{base: s.base(c, r.Title), R: r, Now: now, Settings: s.store.Settings(),
		Filer: u != nil && u.ID == r.FilerID, CanHandle: forum.CanHandleRequest(u, r), CanRoute: forum.CanRouteRequest(u, r)}
	d, err := s.directory(c)
	if err != nil {
		return data, err
	}
	data.Dir, data.Ministry, data.Category = d, d.Ministry(r.MinistryID), d.Category(r.CategoryID)
	if data.Steps, err = s.store.RequestSteps(ctx, r.ID); err != nil {
		return data, err
	}
	if data.Reads, err = s.store.RequestReads(ctx, r.ID); err != nil {
		return data, err
	}
	if data.Files, err = s.store.RequestAttachments(ctx, r.ID); err != nil {
		return data, err
	}
	if data.Answers, err = s.store.RequestAnswers(ctx, r.ID); err != nil {
		return data, err
	}
	cal := s.store.Calendar()
	data.Remaining = cal.Remaining(now, r.Due)
	if data.Overdue = r.Overdue(now); data.Overdue {
		data.Late = max(1, cal.Between(r.Due, now))
	}
	return data, nil
}

// handleRequestFile sends one attachment of a request as a download, to
// those who may read the request (the store records a staff read); to
// anyone else it does not exist.
func (s *Server) handleRequestFile(c *fiber.Ctx) error {
	typed, err := url.PathUnescape(c.Params("receipt"))
	if err != nil {
		return forum.ErrNotFound
	}
	id, _, err := forum.ParseReceipt(typed)
	if err != nil {
		return err
	}
	// The receipt's month must be the request's: read it without recording
	// a read (ReadAttachment records one, and asks who reads).
	r, err := s.store.Request(c.UserContext(), id)
	if err != nil {
		return err
	}
	if receipt, _ := canonicalReceipt(typed); receipt != r.Receipt() {
		return forum.ErrNotFound
	}
	a, data, err := s.store.ReadAttachment(c.UserContext(), currentUser(c), r.ID, paramID(c))
	if err != nil {
		return err
	}
	kind := attachment.Kind(a.Kind)
	c.Set(fiber.HeaderContentType, kind.MIME())
	c.Set(fiber.HeaderContentDisposition, contentDisposition(a.Name, "attachment-"+strconv.FormatInt(a.ID, 10)+kind.Ext()))
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	// Opened anyway (a browser that ignores the disposition), it runs nothing.
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Vary(fiber.HeaderCookie)
	return c.Send(data)
}

// isRequestFile reports whether a request is for an attachment's download,
// which is sent byte for byte: no ETag (the etag middleware would hash ten
// megabytes of a private file) and no compression.
func isRequestFile(c *fiber.Ctx) bool {
	p := strings.ToLower(c.Path())
	return strings.HasPrefix(p, "/requests/") && strings.Contains(p, "/files/")
}

// contentDisposition is an attachment's Content-Disposition: an ASCII
// filename for old clients (fallback when nothing of the name is ASCII)
// and the name itself in UTF-8 (RFC 6266, RFC 8187).
func contentDisposition(name, fallback string) string {
	var ascii strings.Builder
	letters := 0
	for _, r := range name {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			ascii.WriteRune(r)
			letters++
		case r == '.' || r == '-' || r == '_' || r == ' ' || r == '(' || r == ')':
			ascii.WriteRune(r)
		default:
			ascii.WriteByte('_')
		}
	}
	plain := ascii.String()
	if letters == 0 || strings.Trim(plain, "_. ") == "" || !strings.Contains(plain, ".") {
		plain = fallback
	} else if i := strings.LastIndexByte(plain, '.'); strings.Trim(plain[:i], "_ ") == "" {
		plain = fallback // nothing but the extension survived
	}
	return `attachment; filename="` + plain + `"; filename*=UTF-8''` + rfc8187(name)
}

// rfc8187 percent-encodes s for an ext-value: attr-chars stay, every other
// byte of its UTF-8 becomes %XX.
func rfc8187(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'A' && ch <= 'Z', ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9',
			strings.IndexByte("!#$&+-.^_`|~", ch) >= 0:
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}

// The JSON API of civil requests: the caller's own, filing one (JSON
// without files, or multipart with them), and one request with its
// history, answers, attachments and reads, to its filer, the holding
// ministry's officials and administrators. Signed in by the session, with
// the CSRF token in X-CSRF-Token to write; errors in the one JSON shape.

// apiRequest is a civil request in the API.
type apiRequest struct {
	Receipt        string  `json:"receipt"`
	URL            string  `json:"url"`
	Kind           string  `json:"kind"`
	Title          string  `json:"title"`
	Body           *string `json:"body,omitempty"`
	Ministry       string  `json:"ministry"`
	Category       *string `json:"category"`
	Status         string  `json:"status"`
	Round          int     `json:"round"`
	PublishConsent bool    `json:"publish_consent"`
	PeriodDays     int     `json:"period_days"`
	Due            *string `json:"due"`
	DueDay         string  `json:"due_day"`
	Paused         *string `json:"paused_at"`
	Extended       bool    `json:"extended"`
	CreatedAt      *string `json:"created_at"`
	AnsweredAt     *string `json:"answered_at"`
}

// apiRequestStep is one step of a request's history in the API.
type apiRequestStep struct {
	Kind       string  `json:"kind"`
	Ministry   string  `json:"ministry"`
	ToMinistry string  `json:"to_ministry,omitempty"`
	Actor      string  `json:"actor,omitempty"` // staff only
	Note       string  `json:"note"`
	Due        *string `json:"due"`
	At         *string `json:"at"`
}

// apiRequestAnswer is a request's answer of one round in the API.
type apiRequestAnswer struct {
	Round           int      `json:"round"`
	Ministry        string   `json:"ministry"`
	Decision        string   `json:"decision"`
	Summary         string   `json:"summary"`
	Reasons         string   `json:"reasons"`
	LegalBasis      string   `json:"legal_basis"`
	ResponsibleUnit string   `json:"responsible_unit"`
	Contact         string   `json:"contact"`
	Remedies        []string `json:"remedies"`
	RemedyNote      string   `json:"remedy_note"`
	WorkingDays     int      `json:"working_days"`
	OnTime          bool     `json:"on_time"`
	Rating          *int     `json:"rating"`
	At              *string  `json:"at"`
}

// apiAttachment is an attachment's metadata in the API; url downloads it.
type apiAttachment struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Size    int64   `json:"size"`
	SHA256  string  `json:"sha256"`
	WithRep bool    `json:"with_reply"`
	URL     string  `json:"url"`
	At      *string `json:"at"`
}

// apiRequestRead is a staff read of a request in the API: the ministry
// (empty for an administrator) and the time; the reader's name to staff only.
type apiRequestRead struct {
	Ministry string  `json:"ministry"`
	Reader   string  `json:"reader,omitempty"`
	At       *string `json:"at"`
}

func (s *Server) apiRequestOf(r *forum.Request, d directory, withBody bool) apiRequest {
	out := apiRequest{Receipt: r.Receipt(), URL: strings.TrimRight(s.cfg.BaseURL, "/") + "/requests/" + r.Receipt(),
		Kind: string(r.Kind), Title: r.Title, Ministry: d.Ministry(r.MinistryID).Slug, Status: string(r.Status), Round: r.Round,
		PublishConsent: r.PublishConsent, PeriodDays: r.PeriodDays, Due: rfc3339(r.Due), DueDay: isoDay(r.Due),
		Paused: rfc3339(r.Paused), Extended: r.Extended, CreatedAt: rfc3339(r.CreatedAt), AnsweredAt: rfc3339(r.AnsweredAt)}
	if withBody {
		out.Body = &r.BodySrc
	}
	if r.CategoryID != 0 {
		slug := d.Category(r.CategoryID).Slug
		out.Category = &slug
	}
	return out
}

func (s *Server) handleAPIRequests(c *fiber.Ctx) error {
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	list, err := s.store.UserRequests(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return err
	}
	out := make([]apiRequest, 0, len(list))
	for _, r := range list {
		out = append(out, s.apiRequestOf(r, d, false))
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(fiber.Map{"requests": out})
}

func (s *Server) handleAPIRequestCreate(c *fiber.Ctx) error {
	r, _, errs, err := s.fileRequest(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs // the error handler's one JSON shape, naming the first field at fault
	}
	c.Set(fiber.HeaderLocation, "/api/v1/requests/"+r.Receipt())
	c.Status(fiber.StatusCreated)
	return s.apiRequestDetail(c, r)
}

func (s *Server) handleAPIRequest(c *fiber.Ctx) error {
	r, _, err := s.readRequest(c)
	if err != nil {
		return err
	}
	return s.apiRequestDetail(c, r)
}

// apiRequestDetail answers with r, its history, answers, attachments and reads.
func (s *Server) apiRequestDetail(c *fiber.Ctx, r *forum.Request) error {
	ctx := c.UserContext()
	u := currentUser(c)
	staff := u != nil && u.ID != r.FilerID
	d, err := s.directory(c)
	if err != nil {
		return err
	}
	steps, err := s.store.RequestSteps(ctx, r.ID)
	if err != nil {
		return err
	}
	answers, err := s.store.RequestAnswers(ctx, r.ID)
	if err != nil {
		return err
	}
	files, err := s.store.RequestAttachments(ctx, r.ID)
	if err != nil {
		return err
	}
	reads, err := s.store.RequestReads(ctx, r.ID)
	if err != nil {
		return err
	}
	outSteps := make([]apiRequestStep, 0, len(steps))
	for _, st := range steps {
		a := apiRequestStep{Kind: st.Kind, Ministry: d.Ministry(st.MinistryID).Slug, Note: st.NoteSrc, Due: rfc3339(st.Due), At: rfc3339(st.CreatedAt)}
		if st.ToMinistry != 0 {
			a.ToMinistry = d.Ministry(st.ToMinistry).Slug
		}
		if staff {
			a.Actor = st.ActorName
		}
		outSteps = append(outSteps, a)
	}
	outAnswers := make([]apiRequestAnswer, 0, len(answers))
	for _, a := range answers {
		remedies := make([]string, 0, len(a.Remedies))
		for _, rm := range a.Remedies {
			remedies = append(remedies, string(rm))
		}
		x := apiRequestAnswer{Round: a.Round, Ministry: d.Ministry(a.MinistryID).Slug, Decision: string(a.Decision), Summary: a.Summary,
			Reasons: a.BodySrc, LegalBasis: a.LegalBasis, ResponsibleUnit: a.ResponsibleUnit, Contact: a.Contact, Remedies: remedies,
			RemedyNote: a.RemedyNote, WorkingDays: a.WorkingDays, OnTime: a.OnTime, At: rfc3339(a.CreatedAt)}
		if a.Rating != 0 {
			x.Rating = &a.Rating
		}
		outAnswers = append(outAnswers, x)
	}
	outFiles := make([]apiAttachment, 0, len(files))
	for _, f := range files {
		outFiles = append(outFiles, apiAttachment{ID: f.ID, Name: f.Name, Kind: f.Kind, Size: f.Size, SHA256: f.SHA256, WithRep: f.StepID != 0,
			URL: "/requests/" + r.Receipt() + "/files/" + strconv.FormatInt(f.ID, 10), At: rfc3339(f.CreatedAt)})
	}
	outReads := make([]apiRequestRead, 0, len(reads))
	for _, rd := range reads {
		x := apiRequestRead{Ministry: d.Ministry(rd.MinistryID).Slug, At: rfc3339(rd.ReadAt)}
		if staff {
			x.Reader = rd.ReaderName
		}
		outReads = append(outReads, x)
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.JSON(fiber.Map{"request": s.apiRequestOf(r, d, true), "steps": outSteps, "answers": outAnswers,
		"attachments": outFiles, "reads": outReads})
}
