package portal

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/thongsuot/thongsuot/stubs/identity"
	"github.com/thongsuot/thongsuot/stubs/jsonapi"
	"github.com/thongsuot/thongsuot/stubs/registry"
	"github.com/thongsuot/thongsuot/units"
)

// Dossier states. A dossier is "received" when stored; officials move it on.
// Bundles are "processing" while their registry steps run and "completed" after.
const (
	StatusReceived   = "received"
	StatusProcessing = "processing"
	StatusNeedsInfo  = "needs_info"
	StatusCompleted  = "completed"
	StatusRejected   = "rejected"
)

// Dossier is a dossier as the API shows it.
type Dossier struct {
	ID             string          `json:"id"`
	Receipt        string          `json:"receipt"`
	Status         string          `json:"status"`
	Kind           string          `json:"kind"` // "single" or "bundle"
	ProcedureCode  string          `json:"procedure_code"`
	UnitCode       string          `json:"unit_code"`
	Applicant      string          `json:"applicant"`
	FeeVND         int64           `json:"fee_vnd"`
	PaymentReceipt string          `json:"payment_receipt,omitempty"`
	Form           json.RawMessage `json:"form,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	History        []HistoryEntry  `json:"history,omitempty"`
	Attachments    []Attachment    `json:"attachments,omitempty"`
	Steps          []Step          `json:"steps,omitempty"`
}

// HistoryEntry is one change of a dossier's state.
type HistoryEntry struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Actor  string    `json:"actor"`
	Note   string    `json:"note,omitempty"`
}

// submission is a validated request to create a dossier.
type submission struct {
	ProcedureCode string          `json:"procedure_code"`
	UnitCode      string          `json:"unit_code"`
	Form          json.RawMessage `json:"form"`
}

// errIdempotencyConflict: the key was used before with a different request.
var errIdempotencyConflict = &jsonapi.StatusError{Code: http.StatusUnprocessableEntity, Msg: "Idempotency-Key was already used for a different request"}

func (s *Server) decodeSubmission(w http.ResponseWriter, r *http.Request, dst any) (string, error) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 200 {
		return "", &jsonapi.StatusError{Code: http.StatusBadRequest, Msg: "Idempotency-Key longer than 200 characters"}
	}
	if err := jsonapi.Decode(w, r, s.cfg.MaxBodyBytes, dst); err != nil {
		return "", err
	}
	return key, nil
}

func (sub *submission) validate(bundle bool) (*Procedure, error) {
	p, ok := procedureByCode[sub.ProcedureCode]
	if !ok {
		return nil, &jsonapi.StatusError{Code: http.StatusUnprocessableEntity, Msg: "unknown procedure_code"}
	}
	if p.Bundle != bundle {
		msg := "procedure_code is a linked-procedure bundle: submit it to /api/v1/bundles"
		if bundle {
			msg = "procedure_code is not a bundle: submit it to /api/v1/dossiers"
		}
		return nil, &jsonapi.StatusError{Code: http.StatusUnprocessableEntity, Msg: msg}
	}
	// Procedures can be filed at any unit regardless of residence, but the unit must exist.
	if _, ok := units.Lookup(sub.UnitCode); !ok {
		return nil, &jsonapi.StatusError{Code: http.StatusUnprocessableEntity, Msg: "unit_code is not a commune-level unit"}
	}
	if len(sub.Form) == 0 || string(sub.Form) == "null" {
		sub.Form = json.RawMessage(`{}`)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, sub.Form); err != nil || compact.Bytes()[0] != '{' {
		return nil, &jsonapi.StatusError{Code: http.StatusBadRequest, Msg: "form must be a JSON object"}
	}
	sub.Form = compact.Bytes()
	return p, nil
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	c := claimsFrom(r)
	var sub submission
	key, err := s.decodeSubmission(w, r, &sub)
	if err != nil {
		jsonapi.Fail(w, err, http.StatusBadRequest)
		return
	}
	p, err := sub.validate(false)
	if err != nil {
		jsonapi.Fail(w, err, http.StatusBadRequest)
		return
	}
	applicant := c.Subject
	if c.Role == identity.RoleOfficial {
		if applicant, err = sub.counterApplicant(c.Unit); err != nil {
			jsonapi.Fail(w, err, http.StatusBadRequest)
			return
		}
	}
	d := &Dossier{Kind: "single", ProcedureCode: p.Code, UnitCode: sub.UnitCode, Applicant: applicant, FeeVND: p.FeeVND, Form: sub.Form, Status: StatusReceived}
	s.create(w, r, d, key, nil)
}

// counterApplicant is the walk-in citizen an official files for at the counter of
// unit: form.applicant_id names them, and the dossier must be for the official's unit.
func (sub *submission) counterApplicant(unit string) (string, error) {
	if sub.UnitCode != unit {
		return "", &jsonapi.StatusError{Code: http.StatusForbidden, Msg: "an official files at their own unit's counter only"}
	}
	var form struct {
		ApplicantID string `json:"applicant_id"`
	}
	if json.Unmarshal(sub.Form, &form) != nil || form.ApplicantID == "" {
		return "", &jsonapi.StatusError{Code: http.StatusUnprocessableEntity, Msg: "a counter filing names the walk-in citizen in form.applicant_id"}
	}
	return form.ApplicantID, nil
}

// create stores a new dossier (and its outbox steps) unless the idempotency key
// already names one, after checking the applicant against the population registry.
func (s *Server) create(w http.ResponseWriter, r *http.Request, d *Dossier, key string, steps []Step) {
	hash := requestHash(d)
	if key != "" {
		// Replays skip the registry: the first request already passed the check.
		prior, err := s.lookupIdempotent(r.Context(), d.Applicant, key, hash)
		if err != nil {
			s.fail(w, err)
			return
		}
		if prior != nil {
			s.respondCreated(w, prior, key, true)
			return
		}
	}
	if len(steps) == 0 { // a bundle's first step checks the applicant (bundle.go)
		if err := s.checkApplicant(r.Context(), d.Applicant); err != nil {
			s.fail(w, err)
			return
		}
	}
	now := time.Now()
	d.ID, d.Receipt, d.CreatedAt, d.UpdatedAt = newID(), newReceipt(d.UnitCode, now), now, now
	var replay *Dossier
	err := s.store.write(r.Context(), func(tx *wtx) error {
		if key != "" {
			prior, err := idempotentIn(tx, d.Applicant, key, hash)
			if err != nil || prior != nil {
				replay = prior
				return err
			}
		}
		return insertDossier(tx, d, key, hash, steps)
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	if replay != nil {
		s.respondCreated(w, replay, key, true)
		return
	}
	s.metrics.dossiers.WithLabelValues(d.Kind).Inc()
	if len(steps) > 0 {
		s.outbox.created(r.Context(), d.ID)
		if s.cfg.Naive {
			// The fragile portal calls the registries inline; a failure is the applicant's problem.
			if err := s.outbox.runInline(r.Context(), d.ID); err != nil {
				s.fail(w, err)
				return
			}
			if got, err := s.loadDossier(r.Context(), d.ID); err == nil {
				d = got
			}
		}
	}
	s.respondCreated(w, d, key, false)
}

// respondCreated answers 201. Location names the dossier and the Idempotency-Key is
// echoed, so a client that keeps only headers can still reconcile what it was told.
func (s *Server) respondCreated(w http.ResponseWriter, d *Dossier, key string, replayed bool) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if key != "" {
		w.Header().Set("Idempotency-Key", key)
	}
	w.Header().Set("Location", "/api/v1/dossiers/"+d.ID)
	jsonapi.Write(w, http.StatusCreated, map[string]any{"id": d.ID, "receipt": d.Receipt, "status": d.Status, "fee_vnd": d.FeeVND})
}

// checkApplicant asks the population registry whether the applicant exists. With
// ApplicantCacheTTL set, a positive answer is reused for that long (the citizen
// does not stop existing between two submissions), so a surge of submissions does
// not become a surge of registry calls.
func (s *Server) checkApplicant(ctx context.Context, personalID string) error {
	if s.cfg.ApplicantCacheTTL > 0 {
		if _, ok := s.applicants.get(personalID, time.Now()); ok {
			return nil
		}
	}
	rep, err := s.deps[registry.Population].call(ctx, http.MethodGet, "/population/v1/citizens/"+personalID, nil, nil)
	if err != nil {
		return err
	}
	switch rep.status {
	case http.StatusOK:
		if s.cfg.ApplicantCacheTTL > 0 {
			s.applicants.put(personalID, struct{}{}, time.Now().Add(s.cfg.ApplicantCacheTTL))
		}
		return nil
	case http.StatusNotFound:
		return &jsonapi.StatusError{Code: http.StatusUnprocessableEntity, Msg: "applicant is not in the national population database"}
	default:
		return &depError{registry.Population, http.StatusBadGateway, time.Second, fmt.Errorf("unexpected status %d", rep.status)}
	}
}

// fail answers an error: dependency failures as 503/504 with Retry-After,
// client errors with their own status, and anything else as 500 (a bug or the
// disk, never bad input).
func (s *Server) fail(w http.ResponseWriter, err error) {
	var de *depError
	var se *jsonapi.StatusError
	switch {
	case errors.As(err, &de):
		w.Header().Set("Retry-After", retryAfterSeconds(de.retryAfter))
		jsonapi.Error(w, de.status, de.Error())
	case errors.As(err, &se):
		jsonapi.Error(w, se.Code, se.Msg)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		w.Header().Set("Retry-After", "1")
		jsonapi.Error(w, http.StatusServiceUnavailable, "request gave up: "+err.Error())
	case errors.Is(err, errStoreClosed):
		w.Header().Set("Retry-After", "1")
		jsonapi.Error(w, http.StatusServiceUnavailable, "portal is shutting down")
	default:
		s.log.Error("internal error", "err", err)
		jsonapi.Error(w, http.StatusInternalServerError, "internal error")
	}
}

func requestHash(d *Dossier) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", d.Kind, d.ProcedureCode, d.UnitCode, d.Form)
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Server) lookupIdempotent(ctx context.Context, owner, key, hash string) (*Dossier, error) {
	var id, prevHash string
	err := s.store.r.QueryRowContext(ctx, `SELECT dossier_id, request_hash FROM idempotency WHERE owner = ? AND key = ?`, owner, key).Scan(&id, &prevHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency lookup: %w", err)
	}
	if prevHash != hash {
		return nil, errIdempotencyConflict
	}
	return s.loadDossier(ctx, id)
}

// idempotentIn repeats the idempotency check inside the write transaction, which
// settles a race between two requests with the same key.
func idempotentIn(tx *wtx, owner, key, hash string) (*Dossier, error) {
	var d Dossier
	var prevHash string
	err := tx.QueryRow(`SELECT d.id, d.receipt, d.status, d.fee_vnd, i.request_hash FROM idempotency i JOIN dossiers d ON d.id = i.dossier_id WHERE i.owner = ? AND i.key = ?`, owner, key).
		Scan(&d.ID, &d.Receipt, &d.Status, &d.FeeVND, &prevHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("idempotency check: %w", err)
	}
	if prevHash != hash {
		return nil, errIdempotencyConflict
	}
	return &d, nil
}

func insertDossier(tx *wtx, d *Dossier, key, hash string, steps []Step) error {
	ms := d.CreatedAt.UnixMilli()
	if _, err := tx.Exec(`INSERT INTO dossiers(id, receipt, owner, kind, procedure_code, unit_code, status, form, fee_vnd, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)`,
		d.ID, d.Receipt, d.Applicant, d.Kind, d.ProcedureCode, d.UnitCode, d.Status, string(d.Form), d.FeeVND, ms, ms); err != nil {
		return fmt.Errorf("insert dossier: %w", err)
	}
	if err := addHistory(tx, d.ID, d.CreatedAt, d.Status, d.Applicant, "submitted online"); err != nil {
		return err
	}
	if key != "" {
		if _, err := tx.Exec(`INSERT INTO idempotency(owner, key, request_hash, dossier_id) VALUES(?,?,?,?)`, d.Applicant, key, hash, d.ID); err != nil {
			return fmt.Errorf("insert idempotency key: %w", err)
		}
	}
	for _, st := range steps {
		if _, err := tx.Exec(`INSERT INTO outbox(dossier_id, step, name, registry, path, state, next_at, updated_at) VALUES(?,?,?,?,?,?,?,?)`,
			d.ID, st.Step, st.Name, st.Registry, st.Path, stepPending, ms, ms); err != nil {
			return fmt.Errorf("insert outbox step: %w", err)
		}
	}
	return nil
}

func addHistory(tx *wtx, id string, at time.Time, status, actor, note string) error {
	if _, err := tx.Exec(`INSERT INTO history(dossier_id, at, status, actor, note) VALUES(?,?,?,?,?)`, id, at.UnixMilli(), status, actor, note); err != nil {
		return fmt.Errorf("insert history: %w", err)
	}
	return nil
}

// errNoDossier is answered as 404 whether the dossier is missing or someone
// else's, so ids cannot be probed.
var errNoDossier = &jsonapi.StatusError{Code: http.StatusNotFound, Msg: "no such dossier"}

func (s *Server) loadDossier(ctx context.Context, id string) (*Dossier, error) {
	var d Dossier
	var form string
	var created, updated int64
	err := s.store.r.QueryRowContext(ctx, `SELECT id, receipt, owner, kind, procedure_code, unit_code, status, form, fee_vnd, payment_receipt, created_at, updated_at FROM dossiers WHERE id = ?`, id).
		Scan(&d.ID, &d.Receipt, &d.Applicant, &d.Kind, &d.ProcedureCode, &d.UnitCode, &d.Status, &form, &d.FeeVND, &d.PaymentReceipt, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoDossier
	}
	if err != nil {
		return nil, fmt.Errorf("load dossier: %w", err)
	}
	d.Form, d.CreatedAt, d.UpdatedAt = json.RawMessage(form), time.UnixMilli(created), time.UnixMilli(updated)
	return &d, nil
}

// canSee is the ownership rule: a citizen sees their own dossiers, an official
// those filed at their unit, an admin service client all.
func canSee(c *identity.Claims, d *Dossier) bool {
	switch c.Role {
	case identity.RoleCitizen:
		return d.Applicant == c.Subject
	case identity.RoleOfficial:
		return d.UnitCode == c.Unit
	case identity.RoleService:
		return hasScope(c.Scope, "admin")
	}
	return false
}

// visibleDossier loads a dossier the caller may see, or errNoDossier.
func (s *Server) visibleDossier(r *http.Request) (*Dossier, error) {
	d, err := s.loadDossier(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if !canSee(claimsFrom(r), d) {
		return nil, errNoDossier
	}
	return d, nil
}

func (s *Server) handleGetDossier(w http.ResponseWriter, r *http.Request) {
	d, err := s.visibleDossier(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	if err := s.loadDetails(r.Context(), d); err != nil {
		s.fail(w, err)
		return
	}
	jsonapi.Write(w, http.StatusOK, d)
}

func (s *Server) loadDetails(ctx context.Context, d *Dossier) error {
	rows, err := s.store.r.QueryContext(ctx, `SELECT at, status, actor, note FROM history WHERE dossier_id = ? ORDER BY rowid`, d.ID)
	if err != nil {
		return fmt.Errorf("load history: %w", err)
	}
	defer rows.Close()
	d.History = []HistoryEntry{}
	for rows.Next() {
		var h HistoryEntry
		var at int64
		if err := rows.Scan(&at, &h.Status, &h.Actor, &h.Note); err != nil {
			return fmt.Errorf("scan history: %w", err)
		}
		h.At = time.UnixMilli(at)
		d.History = append(d.History, h)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load history: %w", err)
	}
	if d.Attachments, err = s.listAttachments(ctx, d.ID); err != nil {
		return err
	}
	if d.Kind == "bundle" {
		if d.Steps, err = s.outbox.steps(ctx, d.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) handleListMine(w http.ResponseWriter, r *http.Request) {
	limit, err := queryInt(r, "limit", 50, 1, 500)
	if err != nil {
		s.fail(w, err)
		return
	}
	list, err := s.queryDossiers(r.Context(), `WHERE owner = ? ORDER BY created_at DESC LIMIT ?`, claimsFrom(r).Subject, limit)
	if err != nil {
		s.fail(w, err)
		return
	}
	jsonapi.Write(w, http.StatusOK, map[string]any{"dossiers": list})
}

// queryDossiers lists dossier summaries (no form or details) matching where.
func (s *Server) queryDossiers(ctx context.Context, where string, args ...any) ([]Dossier, error) {
	rows, err := s.store.r.QueryContext(ctx, `SELECT id, receipt, owner, kind, procedure_code, unit_code, status, fee_vnd, payment_receipt, created_at, updated_at FROM dossiers `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list dossiers: %w", err)
	}
	defer rows.Close()
	out := []Dossier{}
	for rows.Next() {
		var d Dossier
		var created, updated int64
		if err := rows.Scan(&d.ID, &d.Receipt, &d.Applicant, &d.Kind, &d.ProcedureCode, &d.UnitCode, &d.Status, &d.FeeVND, &d.PaymentReceipt, &created, &updated); err != nil {
			return nil, fmt.Errorf("scan dossier: %w", err)
		}
		d.CreatedAt, d.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dossiers: %w", err)
	}
	return out, nil
}

// newID is time-ordered (milliseconds, then random): new rows land at the right
// edge of the primary-key B-tree, so a group commit dirties a few pages instead of
// one per row — the WAL writes are what durable throughput is spent on.
func newID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}

var receiptEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newReceipt is the number printed on the acknowledgement: unit, date, and a
// random part (unique by the store's constraint).
func newReceipt(unit string, at time.Time) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return unit + "-" + at.Format("060102") + "-" + receiptEncoding.EncodeToString(b[:])
}
