package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/thongsuot/thongsuot/stubs/jsonapi"
)

// withBody reads the whole request body — at most limit bytes, within timeout —
// before next runs, and hands next the bytes read. Routes put it after
// authentication and before admission control, so a body that arrives one byte at
// a time holds a goroutine until its deadline, never an admission slot. A body
// that misses its deadline gets 408 and the connection is closed.
//
// The buffer grows with the bytes that actually arrive, never with the
// Content-Length a client claims: six hundred clients announcing 5 MiB and sending
// nothing must not make the portal allocate 3 GiB.
func (s *Server) withBody(limit int64, timeout time.Duration, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			jsonapi.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", limit))
			return
		}
		// The deadline is per request, not the server's ReadTimeout: it must end
		// when the body is in, because an expired read deadline during the handler
		// makes net/http cancel the request's context. Recorders (tests, fuzzing)
		// do not support deadlines; they have no slow clients either.
		rc := http.NewResponseController(w)
		deadline := rc.SetReadDeadline(time.Now().Add(timeout)) == nil
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if deadline {
			_ = rc.SetReadDeadline(time.Time{})
		}
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			jsonapi.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", limit))
			return
		case errors.Is(err, os.ErrDeadlineExceeded):
			s.metrics.bodyTimeouts.Inc()
			w.Header().Set("Connection", "close")
			jsonapi.Error(w, http.StatusRequestTimeout, fmt.Sprintf("request body not received within %v", timeout))
			return
		case err != nil:
			w.Header().Set("Connection", "close")
			jsonapi.Error(w, http.StatusBadRequest, "reading the request body: "+err.Error())
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, data))
		r.Body = io.NopCloser(bytes.NewReader(data))
		next(w, r)
	}
}

type bodyKey struct{}

// bodyBytes is the body withBody read, without copying it again (an attachment
// is up to 5 MiB); nil for a request that did not go through withBody.
func bodyBytes(r *http.Request) []byte {
	b, _ := r.Context().Value(bodyKey{}).([]byte)
	return b
}

// closeUnreadBodies closes the connection after any answer given before the
// request's body was read to its end (a 401, 403, 404, 413, 429 …). Otherwise
// net/http would read what is left of the body before sending the answer, so a
// refused slow body would still hold its goroutine — and, for answers written while
// a handler runs, its admission slot — for as long as the client cares to drip.
func closeUnreadBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		b := &eofBody{ReadCloser: r.Body}
		r.Body = b
		next.ServeHTTP(&closingWriter{ResponseWriter: w, body: b}, r)
	})
}

// eofBody notes whether its reader reached the end.
type eofBody struct {
	io.ReadCloser
	eof bool
}

func (b *eofBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.eof = true
	}
	return n, err
}

// closingWriter adds "Connection: close" to an answer that starts before its
// request's body was read to the end.
type closingWriter struct {
	http.ResponseWriter
	body    *eofBody
	written bool
}

func (w *closingWriter) WriteHeader(code int) {
	if !w.written {
		w.written = true
		if !w.body.eof {
			w.Header().Set("Connection", "close")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *closingWriter) Write(p []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *closingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
