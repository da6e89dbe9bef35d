// Package jsonapi is how every stub speaks JSON over HTTP: one error shape
// ({"error": "..."}), bounded request bodies, and decoding errors that become a
// 4xx with a reason instead of a 500.
package jsonapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Write sends v as JSON with the status code.
func Write(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Error sends {"error": msg} with the status code.
func Error(w http.ResponseWriter, code int, msg string) {
	Write(w, code, map[string]string{"error": msg})
}

// StatusError is an error that knows its HTTP status.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string { return e.Msg }

// Fail sends err as JSON: its own status if it is a *StatusError, else fallback.
func Fail(w http.ResponseWriter, err error, fallback int) {
	var se *StatusError
	if errors.As(err, &se) {
		Error(w, se.Code, se.Msg)
		return
	}
	Error(w, fallback, err.Error())
}

// Decode reads one JSON object of at most limit bytes into dst. Unknown fields and
// trailing data are rejected so that a typo in a client is a 400, not silent loss.
func Decode(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &StatusError{http.StatusUnsupportedMediaType, "content type must be application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &StatusError{http.StatusBadRequest, "malformed JSON: trailing data after the object"}
	}
	return nil
}

func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return &StatusError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit)}
	case errors.As(err, &syntax):
		return &StatusError{http.StatusBadRequest, fmt.Sprintf("malformed JSON at byte %d: %v", syntax.Offset, err)}
	case errors.As(err, &typ):
		return &StatusError{http.StatusBadRequest, fmt.Sprintf("malformed JSON: field %q must be %s", typ.Field, typ.Type)}
	case errors.Is(err, io.EOF):
		return &StatusError{http.StatusBadRequest, "malformed JSON: empty body"}
	default:
		return &StatusError{http.StatusBadRequest, "malformed JSON: " + err.Error()}
	}
}
