package portal

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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

// handleAttach stores the raw request body as an attachment of the caller's own
// dossier. The size limit is enforced both from Content-Length (refused before
// reading) and while reading (a body that lies about its length).
func (s *Server) handleAttach(w http.ResponseWriter, r *http.Request) {
	limit := s.cfg.MaxAttachmentBytes
	if r.ContentLength > limit {
		jsonapi.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("attachment larger than %d bytes", limit))
		return
	}
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !attachmentTypes[ct] {
		jsonapi.Error(w, http.StatusUnsupportedMediaType, "attachment must be application/pdf, image/jpeg or image/png")
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" || len(name) > 200 {
		jsonapi.Error(w, http.StatusBadRequest, "query parameter name (1–200 characters) is required")
		return
	}
	d, err := s.visibleDossier(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		jsonapi.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("attachment larger than %d bytes", limit))
		return
	}
	if err != nil {
		jsonapi.Error(w, http.StatusBadRequest, "reading attachment: "+err.Error())
		return
	}
	if len(data) == 0 {
		jsonapi.Error(w, http.StatusBadRequest, "attachment is empty")
		return
	}
	sum := sha256.Sum256(data)
	a := Attachment{ID: newID(), Name: name, ContentType: ct, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), CreatedAt: time.Now()}
	// An upload retried over a bad link must not attach the same scan twice: the
	// same name and content on the same dossier is the same attachment.
	var existing string
	err = s.store.write(r.Context(), func(tx *wtx) error {
		existing = ""
		err := tx.QueryRow(`SELECT id FROM attachments WHERE dossier_id = ? AND name = ? AND sha256 = ?`, d.ID, a.Name, a.SHA256).Scan(&existing)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("look up attachment: %w", err)
		}
		if _, err := tx.Exec(`INSERT INTO attachments(id, dossier_id, name, content_type, size, sha256, data, created_at) VALUES(?,?,?,?,?,?,?,?)`,
			a.ID, d.ID, a.Name, a.ContentType, a.Size, a.SHA256, data, a.CreatedAt.UnixMilli()); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		return nil
	})
	if err != nil {
		s.fail(w, err)
		return
	}
	code := http.StatusCreated
	if existing != "" {
		a.ID, code = existing, http.StatusOK
	}
	jsonapi.Write(w, code, a)
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
