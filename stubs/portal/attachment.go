package portal

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// Attachment is a scanned document added to a dossier.
type Attachment struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

var attachmentTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// checkAttachment refuses, before a byte of the body is read, an upload that
// could never be stored: too large by its Content-Length, of another type, or
// unnamed. A client that sent "Expect: 100-continue" then never sends the body.
func checkAttachment(limit int64, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			jsonapi.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("attachment larger than %d bytes", limit))
			return
		}
		ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || !attachmentTypes[ct] {
			jsonapi.Error(w, http.StatusUnsupportedMediaType, "attachment must be application/pdf, image/jpeg or image/png")
			return
		}
		if name := r.URL.Query().Get("name"); name == "" || len(name) > 200 {
			jsonapi.Error(w, http.StatusBadRequest, "query parameter name (1–200 characters) is required")
			return
		}
		next(w, r)
	}
}

// handleAttach stores the request body (read whole by withBody, within the size
// limit and the deadline) as an attachment of the caller's own dossier, within the
// dossier's and the citizen's quotas.
func (s *Server) handleAttach(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")) // checked by checkAttachment
	name := r.URL.Query().Get("name")
	d, err := s.visibleDossier(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	data := bodyBytes(r)
	if len(data) == 0 {
		jsonapi.Error(w, http.StatusBadRequest, "attachment is empty")
		return
	}
	sum := sha256.Sum256(data)
	a := Attachment{ID: newID(), Name: name, ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), CreatedAt: time.Now()}
	// An upload retried over a bad link must not attach the same scan twice: the
	// same name and content on the same dossier is the same attachment.
	var existing string
	var refused *quotaError
	err = s.store.write(r.Context(), func(tx *wtx) error {
		existing, refused = "", nil
		err := tx.QueryRow(`SELECT id FROM attachments WHERE dossier_id = ? AND name = ? AND sha256 = ?`, d.ID, a.Name, a.SHA256).Scan(&existing)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("look up attachment: %w", err)
		}
		// A refusal is not an error of the transaction: returning one would roll
		// back the whole group-commit batch, so a flood of over-quota uploads
		// would slow everyone's writes.
		if refused, err = s.checkQuotas(tx, d, a.Size); err != nil || refused != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO attachments(id, dossier_id, name, content_type, size, sha256, data, created_at) VALUES(?,?,?,?,?,?,?,?)`,
			a.ID, d.ID, a.Name, a.ContentType, a.Size, a.SHA256, data, a.CreatedAt.UnixMilli()); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO attachment_usage(owner, bytes) VALUES(?, ?) ON CONFLICT(owner) DO UPDATE SET bytes = bytes + excluded.bytes`,
			d.Applicant, a.Size); err != nil {
			return fmt.Errorf("count attachment bytes: %w", err)
		}
		return nil
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	if refused != nil {
		s.refuseQuota(w, refused)
		return
	}
	code := http.StatusCreated
	if existing != "" {
		a.ID, code = existing, http.StatusOK
	}
	jsonapi.Write(w, code, a)
}

// checkQuotas says whether one more attachment of size bytes fits the dossier's
// count and bytes and its owner's bytes over all their dossiers. It runs in the
// write transaction, so concurrent uploads cannot both take the last room.
func (s *Server) checkQuotas(tx *wtx, d *Dossier, size int64) (*quotaError, error) {
	var n, dossierBytes, citizenBytes int64
	if err := tx.QueryRow(`SELECT count(*), COALESCE(SUM(size), 0) FROM attachments WHERE dossier_id = ?`, d.ID).Scan(&n, &dossierBytes); err != nil {
		return nil, fmt.Errorf("count the dossier's attachments: %w", err)
	}
	err := tx.QueryRow(`SELECT bytes FROM attachment_usage WHERE owner = ?`, d.Applicant).Scan(&citizenBytes)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("count the citizen's attachment bytes: %w", err)
	}
	c := s.cfg
	switch {
	case n+1 > int64(c.MaxDossierAttachments):
		return &quotaError{http.StatusRequestEntityTooLarge, quotaDossierAttachments, int64(c.MaxDossierAttachments),
			fmt.Sprintf("the dossier has %d attachments, the most allowed", n)}, nil
	case dossierBytes+size > c.MaxDossierAttachmentBytes:
		return &quotaError{http.StatusRequestEntityTooLarge, quotaDossierAttachmentBytes, c.MaxDossierAttachmentBytes,
			fmt.Sprintf("the dossier's attachments would come to %d bytes, over its quota of %d", dossierBytes+size, c.MaxDossierAttachmentBytes)}, nil
	case citizenBytes+size > c.MaxCitizenAttachmentBytes:
		return &quotaError{http.StatusRequestEntityTooLarge, quotaCitizenAttachmentBytes, c.MaxCitizenAttachmentBytes,
			fmt.Sprintf("your attachments would come to %d bytes, over your quota of %d", citizenBytes+size, c.MaxCitizenAttachmentBytes)}, nil
	}
	return nil, nil
}

func (s *Server) listAttachments(ctx context.Context, dossierID string) ([]Attachment, error) {
	rows, err := s.store.r.QueryContext(ctx, `SELECT id, name, content_type, size, sha256, created_at FROM attachments WHERE dossier_id = ? ORDER BY created_at`, dossierID)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		var created int64
		if err := rows.Scan(&a.ID, &a.Name, &a.ContentType, &a.Size, &a.SHA256, &created); err != nil {
			return nil, fmt.Errorf("scan attachment: %w", err)
		}
		a.CreatedAt = time.UnixMilli(created)
		out = append(out, a)
	}
	return out, rows.Err()
}
